/**
 * The errors of @g/net. Every class is recognised by a `Symbol.for` brand as well as by
 * `instanceof`, so the ESM and CJS builds loaded in one process recognise each other's.
 *
 * - `SocketError`: any failure of a socket, with Node's `code` (`ECONNREFUSED`,
 *   `ECONNRESET`, `EPIPE`, ...), `syscall`, and the address it concerns in the message:
 *   `connect ECONNREFUSED 127.0.0.1:9`, `read ECONNRESET (peer 127.0.0.1:50312)`. Use after
 *   `close()` is a SocketError with code `EBADF`.
 * - `SocketTimeout` (gevent's `socket.timeout`): a wait of a socket with a `timeout` took
 *   longer; it is a SocketError with code `ETIMEDOUT`. The socket stays usable.
 * - `IncompleteRead`: `recvExactly(n)` or `readExactly(n)` met the end of the stream before
 *   `n` bytes; `partial` holds what did arrive.
 * - `HttpError`: raised in an HTTP handler, it becomes the response (status and message)
 *   if nothing was sent yet. `PayloadTooLarge` (413) is raised by body reads past the limit.
 */

function brand(cls: { prototype: object }, name: string): symbol {
  const sym = Symbol.for(`@g/net/${name}`);
  Object.defineProperty(cls.prototype, sym, { value: true });
  return sym;
}

function branded(sym: symbol, x: unknown): boolean {
  return x !== null && typeof x === 'object' && (x as any)[sym] === true;
}

export interface SocketErrorDetails {
  code?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  cause?: unknown;
}

export class SocketError extends Error {
  /** Node's error code: ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, EBADF, ... */
  readonly code: string;
  /** The system errno (negative, as Node reports it), when there is one. */
  readonly errno: number | undefined;
  /** The call that failed: connect, read, write, bind, ... */
  readonly syscall: string | undefined;
  /** The remote (or bound) address concerned, when known. */
  readonly address: string | undefined;
  readonly port: number | undefined;

  constructor(message: string, details: SocketErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SocketError';
    this.code = details.code ?? 'EIO';
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.address = details.address;
    this.port = details.port;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === SocketError) return branded(SOCKET_ERROR, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const SOCKET_ERROR = brand(SocketError, 'SocketError');

export class SocketTimeout extends SocketError {
  /** The timeout that expired, in seconds. */
  readonly seconds: number;

  constructor(message: string, seconds: number, details: SocketErrorDetails = {}) {
    super(message, { code: 'ETIMEDOUT', ...details });
    this.name = 'SocketTimeout';
    this.seconds = seconds;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === SocketTimeout) return branded(SOCKET_TIMEOUT, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const SOCKET_TIMEOUT = brand(SocketTimeout, 'SocketTimeout');

export class IncompleteRead extends SocketError {
  /** The bytes that arrived before the end of the stream. */
  readonly partial: Buffer;
  /** The number of bytes asked for. */
  readonly expected: number;

  constructor(
    message: string,
    partial: Buffer,
    expected: number,
    details: SocketErrorDetails = {},
  ) {
    super(message, { code: 'EOF', ...details });
    this.name = 'IncompleteRead';
    this.partial = partial;
    this.expected = expected;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === IncompleteRead) return branded(INCOMPLETE, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const INCOMPLETE = brand(IncompleteRead, 'IncompleteRead');

export class HttpError extends Error {
  /** The HTTP status this error becomes (4xx or 5xx). */
  readonly status: number;
  /** Extra response headers (e.g. Allow for 405). */
  readonly headers: Record<string, string>;

  constructor(status: number, message?: string, headers: Record<string, string> = {}) {
    super(message ?? `HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === HttpError) return branded(HTTP_ERROR, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const HTTP_ERROR = brand(HttpError, 'HttpError');

export class PayloadTooLarge extends HttpError {
  /** The limit in bytes that was passed. */
  readonly limit: number;

  constructor(limit: number) {
    super(413, `the request body is larger than the limit of ${limit} bytes (maxBodySize)`);
    this.name = 'PayloadTooLarge';
    this.limit = limit;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === PayloadTooLarge) return branded(TOO_LARGE, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const TOO_LARGE = brand(PayloadTooLarge, 'PayloadTooLarge');

export function isSocketError(x: unknown): x is SocketError {
  return branded(SOCKET_ERROR, x);
}

export function isSocketTimeout(x: unknown): x is SocketTimeout {
  return branded(SOCKET_TIMEOUT, x);
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return port === undefined ? '?' : `?:${port}`;
  const h = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}

/**
 * Turns an error of Node (an errno error from net/tls/dgram, or anything else) into a
 * SocketError naming the address. A SocketError is returned as is.
 */
export function toSocketError(
  err: unknown,
  syscall: string,
  host: string | undefined,
  port: number | undefined,
): SocketError {
  if (isSocketError(err)) return err;
  const e = err as any;
  const code: string = typeof e?.code === 'string' ? e.code : 'EIO';
  const sys: string = typeof e?.syscall === 'string' ? e.syscall : syscall;
  const addr = e?.address ?? host;
  const prt = e?.port ?? port;
  const where = formatAddress(addr, prt);
  let message: string;
  const original = typeof e?.message === 'string' ? e.message : String(err);
  if (addr !== undefined && original.includes(where)) message = original;
  else if (addr !== undefined || prt !== undefined)
    message = `${original} (${syscall === 'connect' ? '' : 'peer '}${where})`;
  else message = original;
  return new SocketError(message, {
    code,
    errno: typeof e?.errno === 'number' ? e.errno : undefined,
    syscall: sys,
    address: addr,
    port: prt,
    cause: err,
  });
}
