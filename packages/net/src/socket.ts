/**
 * Socket: a cooperative TCP (or TLS, or Unix) stream socket, gevent.socket's socket on a
 * Node `net.Socket`.
 *
 * ```ts
 * const sock = yield* createConnection(['127.0.0.1', 8080], { timeout: 5 });
 * yield* sock.sendall('PING\r\n');
 * const line = yield* sock.readline();       // waits; other greenlets run meanwhile
 * sock.close();
 * ```
 *
 * ## Reading (see Reader for every read call)
 *
 * `recv(max)`, `readExactly(n)` (alias `recvExactly`), `readline()`, `read(n?)`, `lines()`.
 * The socket reads in Node's flowing mode into its own buffer and pauses the stream above
 * `highWaterMark` (64 KiB), so a slow reader slows the peer down through TCP.
 *
 * ## Writing
 *
 * - `sendall(data)` hands `data` to Node (`socket.write`) and returns when Node's write
 *   buffer is under its high-water mark: at once usually, else after 'drain' (back-pressure;
 *   a peer that does not read makes it wait, and `timeout` makes it raise SocketTimeout).
 *   Returning means handed off, not received: an error found later (EPIPE, ECONNRESET) is
 *   raised by the next call.
 * - `send(data)` waits until the socket is writable, writes all of `data` and returns its
 *   length (Node takes whole writes).
 * - Strings are written as UTF-8.
 *
 * ## Ending
 *
 * - `shutdown('write')` sends FIN after the buffered data (the peer's recv returns empty);
 *   reading goes on. `shutdown('read')` discards what comes next. Sockets are half-open
 *   like the system's: the peer's FIN ends our reads, not our writes.
 * - `close()` (a plain call) ends the socket: buffered data is still sent, then it is
 *   destroyed (at the latest `lingerTimeout` seconds later, default 30). A greenlet blocked
 *   in this socket gets SocketError EBADF; later calls raise EBADF; a second close() does
 *   nothing. `abort()` destroys it at once (unsent data is dropped).
 * - Killing a greenlet blocked in recv/sendall only ends its wait: the socket, its data and
 *   its listeners stay as they were (waits add no listener).
 *
 * ## Errors
 *
 * SocketError with Node's `code` and the address: `connect ECONNREFUSED 127.0.0.1:9`,
 * `read ECONNRESET (peer 127.0.0.1:50312)`. SocketTimeout when `timeout` expires.
 */
import type { Socket as NetSocket } from 'node:net';
import { natives } from '@g/ev';
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import type { OpIterator } from '@g/hub';
import { formatAddress, SocketError, SocketTimeout, toSocketError } from './errors.js';
import { Reader } from './reader.js';
import { Slot } from './wait.js';

export type Data = Buffer | Uint8Array | string;

export type ShutdownHow = 'read' | 'write' | 'both' | 0 | 1 | 2;

/** Default seconds a closed socket may take to flush before it is destroyed. */
export const DEFAULT_LINGER = 30;

export class Socket extends Reader {
  /** The Node socket underneath (for options Node has and this class does not). */
  readonly raw: NetSocket;
  /** @internal */
  readonly _wslot = new Slot();
  /** @internal an error to raise at the next write. */
  _werr: unknown = null;
  /** Seconds a closed socket may take to flush its writes before it is destroyed. */
  lingerTimeout = DEFAULT_LINGER;
  private _peerHost: string | undefined;
  private _peerPort: number | undefined;
  private readonly _onDrainL: () => void;

  /**
   * Wraps a Node socket (connected or connecting). From now on this object reads it: do not
   * add your own 'data' listeners.
   */
  constructor(raw: NetSocket) {
    super();
    if (raw === null || typeof raw !== 'object' || typeof (raw as any).write !== 'function') {
      throw new TypeError('new Socket(raw): raw must be a net.Socket (or tls.TLSSocket)');
    }
    this.raw = raw;
    this._peerHost = raw.remoteAddress;
    this._peerPort = raw.remotePort;
    this._onDrainL = () => this._wslot.wakeSoon();
    raw.on('data', (c: Buffer) => {
      if (!this._closed) this._onData(c);
    });
    raw.on('end', () => this._onEnd());
    raw.on('error', (e: unknown) => this._onError(e));
    raw.on('close', () => this._onClose());
    raw.on('drain', this._onDrainL);
    // A server's connections come paused (pauseOnConnect): reading starts now.
    if (raw.readableFlowing !== true) raw.resume();
  }

  /** The peer's address, `{ address, port, family }` (kept after close). */
  get peername(): { address: string | undefined; port: number | undefined } {
    this._learnPeer();
    return { address: this._peerHost, port: this._peerPort };
  }

  /** Our end's address. */
  get sockname(): { address: string | undefined; port: number | undefined } {
    return { address: this.raw.localAddress, port: this.raw.localPort };
  }

  /** True after close() (or abort()). */
  get closed(): boolean {
    return this._closed;
  }

  /** @internal */
  _learnPeer(): void {
    if (this._peerHost === undefined) {
      this._peerHost = this.raw.remoteAddress;
      this._peerPort = this.raw.remotePort;
    }
  }

  /** @internal */
  _describe(): string {
    this._learnPeer();
    return `socket to ${formatAddress(this._peerHost, this._peerPort)}`;
  }

  /** @internal */
  _peer(): { address?: string; port?: number } {
    this._learnPeer();
    return { address: this._peerHost, port: this._peerPort };
  }

  protected _pauseSource(): void {
    this.raw.pause();
  }

  protected _resumeSource(): void {
    this.raw.resume();
  }

  /** @internal */
  _onError(e: unknown): void {
    this._learnPeer();
    const err = toSocketError(e, 'read', this._peerHost, this._peerPort);
    if (this._werr === null) this._werr = err;
    this._onReadError(err);
    this._wslot.fail(err);
  }

  /** @internal the Node socket is gone (destroyed, by us or after an error). */
  _onClose(): void {
    this._eof = true;
    this._rslot.wakeSoon();
    if (this._wslot.busy) {
      this._wslot.fail(
        this._werr ??
          new SocketError(`the connection was closed (${this._describe()})`, {
            code: 'EPIPE',
            syscall: 'write',
            ...this._peer(),
          }),
      );
    }
  }

  /** Exactly `n` bytes; IncompleteRead if the stream ends first (gevent's recv_exactly). */
  recvExactly(n: number): Op<Buffer> {
    return this.readExactly(n);
  }

  /**
   * Sends all of `data`; returns when Node's buffer is under its high-water mark (see the
   * class comment).
   */
  sendall(data: Data): Op<void> {
    checkData(data, 'sendall(data)');
    return trackOp(this._sendall(data), 'sendall');
  }

  /** Writes `data` once the socket is writable; returns the number of bytes (all of them). */
  send(data: Data): Op<number> {
    checkData(data, 'send(data)');
    return trackOp(this._send(data), 'send');
  }

  /** @internal */
  *_sendall(data: Data): Generator<unknown, void, any> {
    this._checkWritable('sendall()');
    if (data.length === 0) return;
    const raw = this.raw;
    if (raw.write(data as Buffer)) return;
    yield* this._waitDrain('sendall()');
  }

  /** @internal */
  *_send(data: Data): Generator<unknown, number, any> {
    this._checkWritable('send()');
    if (this.raw.writableNeedDrain) yield* this._waitDrain('send()');
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (n !== 0) this.raw.write(data as Buffer);
    return n;
  }

  /** @internal waits until Node's write buffer drained under its high-water mark. */
  *_waitDrain(what: string): Generator<unknown, void, any> {
    while (this.raw.writableNeedDrain) {
      const t = this.timeout;
      if (!(yield* this._wslot.wait(what, t, this))) {
        throw new SocketTimeout(
          `${what} timed out after ${t} s (${this._describe()})`,
          t!,
          this._peer(),
        );
      }
      this._checkWritable(what);
    }
  }

  /** @internal */
  _checkWritable(what: string): void {
    this._checkOpen(what);
    const e = this._werr;
    if (e !== null) throw e;
    const raw = this.raw;
    if (raw.destroyed || raw.writableEnded) {
      throw new SocketError(
        `${what}: ${this._describe()} ${raw.writableEnded ? 'was shut down for writing' : 'is closed'}`,
        { code: 'EPIPE', syscall: 'write', ...this._peer() },
      );
    }
  }

  /**
   * Ends one or both directions: 'write' (1) sends FIN after the buffered data, 'read' (0)
   * discards further input (reads return empty), 'both' (2).
   */
  shutdown(how: ShutdownHow = 'both'): void {
    const h = how === 0 ? 'read' : how === 1 ? 'write' : how === 2 ? 'both' : how;
    if (h !== 'read' && h !== 'write' && h !== 'both') {
      throw new TypeError(
        `shutdown(how): how must be 'read', 'write' or 'both', got ${String(how)}`,
      );
    }
    this._checkOpen('shutdown()');
    if (h !== 'write') {
      this._eof = true;
      this._in.clear();
      this._rslot.wake();
      // Keep draining the kernel so the peer is never blocked by what we will not read.
      this.raw.removeAllListeners('data');
      this.raw.on('data', noop);
      this.raw.resume();
    }
    if (h !== 'read' && !this.raw.writableEnded) this.raw.end();
  }

  /** Closes the socket (see the class comment). Never waits; a second call does nothing. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._in.clear();
    const err = () =>
      new SocketError(`${this._describe()} was closed by another greenlet`, {
        code: 'EBADF',
        ...this._peer(),
      });
    if (this._rslot.busy) this._rslot.fail(err());
    if (this._wslot.busy) this._wslot.fail(err());
    const raw = this.raw;
    if (raw.destroyed) return;
    if (raw.connecting || raw.writableLength === 0) {
      raw.destroy();
      return;
    }
    if (!raw.writableEnded) raw.end();
    if (raw.writableFinished) {
      raw.destroy();
      return;
    }
    raw.once('finish', () => raw.destroy());
    const t = natives.setTimeout(() => raw.destroy(), this.lingerTimeout * 1000);
    t.unref();
    raw.once('close', () => natives.clearTimeout(t));
  }

  /** Destroys the socket at once: unsent data is dropped. */
  abort(): void {
    if (!this._closed) this.close();
    this.raw.destroy();
  }

  /** `using` support: close(). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Disables (default) or enables Nagle's algorithm (TCP_NODELAY). */
  setNoDelay(noDelay = true): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }

  /** TCP keep-alive probes after `initialDelay` seconds of idleness. */
  setKeepAlive(enable = true, initialDelay = 0): this {
    this.raw.setKeepAlive(enable, initialDelay * 1000);
    return this;
  }

  /**
   * A file-like view of this socket (gevent's makefile): `readline`, `read`, `lines`,
   * `write` (sendall), `flush`. It shares the socket's buffer, so reads through either
   * stay in order. With `encoding`, reads return strings. Closing it does not close the
   * socket.
   */
  makefile(): SocketFile<Buffer>;
  makefile(options: { encoding: BufferEncoding }): SocketFile<string>;
  makefile(options?: { encoding?: BufferEncoding }): SocketFile<Buffer | string> {
    return new SocketFile(this, options?.encoding ?? null);
  }

  override toString(): string {
    return `<Socket ${this._closed ? 'closed ' : ''}${formatAddress(this.raw.localAddress ?? undefined, this.raw.localPort ?? undefined)} -> ${formatAddress(this._peerHost, this._peerPort)}>`;
  }
}

/** See Socket#makefile. */
export class SocketFile<T extends Buffer | string> {
  private _closed = false;

  constructor(
    /** The socket this file reads and writes. */
    readonly socket: Socket,
    private readonly encoding: BufferEncoding | null,
  ) {}

  get closed(): boolean {
    return this._closed;
  }

  /** One line with its newline; empty at the end of the stream. */
  readline(limit = 65536): Op<T> {
    this.check('readline');
    return this.map(this.socket.readline(limit), 'readline');
  }

  /** `n` bytes, or everything to the end of the stream. */
  read(n?: number): Op<T> {
    this.check('read');
    return this.map(this.socket.read(n), 'read');
  }

  /** The lines to the end of the stream. */
  lines(limit = 65536): OpIterator<T> {
    this.check('lines');
    const it = this.socket.lines(limit);
    if (this.encoding === null) return it as unknown as OpIterator<T>;
    const enc = this.encoding;
    return {
      next: () =>
        trackOp(decodedLine(it.next(), enc), 'lines.next') as Op<IteratorResult<T, undefined>>,
      close: () => it.close(),
      [Symbol.asyncIterator]: () => {
        const ai = it[Symbol.asyncIterator]();
        return {
          next: async () => {
            const r = await ai.next();
            return r.done ? r : { done: false, value: r.value.toString(enc) as T };
          },
          return: async (v?: unknown) => {
            await ai.return?.();
            return { done: true, value: v as T };
          },
        };
      },
    };
  }

  /** sendall. */
  write(data: Data): Op<void> {
    this.check('write');
    return this.socket.sendall(data);
  }

  /** Nothing to flush (writes go straight to the socket); an Op for symmetry with write. */
  flush(): Op<void> {
    return trackOp(empty(), 'flush');
  }

  /** Closes this file (not the socket). */
  close(): void {
    this._closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private check(what: string): void {
    if (this._closed) {
      throw new SocketError(`${what}(): the file of ${this.socket._describe()} is closed`, {
        code: 'EBADF',
      });
    }
  }

  private map(op: Op<Buffer>, name: string): Op<T> {
    if (this.encoding === null) return op as unknown as Op<T>;
    const enc = this.encoding;
    return trackOp(decoded(op, enc), name) as Op<T>;
  }
}

// Shared generator functions, not a closure per call: V8 gives each fresh generator closure
// its own object map (about 2.5 µs at its first call), which keeps the closure and what it
// holds alive for as long as V8 caches the map.
function* decoded(op: Op<Buffer>, enc: BufferEncoding): Generator<unknown, string, any> {
  return (yield* op).toString(enc);
}

function* decodedLine(
  op: Op<IteratorResult<Buffer, undefined>>,
  enc: BufferEncoding,
): Generator<unknown, IteratorResult<string, undefined>, any> {
  const r = yield* op;
  return r.done ? r : { done: false, value: r.value.toString(enc) };
}

function* empty(): Generator<unknown, void, any> {}

function noop(): void {}

function checkData(data: unknown, what: string): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new TypeError(
      `${what}: data must be a Buffer, a Uint8Array or a string, got ${typeof data}`,
    );
  }
}
