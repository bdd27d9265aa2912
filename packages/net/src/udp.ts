/**
 * UdpSocket: a cooperative UDP socket on node:dgram (gevent.socket with SOCK_DGRAM).
 *
 * ```ts
 * const s = new UdpSocket();                       // 'udp4'; 'udp6' for IPv6
 * yield* s.bind(['127.0.0.1', 0]);
 * yield* s.sendto('ping', ['127.0.0.1', 9999]);
 * const [data, [host, port]] = yield* s.recvfrom();
 * s.close();
 * ```
 *
 * ## Rules
 *
 * - `bind(address)` waits until bound (port 0: the system picks; read `sockname`). A socket
 *   that sends without binding is bound to a random port by Node.
 * - `sendto(data, address)` waits until Node has handed the datagram to the system (its
 *   send callback) and returns the number of bytes; errors (EMSGSIZE, unresolvable host)
 *   raise SocketError. Host names are resolved without blocking the hub.
 * - `recvfrom(max)` returns the next datagram and its sender; a datagram longer than `max`
 *   is truncated (the rest is lost), as with the system call. Datagrams received while
 *   nobody reads are queued, at most `maxQueue` (default 1024) of them; later ones are
 *   dropped (counted in `dropped`), as a full kernel buffer drops them.
 * - `connect(address)` fixes the peer: then `send(data)` and `recv(max)`.
 * - `timeout` (seconds, or null) limits each wait: SocketTimeout.
 * - `close()` is a plain call; a greenlet blocked in recvfrom gets SocketError EBADF.
 */
import * as dgram from 'node:dgram';
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import { type Address, checkTimeout, parseAddress } from './address.js';
import { formatAddress, SocketError, SocketTimeout, toSocketError } from './errors.js';
import type { Data } from './socket.js';
import { Slot } from './wait.js';

export interface UdpSocketOptions {
  /** 'udp4' (default) or 'udp6'. */
  type?: 'udp4' | 'udp6';
  /** Datagrams held while nobody reads (default 1024). */
  maxQueue?: number;
  /** SO_REUSEADDR (several sockets on one port, e.g. multicast). */
  reuseAddr?: boolean;
}

/** A datagram's sender: [host, port]. */
export type Sender = [host: string, port: number];

export class UdpSocket {
  /** The Node dgram socket underneath. */
  readonly raw: dgram.Socket;
  /** Datagrams held while nobody reads. */
  readonly maxQueue: number;
  /** Datagrams dropped because the queue was full. */
  dropped = 0;
  private readonly _q: Array<[Buffer, Sender]> = [];
  private _qh = 0;
  private readonly _rslot = new Slot();
  private readonly _wslot = new Slot();
  private _err: unknown = null;
  private _closed = false;
  private _bound = false;
  private _connected: Sender | null = null;
  private _timeout: number | null = null;
  /** @internal for DatagramServer: a listener replacing the queue. */
  _onMessage: ((msg: Buffer, from: Sender) => void) | null = null;

  constructor(options: UdpSocketOptions = {}) {
    const type = options.type ?? 'udp4';
    if (type !== 'udp4' && type !== 'udp6') {
      throw new TypeError(
        `UdpSocket({ type }): type must be 'udp4' or 'udp6', got ${String(type)}`,
      );
    }
    const mq = options.maxQueue ?? 1024;
    if (!Number.isInteger(mq) || mq < 1) {
      throw new RangeError(`UdpSocket({ maxQueue }) must be an integer >= 1, got ${String(mq)}`);
    }
    this.maxQueue = mq;
    this.raw = dgram.createSocket({ type, reuseAddr: options.reuseAddr ?? false });
    this.raw.on('message', (msg, rinfo) => {
      if (this._closed) return;
      const from: Sender = [rinfo.address, rinfo.port];
      if (this._onMessage !== null) {
        this._onMessage(msg, from);
        return;
      }
      if (this._q.length - this._qh >= this.maxQueue) {
        this.dropped++;
        return;
      }
      this._q.push([msg, from]);
      this._rslot.wakeSoon();
    });
    this.raw.on('error', (e) => {
      const err = toSocketError(e, 'recvfrom', undefined, undefined);
      if (this._err === null) this._err = err;
      this._rslot.fail(err);
    });
    this.raw.on('listening', () => {
      this._bound = true;
    });
  }

  /** Seconds a blocking call may wait before SocketTimeout; null: no limit. */
  get timeout(): number | null {
    return this._timeout;
  }

  set timeout(t: number | null) {
    this._timeout = checkTimeout(t, 'timeout');
  }

  /** The bound address (after bind or the first send). */
  get sockname(): { address: string; port: number } | null {
    if (!this._bound) return null;
    const a = this.raw.address();
    return { address: a.address, port: a.port };
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Datagrams received and not read yet. */
  get queued(): number {
    return this._q.length - this._qh;
  }

  /** Binds to `address` and waits until bound. */
  bind(address: Address): Op<void> {
    const a = parseAddress(address, 'bind(address)');
    return trackOp(this._bindBody(a), 'bind');
  }

  /** Sends one datagram to `address`; returns its length. */
  sendto(data: Data, address: Address): Op<number> {
    checkData(data, 'sendto(data, address)');
    const a = parseAddress(address, 'sendto(data, address)');
    return trackOp(this._sendBody(data, a.host ?? '127.0.0.1', a.port), 'sendto');
  }

  /** The next datagram (at most `max` bytes) and its sender. */
  recvfrom(max = 65535): Op<[Buffer, Sender]> {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`recvfrom(max) must be an integer >= 1, got ${String(max)}`);
    }
    return trackOp(this._recvBody(max), 'recvfrom');
  }

  /** Fixes the peer for send()/recv() (datagrams from others are then filtered by Node). */
  connect(address: Address): Op<void> {
    const a = parseAddress(address, 'connect(address)');
    return trackOp(this._connectBody(a.host ?? '127.0.0.1', a.port), 'connect');
  }

  /** Sends to the connected peer. */
  send(data: Data): Op<number> {
    checkData(data, 'send(data)');
    const peer = this._connected;
    if (peer === null) {
      throw new SocketError(
        'send(): this UDP socket is not connected; use sendto(data, address) or connect() first',
        {
          code: 'EDESTADDRREQ',
        },
      );
    }
    return trackOp(this._sendBody(data, null, 0), 'send');
  }

  /** The next datagram's data (at most `max` bytes). */
  recv(max = 65535): Op<Buffer> {
    const op = this.recvfrom(max);
    return trackOp(firstOf(op), 'recv');
  }

  /** Closes the socket (never waits). A blocked reader gets SocketError EBADF. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const err = new SocketError('the UDP socket was closed by another greenlet', { code: 'EBADF' });
    this._rslot.fail(err);
    this._wslot.fail(err);
    this._q.length = 0;
    this._qh = 0;
    try {
      this.raw.close();
    } catch {
      // not bound yet or closed already
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    const a = this.sockname;
    return `<UdpSocket ${this._closed ? 'closed' : a === null ? 'unbound' : formatAddress(a.address, a.port)}>`;
  }

  private _check(what: string): void {
    if (this._closed) {
      throw new SocketError(`${what}: the UDP socket is closed`, { code: 'EBADF' });
    }
  }

  private *_bindBody(a: ReturnType<typeof parseAddress>): Generator<unknown, void, any> {
    this._check('bind()');
    let err: unknown = null;
    let done = false;
    const onListening = () => {
      done = true;
      this._wslot.wake();
    };
    const onError = (e: unknown) => {
      err = e;
      this._wslot.wake();
    };
    this.raw.once('listening', onListening);
    this.raw.once('error', onError);
    try {
      this.raw.bind({ address: a.host, port: a.port });
      while (!done && err === null) yield* this._wslot.wait('bind()', null, this);
    } catch (e) {
      throw toSocketError(e, 'bind', a.host, a.port);
    } finally {
      this.raw.removeListener('listening', onListening);
      this.raw.removeListener('error', onError);
    }
    if (err !== null) throw toSocketError(err, 'bind', a.host, a.port);
  }

  private *_connectBody(host: string, port: number): Generator<unknown, void, any> {
    this._check('connect()');
    let err: unknown = null;
    let done = false;
    try {
      this.raw.connect(port, host, () => {
        done = true;
        this._wslot.wake();
      });
    } catch (e) {
      throw toSocketError(e, 'connect', host, port);
    }
    const onError = (e: unknown) => {
      err = e;
      this._wslot.wake();
    };
    this.raw.once('error', onError);
    try {
      while (!done && err === null) yield* this._wslot.wait('connect()', this._timeout, this);
    } finally {
      this.raw.removeListener('error', onError);
    }
    if (err !== null) throw toSocketError(err, 'connect', host, port);
    this._connected = [host, port];
  }

  private *_sendBody(
    data: Data,
    host: string | null,
    port: number,
  ): Generator<unknown, number, any> {
    this._check(host === null ? 'send()' : 'sendto()');
    let err: unknown = null;
    let done = false;
    let n = 0;
    const cb = (e: Error | null, bytes: number) => {
      if (e) err = e;
      n = bytes;
      done = true;
      this._wslot.wakeSoon();
    };
    try {
      if (host === null) this.raw.send(data, cb);
      else this.raw.send(data, port, host, cb);
    } catch (e) {
      throw toSocketError(e, 'sendto', host ?? undefined, host === null ? undefined : port);
    }
    const what = host === null ? 'send()' : 'sendto()';
    while (!done) {
      const t = this._timeout;
      if (!(yield* this._wslot.wait(what, t, this))) {
        throw new SocketTimeout(`${what} timed out after ${t} s (${this})`, t!);
      }
    }
    if (err !== null) {
      throw toSocketError(
        err,
        'sendto',
        host ?? this._connected?.[0],
        host === null ? this._connected?.[1] : port,
      );
    }
    return n;
  }

  private *_recvBody(max: number): Generator<unknown, [Buffer, Sender], any> {
    for (;;) {
      this._check('recvfrom()');
      if (this._qh < this._q.length) {
        const item = this._q[this._qh]!;
        (this._q as any)[this._qh] = undefined;
        this._qh++;
        if (this._qh === this._q.length) {
          this._q.length = 0;
          this._qh = 0;
        } else if (this._qh > 64 && this._qh * 2 > this._q.length) {
          this._q.splice(0, this._qh);
          this._qh = 0;
        }
        const [msg, from] = item;
        return [msg.length > max ? msg.subarray(0, max) : msg, from];
      }
      if (this._err !== null) {
        const e = this._err;
        this._err = null;
        throw e;
      }
      const t = this._timeout;
      if (!(yield* this._rslot.wait('recvfrom()', t, this))) {
        throw new SocketTimeout(`recvfrom() timed out after ${t} s (${this})`, t!);
      }
    }
  }
}

function checkData(data: unknown, what: string): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new TypeError(
      `${what}: data must be a Buffer, a Uint8Array or a string, got ${typeof data}`,
    );
  }
}
// Shared generator functions, not a closure per call: V8 gives each fresh generator closure
// its own object map (about 2.5 µs at its first call), which keeps the closure and what it
// holds alive for as long as V8 caches the map.
function* firstOf<T>(op: Op<readonly [T, ...unknown[]]>): Generator<unknown, T, any> {
  return (yield* op)[0];
}
