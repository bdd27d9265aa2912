/**
 * StreamServer: a TCP (or TLS, or Unix socket) server that runs a handler in a greenlet for
 * every connection (gevent.server.StreamServer).
 *
 * ```ts
 * const server = new StreamServer(['127.0.0.1', 16000], function* (sock, address) {
 *   for (;;) {
 *     const data = yield* sock.recv(4096);
 *     if (data.length === 0) break;             // peer closed
 *     yield* sock.sendall(data);
 *   }
 * }, { spawn: 1000 });
 * await run(function* () { yield* server.serveForever(); });
 * ```
 *
 * ## Rules
 *
 * - `listener`: an address (`[host, port]`, `'host:port'`, a port, `{ path }`) or a
 *   `net.Server` (or `tls.Server`) you made; `backlog` is refused with a server object, as
 *   in gevent (it was fixed when the server was bound).
 * - `handle(sock, [host, port])` runs in a new greenlet per connection (a generator
 *   function; a plain or async function works too). When it returns or throws, the socket
 *   is closed (buffered data is still sent). Its error is reported with `handleError` and
 *   the server goes on.
 * - `ssl`: node:tls server options (`key`, `cert`, ...): connections are handed to handlers
 *   once the TLS handshake is done; failed handshakes never reach a handler.
 * - `timeout`: the default `timeout` of each connection's socket (seconds; none by default).
 * - Life cycle, `spawn`, `backlog` and back-pressure: see BaseServer.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { type Address, checkTimeout, type ParsedAddress, parseAddress } from './address.js';
import {
  BaseServer,
  type BaseServerOptions,
  runResult,
  type ServerAddress,
} from './base-server.js';
import { formatAddress } from './errors.js';
import { boundAddress, listen } from './listen.js';
import { Socket } from './socket.js';

export type StreamHandler = (
  this: StreamServer,
  sock: Socket,
  address: [host: string, port: number],
) => unknown;

export interface StreamServerOptions extends BaseServerOptions {
  /** TLS server options (key, cert, ca, ...): serve TLS. */
  ssl?: tls.TlsOptions;
  /** Default timeout of each connection's socket, in seconds (default none). */
  timeout?: number | null;
  /** Bytes a connection buffers before reading pauses (default 64 KiB). */
  highWaterMark?: number;
  /** TCP_NODELAY on accepted connections (default true). */
  noDelay?: boolean;
}

export class StreamServer extends BaseServer<net.Socket> {
  /** The handler (can be replaced before start). */
  handle: StreamHandler;
  /** The Node server, once started. */
  server: net.Server | null = null;
  private readonly _listenAddr: ParsedAddress | null;
  private readonly _given: net.Server | null;
  private readonly _ssl: tls.TlsOptions | null;
  private readonly _sockTimeout: number | null;
  private readonly _hwm: number | undefined;
  private readonly _noDelay: boolean;
  private _addr: ServerAddress | null = null;
  private readonly _onConnection = (raw: net.Socket) => {
    this._enqueue(raw);
  };

  constructor(
    listener: Address | net.Server,
    handle: StreamHandler,
    options: StreamServerOptions = {},
  ) {
    if (typeof handle !== 'function') {
      throw new TypeError(
        `StreamServer(listener, handle): handle must be a function, got ${typeof handle}`,
      );
    }
    const isServer = listener instanceof net.Server;
    if (isServer && options.backlog !== undefined) {
      throw new TypeError(
        'StreamServer: backlog is only allowed with an address (a server object was bound already)',
      );
    }
    super(options);
    this.handle = handle;
    this._given = isServer ? (listener as net.Server) : null;
    this._listenAddr = isServer ? null : parseAddress(listener, 'StreamServer(listener)');
    this._ssl = options.ssl ?? null;
    this._sockTimeout = checkTimeout(options.timeout, 'StreamServer({ timeout })');
    this._hwm = options.highWaterMark;
    this._noDelay = options.noDelay ?? true;
  }

  get address(): ServerAddress | null {
    return this._addr;
  }

  /** @internal */
  protected *_open(): Generator<unknown, void, any> {
    let server: net.Server;
    const event =
      this._ssl !== null || this._given instanceof tls.Server ? 'secureConnection' : 'connection';
    if (this._given !== null) {
      server = this._given;
      (server as any).pauseOnConnect = true;
      if (!server.listening) {
        throw new TypeError(
          'StreamServer: the net.Server given as listener must be listening already',
        );
      }
    } else {
      const opts = { allowHalfOpen: true, pauseOnConnect: true, noDelay: this._noDelay };
      server =
        this._ssl !== null ? tls.createServer({ ...opts, ...this._ssl }) : net.createServer(opts);
      yield* listen(server, this._listenAddr!, this.backlog, 'StreamServer.start()');
    }
    server.on(event, this._onConnection);
    // Errors of connections before they reach a handler (e.g. TLS handshakes) are the
    // client's business: they close that connection only.
    server.on('tlsClientError', noop);
    this.server = server;
    this._addr = boundAddress(server);
  }

  /** @internal */
  protected _closeListener(): void {
    const s = this.server;
    if (s === null) return;
    this.server = null;
    s.removeListener('connection', this._onConnection);
    s.removeListener('secureConnection', this._onConnection);
    if (s.listening) s.close();
  }

  /** @internal */
  protected _drop(raw: net.Socket): void {
    raw.destroy();
  }

  /** @internal */
  protected _describeItem(raw: net.Socket): string {
    return `client ${formatAddress(raw.remoteAddress, raw.remotePort)}`;
  }

  /** @internal */
  protected readonly _body = streamConnection;

  /** @internal */
  _setup(raw: net.Socket): Socket {
    const sock = new Socket(raw);
    if (this._hwm !== undefined) sock.highWaterMark = this._hwm;
    sock.timeout = this._sockTimeout;
    return sock;
  }
}

/** A connection's greenlet: the handler, then the socket is closed. */
function* streamConnection(server: StreamServer, raw: net.Socket): Generator<unknown, void, any> {
  const sock = server._setup(raw);
  try {
    const r: any = server.handle.call(server, sock, [raw.remoteAddress ?? '', raw.remotePort ?? 0]);
    if (r !== null && typeof r === 'object' && typeof r.next === 'function') yield* r;
    else yield* runResult(r);
  } catch (e) {
    server._reportError(e, raw);
  } finally {
    sock.close();
  }
}

function noop(): void {}
