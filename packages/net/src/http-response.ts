/**
 * HttpResponse: the response an HTTP handler writes, sequentially (pywsgi's
 * start_response and body iterable, as calls).
 *
 * ```ts
 * res.writeHead(200, { 'content-type': 'text/plain' });
 * for (const part of parts) yield* res.write(part);   // waits while the client is slow
 * yield* res.end();
 * ```
 *
 * ## Rules
 *
 * - `status` (default 200) and headers (`setHeader`) can change until `writeHead` or the
 *   first write fixes them; `headersSent` says whether that happened.
 * - `write(chunk)` hands the chunk to Node and waits for 'drain' when Node's buffer is
 *   above its high-water mark: a slow client slows the handler down instead of filling
 *   memory. Without a Content-Length, HTTP/1.1 responses are chunked (Node does it).
 * - `end(chunk?)` finishes the response; `send(body, status?, headers?)` and
 *   `json(value, status?)` set the status and headers and end in one call. HEAD
 *   responses carry no body whatever is written (Node drops it).
 * - A handler that returns without ending the response has it ended for it (a string or
 *   Buffer it returns becomes the body).
 * - Writing after the client went away raises SocketError EPIPE ("the client closed the
 *   connection"): the handler stops there instead of working for nobody.
 */
import type { ServerResponse } from 'node:http';
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import { SocketError, SocketTimeout } from './errors.js';
import type { Data } from './socket.js';
import { Slot } from './wait.js';

export type Headers = Record<string, string | number | readonly string[]>;

export class HttpResponse {
  /** Node's ServerResponse underneath. */
  readonly raw: ServerResponse;
  /** Seconds a write may wait for the client before SocketTimeout (null: no limit). */
  timeout: number | null = null;
  private _slotObj: Slot | null = null;
  /** @internal the server is closing: the connection ends after this response. */
  _closing = false;

  private _listening = false;

  constructor(raw: ServerResponse) {
    this.raw = raw;
  }

  /** The status code (default 200); settable until the headers are sent. */
  get status(): number {
    return this.raw.statusCode;
  }

  set status(code: number) {
    checkStatus(code);
    this.raw.statusCode = code;
  }

  /** @internal made at the first wait (most responses never wait). */
  get _slot(): Slot {
    let s = this._slotObj;
    if (s === null) s = this._slotObj = new Slot();
    return s;
  }

  /** True once the status line and headers were sent. */
  get headersSent(): boolean {
    return this.raw.headersSent;
  }

  /** True once end() was called. */
  get finished(): boolean {
    return this.raw.writableEnded;
  }

  /** True when the client is gone (or the response is complete and the connection closed). */
  get closed(): boolean {
    return this.raw.destroyed || this.raw.socket === null || this.raw.socket.destroyed;
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.raw.setHeader(name, value);
    return this;
  }

  getHeader(name: string): string | number | string[] | undefined {
    return this.raw.getHeader(name);
  }

  hasHeader(name: string): boolean {
    return this.raw.hasHeader(name);
  }

  removeHeader(name: string): this {
    this.raw.removeHeader(name);
    return this;
  }

  /**
   * Fixes the status and the headers (pywsgi's start_response; Node's writeHead): they are
   * sent with the first write. Headers set before with setHeader are kept (those given here
   * win). After writeHead neither the status nor the headers can change.
   */
  writeHead(status: number, headers?: Headers): this {
    checkStatus(status);
    const raw = this.raw;
    if (raw.headersSent) {
      throw new Error(
        'writeHead(): the status and headers were already fixed (writeHead or a first write)',
      );
    }
    if (this._closing) raw.setHeader('connection', 'close');
    if (headers === undefined) raw.writeHead(status);
    else raw.writeHead(status, headers as any);
    return this;
  }

  /** Writes a chunk of the body; waits while the client is slow (see the class comment). */
  write(chunk: Data): Op<void> {
    checkChunk(chunk, 'write(chunk)');
    return trackOp(this._write(chunk), 'response.write');
  }

  /** Ends the response, with a last chunk if given. */
  end(chunk?: Data): Op<void> {
    if (chunk !== undefined) checkChunk(chunk, 'end(chunk)');
    return trackOp(this._end(chunk), 'response.end');
  }

  /** Sets the status (default 200) and headers, sends `body` and ends. */
  send(body: Data, status = 200, headers?: Headers): Op<void> {
    checkChunk(body, 'send(body)');
    checkStatus(status);
    const raw = this.raw;
    if (raw.headersSent) {
      throw new Error(
        'send(): the status and headers were already fixed (writeHead or a first write)',
      );
    }
    if (headers !== undefined) for (const k in headers) raw.setHeader(k, headers[k]!);
    if (!raw.hasHeader('content-type')) {
      raw.setHeader(
        'content-type',
        typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      );
    }
    raw.setHeader(
      'content-length',
      typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    );
    raw.statusCode = status;
    return this.end(body);
  }

  /** Sends `value` as JSON with the status (default 200) and ends. */
  json(value: unknown, status = 200): Op<void> {
    return this.send(JSON.stringify(value), status, {
      'content-type': 'application/json; charset=utf-8',
    });
  }

  /** @internal before the headers go: the connection closes when the server does. */
  _prepare(): void {
    if (this._closing && !this.raw.headersSent) this.raw.setHeader('connection', 'close');
  }

  /** @internal */
  _checkOpen(what: string): void {
    if (this.raw.writableEnded) {
      throw new Error(`${what}: the response was ended already (end() was called)`);
    }
    if (this.closed) {
      throw new SocketError(`${what}: the client closed the connection`, {
        code: 'EPIPE',
        syscall: 'write',
        address: this.raw.req?.socket?.remoteAddress,
        port: this.raw.req?.socket?.remotePort,
      });
    }
  }

  private *_write(chunk: Data): Generator<unknown, void, any> {
    this._checkOpen('write()');
    this._prepare();
    if (chunk.length === 0) return;
    if (this.raw.write(chunk)) return;
    yield* this._drain('write()');
  }

  private *_end(chunk?: Data): Generator<unknown, void, any> {
    this._checkOpen('end()');
    this._prepare();
    this.raw.end(chunk);
    if (this.raw.writableNeedDrain) yield* this._drain('end()');
  }

  private *_drain(what: string): Generator<unknown, void, any> {
    if (!this._listening) {
      // Listeners only for responses that ever wait (most never do).
      this._listening = true;
      const wake = () => this._slot.wakeSoon();
      // (the slot exists from here on)
      this.raw.on('drain', wake);
      this.raw.on('close', wake);
      this.raw.on('finish', wake);
    }
    while (this.raw.writableNeedDrain && !this.closed && !this.raw.writableFinished) {
      const t = this.timeout;
      if (!(yield* this._slot.wait(`response.${what}`, t, this))) {
        throw new SocketTimeout(
          `response.${what} timed out after ${t} s: the client does not read`,
          t!,
        );
      }
    }
    if (this.closed && !this.raw.writableFinished) this._checkOpen(what);
  }

  toString(): string {
    return `<HttpResponse ${this.raw.statusCode}>`;
  }
}

function checkStatus(code: unknown): void {
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 999) {
    throw new RangeError(`status must be an integer from 100 to 999, got ${String(code)}`);
  }
}

function checkChunk(data: unknown, what: string): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new TypeError(`${what}: expected a string, a Buffer or a Uint8Array, got ${typeof data}`);
  }
}
