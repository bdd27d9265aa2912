/**
 * WebSocket: a cooperative WebSocket on the `ws` library (server side through HttpServer's
 * `websocket` handler, client side through `connectWebSocket`).
 *
 * ```ts
 * const server = new HttpServer(['127.0.0.1', 8080], app, {
 *   websocket: function* (ws, req) {
 *     for (let m; (m = yield* ws.recv()) !== null; ) yield* ws.send(m);   // echo
 *   },
 * });
 * const ws = yield* connectWebSocket('ws://127.0.0.1:8080/chat');
 * ```
 *
 * ## Rules
 *
 * - `recv()` returns the next message: a string for a text message, a Buffer for a binary
 *   one; `null` once the connection is closed (by either side). It waits while nothing
 *   came; `timeout` (seconds) raises SocketTimeout. `messages()` is the same as an
 *   OpIterator (AsyncIterable outside greenlets).
 * - Messages received while nobody reads are queued; above `highWaterMark` bytes the
 *   socket is paused (the peer is slowed down by TCP).
 * - `send(data)` queues the message with `ws` and returns at once while `ws`'s buffer is
 *   under `highWaterMark`; above it, it waits until that message is written (back-pressure).
 *   Sending on a closed connection raises SocketError EPIPE.
 * - `close(code?, reason?)` starts the closing handshake (a plain call); `closeCode` and
 *   `closeReason` tell how the connection ended. A server handler's connection is closed
 *   when the handler returns.
 * - Errors of the connection (a reset, a protocol error) are raised by the next recv/send.
 */
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import { asyncIteratorOf, type OpIterator, run, until } from '@g/hub';
import type WS from 'ws';
import { SocketError, SocketTimeout, toSocketError } from './errors.js';
import { DEFAULT_HWM } from './reader.js';
import { Slot } from './wait.js';

export type Message = string | Buffer;

// WebSocket ready states (the `ws` constants).
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type WsModule = typeof import('ws');
let wsModule: WsModule | null = null;

/**
 * @internal the `ws` module, loaded at the first WebSocket use (so that importing @g/net for
 * sockets alone does not pay for loading it). Waits in the greenlet while it loads.
 */
export function* loadWs(): Generator<unknown, WsModule, any> {
  if (wsModule === null) {
    const m: any = yield* until(import('ws'));
    // ESM: the named exports; CJS interop: the WebSocket class carries them.
    const mod = m.WebSocketServer !== undefined ? m : m.default;
    wsModule = mod as WsModule;
  }
  return wsModule;
}

export class WebSocket {
  /** The `ws` WebSocket underneath. */
  readonly raw: WS;
  /** Bytes of queued messages above which reading pauses; also the send buffer limit. */
  highWaterMark = DEFAULT_HWM;
  /** Seconds recv/send may wait (null: no limit). */
  timeout: number | null = null;
  /** The close code once closed (1000 normal, 1006 abnormal...), else null. */
  closeCode: number | null = null;
  /** The close reason once closed. */
  closeReason = '';
  private readonly _q: Message[] = [];
  private _qh = 0;
  private _qbytes = 0;
  private _paused = false;
  private _closed = false;
  private _err: unknown = null;
  private readonly _rslot = new Slot();
  private readonly _wslot = new Slot();

  constructor(raw: WS) {
    this.raw = raw;
    raw.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data as ArrayBuffer);
      const m: Message = isBinary ? buf : buf.toString('utf8');
      this._q.push(m);
      this._qbytes += buf.length;
      if (this._qbytes >= this.highWaterMark && !this._paused) {
        this._paused = true;
        raw.pause();
      }
      this._rslot.wakeSoon();
    });
    raw.on('close', (code: number, reason: Buffer) => {
      this._closed = true;
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
      this._rslot.wakeSoon();
      this._wslot.wakeSoon();
    });
    raw.on('error', (e: unknown) => {
      if (this._err === null) this._err = toSocketError(e, 'read', undefined, undefined);
      this._rslot.wakeSoon();
      this._wslot.wakeSoon();
    });
  }

  /** True once the connection is closed. */
  get closed(): boolean {
    return this._closed;
  }

  /** Messages received and not read yet. */
  get queued(): number {
    return this._q.length - this._qh;
  }

  /** The next message, or null once the connection is closed. */
  recv(): Op<Message | null> {
    return trackOp(this._recv(), 'websocket.recv');
  }

  /** Sends a text (string) or binary (Buffer) message; see the class comment. */
  send(data: Message | Uint8Array): Op<void> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new TypeError(
        `websocket.send(data): data must be a string or a Buffer, got ${typeof data}`,
      );
    }
    return trackOp(this._send(data), 'websocket.send');
  }

  /** The messages until the connection closes. */
  messages(): OpIterator<Message> {
    return new MessageIterator(this);
  }

  /** Starts the closing handshake (never waits). */
  close(code?: number, reason?: string): void {
    if (this.raw.readyState === CLOSED || this.raw.readyState === CLOSING) return;
    this.raw.close(code, reason);
  }

  /** Closes at once without the handshake. */
  terminate(): void {
    this.raw.terminate();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return `<WebSocket ${this.raw.url ?? ''}${this._closed ? ' closed' : ''}>`;
  }

  /** @internal */
  *_recv(): Generator<unknown, Message | null, any> {
    for (;;) {
      if (this._qh < this._q.length) {
        const m = this._q[this._qh]!;
        (this._q as any)[this._qh] = undefined;
        this._qh++;
        if (this._qh === this._q.length) {
          this._q.length = 0;
          this._qh = 0;
        } else if (this._qh > 64 && this._qh * 2 > this._q.length) {
          this._q.splice(0, this._qh);
          this._qh = 0;
        }
        this._qbytes -= typeof m === 'string' ? Buffer.byteLength(m) : m.length;
        if (this._paused && this._qbytes < this.highWaterMark) {
          this._paused = false;
          this.raw.resume();
        }
        return m;
      }
      if (this._err !== null && !this._closed) throw this._err;
      if (this._closed) return null;
      const t = this.timeout;
      if (!(yield* this._rslot.wait('websocket.recv()', t, this))) {
        throw new SocketTimeout(`websocket.recv() timed out after ${t} s`, t!);
      }
    }
  }

  private *_send(data: Message | Uint8Array): Generator<unknown, void, any> {
    if (this._err !== null) throw this._err;
    if (this._closed || this.raw.readyState !== OPEN) {
      throw new SocketError('websocket.send(): the connection is closed', {
        code: 'EPIPE',
        syscall: 'write',
      });
    }
    const buffered = this.raw.bufferedAmount;
    if (buffered < this.highWaterMark) {
      this.raw.send(data, this._onSent);
      return;
    }
    // Back-pressure: wait until this message has been written.
    let done = false;
    let err: unknown = null;
    this.raw.send(data, (e?: Error) => {
      done = true;
      if (e) err = e;
      this._wslot.wakeSoon();
    });
    while (!done && !this._closed) {
      const t = this.timeout;
      if (!(yield* this._wslot.wait('websocket.send()', t, this))) {
        throw new SocketTimeout(
          `websocket.send() timed out after ${t} s: the peer does not read`,
          t!,
        );
      }
    }
    if (err !== null) throw toSocketError(err, 'write', undefined, undefined);
  }

  private readonly _onSent = (e?: Error): void => {
    if (e && this._err === null && !this._closed)
      this._err = toSocketError(e, 'write', undefined, undefined);
  };
}

class MessageIterator implements OpIterator<Message> {
  private done = false;
  constructor(private readonly ws: WebSocket) {}

  next(): Op<IteratorResult<Message, undefined>> {
    return trackOp(this.step(), 'messages.next');
  }

  private *step(): Generator<unknown, IteratorResult<Message, undefined>, any> {
    if (this.done) return { done: true, value: undefined };
    const m = yield* this.ws._recv();
    if (m === null) {
      this.done = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: m };
  }

  close(): void {
    this.done = true;
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return asyncIteratorOf(this, run as <R>(op: Op<R>) => Promise<R>);
  }
}

export interface ConnectWebSocketOptions extends WS.ClientOptions {
  /** Seconds for the opening handshake, then the WebSocket's timeout (default none). */
  timeout?: number | null;
  /** Subprotocols to offer. */
  protocols?: string | string[];
}

/** Opens a WebSocket client connection to `url` (ws:// or wss://). */
export function connectWebSocket(
  url: string,
  options: ConnectWebSocketOptions = {},
): Op<WebSocket> {
  if (typeof url !== 'string') throw new TypeError('connectWebSocket(url): url must be a string');
  const { timeout = null, protocols, ...wsOptions } = options;
  if (timeout !== null && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
    throw new RangeError(
      `connectWebSocket({ timeout }) must be seconds >= 0, got ${String(timeout)}`,
    );
  }
  return trackOp(connectBody(url, protocols, wsOptions, timeout), 'connectWebSocket');
}

function* connectBody(
  url: string,
  protocols: string | string[] | undefined,
  options: WS.ClientOptions,
  timeout: number | null,
): Generator<unknown, WebSocket, any> {
  const mod = yield* loadWs();
  const WSClass: typeof WS = (mod as any).WebSocket ?? (mod as any).default;
  const raw = new WSClass(url, protocols, options);
  const ws = new WebSocket(raw);
  const slot = new Slot();
  let opened = false;
  let failure: unknown = null;
  const onOpen = () => {
    opened = true;
    slot.wake();
  };
  const onError = (e: unknown) => {
    failure = e;
    slot.wake();
  };
  const onResponse = (_req: unknown, res: { statusCode?: number }) => {
    failure = new SocketError(
      `connectWebSocket(${url}): the server answered HTTP ${res.statusCode} instead of upgrading`,
      {
        code: 'EPROTO',
      },
    );
    slot.wake();
  };
  raw.once('open', onOpen);
  raw.on('error', onError);
  raw.once('unexpected-response', onResponse);
  let ok = false;
  try {
    while (!opened && failure === null) {
      if (!(yield* slot.wait('connectWebSocket()', timeout, url))) {
        throw new SocketTimeout(`connectWebSocket(${url}) timed out after ${timeout} s`, timeout!);
      }
    }
    if (failure !== null) {
      const u = new URL(url);
      throw toSocketError(failure, 'connect', u.hostname, Number(u.port) || undefined);
    }
    ok = true;
  } finally {
    raw.removeListener('open', onOpen);
    raw.removeListener('error', onError);
    raw.removeListener('unexpected-response', onResponse);
    if (!ok) raw.terminate();
  }
  ws.timeout = timeout;
  return ws;
}
