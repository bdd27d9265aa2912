/**
 * HttpRequest: one request as an HTTP handler sees it (pywsgi's environ, as an object).
 *
 * ```ts
 * function* handler(req: HttpRequest, res: HttpResponse) {
 *   if (req.method === 'POST') {
 *     const data = yield* req.json();          // waits for the body; other greenlets run
 *   }
 * }
 * ```
 *
 * ## Rules
 *
 * - `method`, `url` (path and query as sent), `path`, `query` (URLSearchParams),
 *   `headers` (lower-case names, Node's), `httpVersion`, `remoteAddress`, `remotePort`.
 * - The body is read with the Reader calls (`recv`, `read`, `readline`, `readExactly`,
 *   `lines`) or at once with `body()`, `text()`, `json()`. Nothing is read before the first
 *   of these: a handler that never reads lets Node discard the body.
 * - `Expect: 100-continue`: the `100 Continue` is sent at the first body read, so a handler
 *   that answers at once (401, 413...) never invites the upload.
 * - The body is limited to the server's `maxBodySize`: a read past it raises
 *   PayloadTooLarge (413), which becomes the response if nothing was sent yet.
 * - A client that disconnects in the middle of the body makes the next read raise
 *   SocketError ECONNRESET ("the client disconnected").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import { formatAddress, HttpError, PayloadTooLarge, SocketError } from './errors.js';
import { Reader } from './reader.js';

export class HttpRequest extends Reader {
  /** Node's IncomingMessage underneath. */
  readonly raw: IncomingMessage;
  /** GET, POST, ... */
  readonly method: string;
  /** The request target as sent: path and query. */
  readonly url: string;
  private _path: string | null = null;
  /** '1.1', '1.0'. */
  readonly httpVersion: string;
  /** The server's body limit, in bytes. */
  readonly maxBodySize: number;
  private _query: URLSearchParams | null = null;
  private _started = false;
  private _received = 0;
  private readonly _res: ServerResponse;
  /** @internal the client asked for 100-continue. */
  _expectContinue: boolean;

  constructor(
    raw: IncomingMessage,
    res: ServerResponse,
    maxBodySize: number,
    expectContinue: boolean,
  ) {
    super();
    this.raw = raw;
    this._res = res;
    this.method = raw.method ?? 'GET';
    this.url = raw.url ?? '/';
    this.httpVersion = raw.httpVersion;
    this.maxBodySize = maxBodySize;
    this._expectContinue = expectContinue;
  }

  /** The path part of `url` (percent-encoded as sent). */
  get path(): string {
    let p = this._path;
    if (p === null) {
      const q = this.url.indexOf('?');
      p = this._path = q < 0 ? this.url : this.url.slice(0, q);
    }
    return p;
  }

  /** The peer's address. */
  get remoteAddress(): string | undefined {
    return this.raw.socket?.remoteAddress;
  }

  /** The peer's port. */
  get remotePort(): number | undefined {
    return this.raw.socket?.remotePort;
  }

  /** The request headers (lower-case names). */
  get headers(): IncomingMessage['headers'] {
    return this.raw.headers;
  }

  /** One header's value (lower-case name); arrays for repeated headers Node keeps apart. */
  header(name: string): string | string[] | undefined {
    return this.raw.headers[name.toLowerCase()];
  }

  /** The query string, parsed. */
  get query(): URLSearchParams {
    if (this._query === null) {
      const q = this.url.indexOf('?');
      this._query = new URLSearchParams(q < 0 ? '' : this.url.slice(q + 1));
    }
    return this._query;
  }

  /** The whole body (at most maxBodySize bytes, else PayloadTooLarge). */
  body(): Op<Buffer> {
    return this.read();
  }

  /** The whole body decoded (UTF-8 by default). */
  text(encoding: BufferEncoding = 'utf8'): Op<string> {
    const op = this.read();
    return trackOp(bodyText(op, encoding), 'text');
  }

  /** The whole body parsed as JSON; bad JSON raises HttpError 400. */
  json<T = unknown>(): Op<T> {
    const op = this.read();
    return trackOp(bodyJson(op), 'json') as Op<T>;
  }

  /** @internal */
  _describe(): string {
    return `request ${this.method} ${this.url} from ${formatAddress(this.remoteAddress, this.remotePort)}`;
  }

  /** @internal */
  _peer(): { address?: string; port?: number } {
    return { address: this.remoteAddress, port: this.remotePort };
  }

  protected _pauseSource(): void {
    this.raw.pause();
  }

  protected _resumeSource(): void {
    this.raw.resume();
  }

  /** @internal starts receiving the body (at the first read). */
  _start(): void {
    if (this._started) return;
    this._started = true;
    const raw = this.raw;
    if (this._expectContinue && !this._res.headersSent) this._res.writeContinue();
    raw.on('data', (c: Buffer) => {
      if (this._closed) return;
      this._received += c.length;
      if (this._received > this.maxBodySize) {
        if (this._rerr === null) {
          this._in.clear();
          this._rerr = new PayloadTooLarge(this.maxBodySize);
          raw.pause();
          this._rslot.wakeSoon();
        }
        return;
      }
      this._onData(c);
    });
    raw.on('end', () => this._onEnd());
    raw.on('error', (e) => this._onAbort(e));
    raw.on('close', () => {
      if (!raw.complete) this._onAbort(null);
    });
  }

  private _onAbort(e: unknown): void {
    if (this._eof && this._rerr === null) return;
    if (this._rerr !== null) return;
    this._onReadError(
      new SocketError(`the client disconnected in the middle of the body (${this._describe()})`, {
        code: 'ECONNRESET',
        syscall: 'read',
        ...this._peer(),
        cause: e ?? undefined,
      }),
    );
  }

  override *_recv(max: number): Generator<unknown, Buffer, any> {
    this._start();
    return yield* super._recv(max);
  }

  override *_readExactly(n: number, what: string): Generator<unknown, Buffer, any> {
    this._start();
    return yield* super._readExactly(n, what);
  }

  override *_readline(limit: number): Generator<unknown, Buffer, any> {
    this._start();
    return yield* super._readline(limit);
  }

  override *_read(n: number): Generator<unknown, Buffer, any> {
    this._start();
    return yield* super._read(n);
  }

  /** @internal after the handler: discard what is left of the body (keep-alive). */
  _finish(): void {
    this._closed = true;
    this._in.clear();
    if (this._started) {
      this.raw.removeAllListeners('data');
      this.raw.resume();
    }
  }

  /** @internal true when the body was not read to its end. */
  get _unread(): boolean {
    return !this.raw.complete;
  }

  override toString(): string {
    return `<HttpRequest ${this.method} ${this.url}>`;
  }
}
// Shared generator functions, not a closure per call: V8 gives each fresh generator closure
// its own object map (about 2.5 µs at its first call), which keeps the closure and what it
// holds alive for as long as V8 caches the map.
function* bodyText(op: Op<Buffer>, encoding: BufferEncoding): Generator<unknown, string, any> {
  return (yield* op).toString(encoding);
}

function* bodyJson(op: Op<Buffer>): Generator<unknown, unknown, any> {
  const b = yield* op;
  try {
    return JSON.parse(b.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}
