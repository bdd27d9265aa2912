/**
 * createServer: a listening socket with a blocking `accept()` (Python's
 * `socket.create_server` with gevent's cooperative accept), for code that wants its own
 * accept loop instead of a StreamServer.
 *
 * ```ts
 * const listener = yield* createServer(['127.0.0.1', 0]);
 * for (;;) {
 *   const [sock, [host, port]] = yield* listener.accept();
 *   spawn(handle, sock);
 * }
 * ```
 *
 * ## Rules
 *
 * - `createServer(address, { backlog, ssl })` binds and listens (an Op: it waits until the
 *   port is bound; bind errors raise SocketError, e.g. EADDRINUSE with the address).
 * - Node accepts connections as they come; they wait, paused (nothing read), until
 *   `accept()` takes them, at most `backlog` (default 256) of them; past that a new
 *   connection is closed at once and counted in `dropped`.
 * - `accept()` returns the next connection as a Socket (with the listener's `timeout` as
 *   its timeout) and the peer's `[host, port]`; it waits while there is none. With
 *   `timeout` set, the wait raises SocketTimeout. One greenlet accepts at a time.
 * - `close()` (a plain call) closes the port and the connections not accepted yet; a
 *   greenlet blocked in accept() gets SocketError EBADF.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import { toHub } from '@g/hub';
import { type Address, checkTimeout, parseAddress } from './address.js';
import { DEFAULT_BACKLOG, type ServerAddress } from './base-server.js';
import { formatAddress, SocketError, SocketTimeout } from './errors.js';
import { boundAddress, listen } from './listen.js';
import { Socket } from './socket.js';
import { READY, Slot } from './wait.js';

export interface CreateServerOptions {
  /** Connections held until accepted (and the kernel's listen backlog); default 256. */
  backlog?: number;
  /** TLS server options: accepted sockets are TLS sockets, handshake done. */
  ssl?: tls.TlsOptions;
}

/** Binds a listening socket (see the module comment). */
export function createServer(
  address: Address,
  options: CreateServerOptions = {},
): Op<ServerSocket> {
  const a = parseAddress(address, 'createServer(address)');
  const backlog = options.backlog ?? DEFAULT_BACKLOG;
  if (!Number.isInteger(backlog) || backlog < 0) {
    throw new RangeError(
      `createServer({ backlog }) must be an integer >= 0, got ${String(backlog)}`,
    );
  }
  return trackOp(
    (function* () {
      const opts = { allowHalfOpen: true, pauseOnConnect: true, noDelay: true };
      const ssl = options.ssl;
      const server = ssl ? tls.createServer({ ...opts, ...ssl }) : net.createServer(opts);
      const s = new ServerSocket(server, backlog, ssl ? 'secureConnection' : 'connection');
      yield* listen(server, a, backlog, 'createServer()');
      s._addr = boundAddress(server);
      return s;
    })(),
    'createServer',
  );
}

export class ServerSocket {
  /** The Node server underneath. */
  readonly server: net.Server;
  /** Connections held until accepted. */
  readonly backlog: number;
  /** Connections closed because `backlog` were already waiting. */
  dropped = 0;
  /** @internal */
  _addr: ServerAddress | null = null;
  private readonly _q: net.Socket[] = [];
  private readonly _slot = new Slot();
  private _closed = false;
  private _timeout: number | null = null;

  /** @internal use createServer(). */
  constructor(server: net.Server, backlog: number, event: string) {
    this.server = server;
    this.backlog = backlog;
    server.on(event, (raw: net.Socket) => {
      if (this._closed || this._q.length >= Math.max(1, backlog)) {
        if (!this._closed) this.dropped++;
        raw.destroy();
        return;
      }
      this._q.push(raw);
      this._slot.wakeSoon();
    });
    server.on('tlsClientError', noop);
    server.on('error', noop);
  }

  /** The bound address (port 0 became the real port). */
  get address(): ServerAddress | null {
    return this._addr;
  }

  /** Seconds accept() may wait (null: no limit); also the accepted sockets' timeout. */
  get timeout(): number | null {
    return this._timeout;
  }

  set timeout(t: number | null) {
    this._timeout = checkTimeout(t, 'timeout');
  }

  get closed(): boolean {
    return this._closed;
  }

  /** The next connection and its peer's address (see the module comment). */
  accept(): Op<[Socket, [host: string, port: number]]> {
    return trackOp(this._accept(), 'accept');
  }

  /** Closes the port and the connections not accepted yet. Never waits. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    for (const raw of this._q.splice(0)) raw.destroy();
    this._slot.fail(new SocketError(`${this} was closed by another greenlet`, { code: 'EBADF' }));
    if (this.server.listening) this.server.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    const a = this._addr;
    return `<ServerSocket ${a === null ? 'unbound' : (a.path ?? formatAddress(a.host, a.port))}>`;
  }

  private *_accept(): Generator<unknown, [Socket, [string, number]], any> {
    for (;;) {
      if (this._closed) throw new SocketError(`accept(): ${this} is closed`, { code: 'EBADF' });
      const raw = this._q.shift();
      if (raw !== undefined) {
        if (raw.destroyed) continue;
        const sock = new Socket(raw);
        sock.timeout = this._timeout;
        return [sock, [raw.remoteAddress ?? '', raw.remotePort ?? 0]];
      }
      const t = this._timeout;
      const g = this._slot.enter('accept()', t, this);
      let v: unknown;
      try {
        v = yield* toHub(g);
      } finally {
        this._slot.leave(g, t);
      }
      if (v !== READY) throw new SocketTimeout(`accept() timed out after ${t} s (${this})`, t!);
    }
  }
}

function noop(): void {}
