/**
 * HttpServer: an HTTP/1.1 server in the spirit of gevent.pywsgi, on node:http: one greenlet
 * per connection runs the handler for each of its requests, sequentially.
 *
 * ```ts
 * const server = new HttpServer(['127.0.0.1', 8080], function* (req, res) {
 *   if (req.method === 'POST') {
 *     const body = yield* req.text();                 // waits for the body
 *     return `you sent ${body.length} characters\n`;  // a returned string is the body
 *   }
 *   res.writeHead(200, { 'content-type': 'text/plain' });
 *   for (let i = 0; i < 3; i++) {
 *     yield* res.write(`line ${i}\n`);                // streamed, with back-pressure
 *     yield* sleep(0.1);
 *   }
 *   yield* res.end();
 * }, { spawn: 1000 });
 * await run(server.serveForever());
 * ```
 *
 * ## Rules
 *
 * - Node parses HTTP (llhttp) and handles keep-alive, pipelining order, HEAD (no body is
 *   sent), chunked bodies both ways and `Expect: 100-continue` (the 100 is sent at the first
 *   body read). The handler gets an HttpRequest and an HttpResponse (see them).
 * - `spawn` limits connections (as pywsgi's pool does): a connection waits, paused, while
 *   the pool is full (BaseServer's back-pressure); each keeps its greenlet while it lives,
 *   keep-alive included.
 * - The handler's end: a returned string or Buffer is the body; otherwise the response is
 *   ended if the handler did not. An HttpError becomes its status and message. Any other
 *   error is reported (`handleError`) and becomes a 500 with the connection closed; if the
 *   headers were already sent, the connection is cut so the client sees the truncation.
 *   Errors caused by the client going away (EPIPE, ECONNRESET) are not reported.
 * - Bad input: malformed HTTP gets 400 and the connection is closed; headers larger than
 *   `maxHeaderSize` (16 KiB) get 431; a body larger than `maxBodySize` (1 MiB) gets 413
 *   (at once from Content-Length, or when a read passes the limit); the connection is then
 *   closed. A client that takes more than `headersTimeout` (30 s) to send its headers
 *   (one that sends nothing, or one byte a second: slowloris) gets 408 and is dropped, as is
 *   one whose whole request takes more than `requestTimeout` (300 s). Idle keep-alive
 *   connections close after `keepAliveTimeout` (5 s).
 * - `websocket`: a handler `function* (ws, req)` for WebSocket upgrades (the `ws`
 *   library), run in the connection's greenlet; the connection closes when it returns.
 *   Without it, upgrade requests get 426 and the connection is closed.
 * - `stop(timeout)`: the port closes, idle keep-alive connections are closed, requests in
 *   progress finish (their responses say `Connection: close`) for up to `timeout` seconds,
 *   then their handlers are killed: a response not started by then becomes a 503.
 * - Under node:cluster, several processes can serve one port unchanged (see README).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { natives } from '@g/ev';
import { isGreenletExit } from '@g/greenlet';
import { toHub } from '@g/hub';
import type WS from 'ws';
import type { WebSocketServer as WSServer } from 'ws';
import { type Address, checkTimeout, type ParsedAddress, parseAddress } from './address.js';
import {
  BaseServer,
  type BaseServerOptions,
  runResult,
  type ServerAddress,
} from './base-server.js';
import { formatAddress, HttpError, isSocketError, PayloadTooLarge } from './errors.js';
import { HttpRequest } from './http-request.js';
import { HttpResponse } from './http-response.js';
import { boundAddress, listen } from './listen.js';
import { Slot } from './wait.js';
import { loadWs, WebSocket } from './websocket.js';

export type HttpHandler = (this: HttpServer, req: HttpRequest, res: HttpResponse) => unknown;
export type WebSocketHandler = (this: HttpServer, ws: WebSocket, req: HttpRequest) => unknown;

export interface HttpServerOptions extends BaseServerOptions {
  /** TLS options (key, cert, ...): serve HTTPS. */
  ssl?: tls.TlsOptions;
  /** Largest request head (request line and headers), in bytes (default 16384): else 431. */
  maxHeaderSize?: number;
  /** Largest request body, in bytes (default 1 MiB): else 413. */
  maxBodySize?: number;
  /** Seconds a client has to send the request head (default 30): else 408, dropped. */
  headersTimeout?: number;
  /** Seconds a client has to send the whole request (default 300): else 408, dropped. */
  requestTimeout?: number;
  /** Seconds an idle keep-alive connection stays open (default 5). */
  keepAliveTimeout?: number;
  /** Seconds a response write may wait for a client that does not read (default none). */
  writeTimeout?: number | null;
  /** The handler of WebSocket upgrades. */
  websocket?: WebSocketHandler;
  /** Options for `ws` (maxPayload, perMessageDeflate, ...). */
  websocketOptions?: Omit<WS.ServerOptions, 'noServer' | 'server' | 'port' | 'host'>;
}

const CONN: unique symbol = Symbol('@g/net http connection');

const R_REQUEST = 0;
const R_CONTINUE = 1;
const R_UPGRADE = 2;

/** One connection: its requests queue here until its greenlet takes them. */
class Conn {
  /** Queued requests, three entries each: kind, request, response (or upgrade head). */
  readonly items: unknown[] = [];
  readonly slot = new Slot();
  closed = false;
  /** A request is being handled. */
  busy = false;
  constructor(readonly socket: net.Socket) {}
  readonly onClose = (): void => {
    this.closed = true;
    this.slot.wakeSoon();
  };
}

const DEFAULTS = {
  maxHeaderSize: 16 * 1024,
  maxBodySize: 1024 * 1024,
  headersTimeout: 30,
  requestTimeout: 300,
  keepAliveTimeout: 5,
};

export class HttpServer extends BaseServer<Conn> {
  /** The request handler (can be replaced before start). */
  handle: HttpHandler;
  /** The WebSocket handler, if any. */
  websocket: WebSocketHandler | null;
  /** The Node server, once started. */
  server: http.Server | null = null;
  /** Requests refused before reaching a handler (400, 408, 413, 431), for monitoring. */
  clientErrors = 0;
  readonly maxHeaderSize: number;
  readonly maxBodySize: number;
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly writeTimeout: number | null;
  private readonly _listenAddr: ParsedAddress;
  private readonly _ssl: tls.TlsOptions | null;
  private readonly _wsOptions: HttpServerOptions['websocketOptions'];
  private _wss: WSServer | null = null;
  private _addr: ServerAddress | null = null;
  /** @internal */
  readonly _conns = new Set<Conn>();

  constructor(listener: Address, handle: HttpHandler, options: HttpServerOptions = {}) {
    if (typeof handle !== 'function') {
      throw new TypeError(
        `HttpServer(listener, handle): handle must be a function, got ${typeof handle}`,
      );
    }
    super(options);
    this.handle = handle;
    this.websocket = options.websocket ?? null;
    if (this.websocket !== null && typeof this.websocket !== 'function') {
      throw new TypeError('HttpServer({ websocket }): the WebSocket handler must be a function');
    }
    this._listenAddr = parseAddress(listener, 'HttpServer(listener)');
    this._ssl = options.ssl ?? null;
    this._wsOptions = options.websocketOptions;
    this.maxHeaderSize = positiveInt(
      options.maxHeaderSize ?? DEFAULTS.maxHeaderSize,
      'maxHeaderSize',
    );
    this.maxBodySize = positiveInt(options.maxBodySize ?? DEFAULTS.maxBodySize, 'maxBodySize', 0);
    this.headersTimeout = seconds(
      options.headersTimeout ?? DEFAULTS.headersTimeout,
      'headersTimeout',
    );
    this.requestTimeout = seconds(
      options.requestTimeout ?? DEFAULTS.requestTimeout,
      'requestTimeout',
    );
    this.keepAliveTimeout = seconds(
      options.keepAliveTimeout ?? DEFAULTS.keepAliveTimeout,
      'keepAliveTimeout',
    );
    this.writeTimeout = checkTimeout(options.writeTimeout, 'HttpServer({ writeTimeout })');
  }

  get address(): ServerAddress | null {
    return this._addr;
  }

  /** Connections open now (each has its greenlet, or waits for one). */
  get connectionCount(): number {
    return this._conns.size;
  }

  /** @internal */
  protected *_open(): Generator<unknown, void, any> {
    const ms = (s: number) => Math.round(s * 1000);
    const opts: http.ServerOptions = {
      maxHeaderSize: this.maxHeaderSize,
      requestTimeout: ms(this.requestTimeout),
      keepAliveTimeout: ms(this.keepAliveTimeout),
      noDelay: true,
      // Checked this often (Node's default is 30 s, too coarse for short timeouts).
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(30_000, ms(Math.min(this.headersTimeout || 30, this.requestTimeout || 30) / 4)),
      ),
    };
    const server: http.Server =
      this._ssl !== null ? https.createServer({ ...opts, ...this._ssl }) : http.createServer(opts);
    // headersTimeout must be <= requestTimeout for Node; 0 disables either.
    server.headersTimeout =
      this.requestTimeout > 0
        ? Math.min(ms(this.headersTimeout), ms(this.requestTimeout))
        : ms(this.headersTimeout);
    server.on(this._ssl !== null ? 'secureConnection' : 'connection', this._onConnection);
    server.on('request', this._onRequest);
    server.on('checkContinue', this._onContinue);
    server.on('upgrade', this._onUpgrade);
    server.on('clientError', this._onClientError);
    server.on('tlsClientError', noop);
    try {
      yield* listen(server, this._listenAddr, this.backlog, 'HttpServer.start()');
    } catch (e) {
      server.removeAllListeners();
      throw e;
    }
    this.server = server;
    this._addr = boundAddress(server);
    if (this.websocket !== null) {
      const mod = yield* loadWs();
      this._wss = new mod.WebSocketServer({ ...(this._wsOptions ?? {}), noServer: true });
    }
  }

  /** @internal */
  protected _closeListener(): void {
    const s = this.server;
    if (s === null) return;
    this.server = null;
    if (s.listening) s.close();
    // Idle keep-alive connections end now; busy ones after their current response.
    for (const c of this._conns) {
      if (!c.busy && c.items.length === 0) {
        c.closed = true;
        c.slot.wake();
      }
    }
    this._wss?.close();
    this._wss = null;
  }

  /** @internal */
  protected _drop(conn: Conn): void {
    this._conns.delete(conn);
    conn.socket.destroy();
  }

  /** @internal */
  protected _describeItem(conn: Conn): string {
    return `client ${formatAddress(conn.socket.remoteAddress, conn.socket.remotePort)}`;
  }

  private readonly _onConnection = (socket: net.Socket): void => {
    const conn = new Conn(socket);
    (socket as any)[CONN] = conn;
    socket.on('close', conn.onClose);
    this._conns.add(conn);
    // Nothing is read until the connection's greenlet runs (back-pressure).
    socket.pause();
    this._enqueue(conn);
  };

  private readonly _onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this._route(R_REQUEST, req, res);
  };

  private readonly _onContinue = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    this._route(R_CONTINUE, req, res);
  };

  private readonly _onUpgrade = (
    req: http.IncomingMessage,
    socket: net.Socket,
    head: Buffer,
  ): void => {
    const conn = (socket as any)[CONN] as Conn | undefined;
    if (conn === undefined || this.websocket === null) {
      this.clientErrors++;
      socket.write(
        'HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      endSoon(socket);
      return;
    }
    conn.items.push(R_UPGRADE, req, head);
    conn.slot.wakeSoon();
  };

  private _route(kind: number, req: http.IncomingMessage, res: http.ServerResponse): void {
    const conn = (req.socket as any)[CONN] as Conn | undefined;
    if (conn === undefined) {
      res.statusCode = 503;
      res.setHeader('connection', 'close');
      res.end();
      return;
    }
    conn.items.push(kind, req, res);
    conn.slot.wakeSoon();
  }

  private readonly _onClientError = (err: any, socket: net.Socket): void => {
    this.clientErrors++;
    const code = err?.code;
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
            ? 413
            : 400;
    const busy = (socket as any)._httpMessage;
    if (busy === undefined || busy === null || !busy.headersSent) {
      socket.write(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
    }
    endSoon(socket);
  };

  /** @internal */
  protected readonly _body = httpConnection;

  /** @internal runs the handler for one request; returns whether the connection may stay open. */
  *_serve(
    req: http.IncomingMessage,
    rawRes: http.ServerResponse,
    expectContinue: boolean,
  ): Generator<unknown, boolean, any> {
    const request = new HttpRequest(req, rawRes, this.maxBodySize, expectContinue);
    const res = new HttpResponse(rawRes);
    res.timeout = this.writeTimeout;
    if (!this.started) res._closing = true;
    // From the raw headers: reading req.headers would make Node build the headers object.
    const cl = rawContentLength(req.rawHeaders);
    if (cl > this.maxBodySize) {
      this.clientErrors++;
      respond(
        rawRes,
        413,
        `the request body is larger than the limit of ${this.maxBodySize} bytes\n`,
        true,
      );
      return false;
    }
    let keep = true;
    try {
      const r0: any = this.handle.call(this, request, res);
      const r =
        r0 !== null && typeof r0 === 'object' && typeof r0.next === 'function'
          ? yield* r0
          : yield* runResult(r0);
      if (!rawRes.writableEnded && !res.closed) {
        if (typeof r === 'string' || r instanceof Uint8Array) {
          if (!rawRes.headersSent) {
            if (!rawRes.hasHeader('content-type')) {
              rawRes.setHeader(
                'content-type',
                typeof r === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
              );
            }
            if (!rawRes.hasHeader('content-length') && !rawRes.hasHeader('transfer-encoding')) {
              rawRes.setHeader(
                'content-length',
                typeof r === 'string' ? Buffer.byteLength(r) : r.length,
              );
            }
          }
          yield* res.end(r);
        } else {
          yield* res.end();
        }
      }
    } catch (e) {
      keep = false;
      if (isGreenletExit(e)) {
        // Killed (stop() past its timeout): say so if nothing was sent.
        if (!rawRes.headersSent && !res.closed)
          respond(rawRes, 503, 'the server is stopping\n', true);
        else rawRes.socket?.destroy();
        throw e;
      }
      if (e instanceof HttpError) {
        if (!rawRes.headersSent && !res.closed) {
          for (const [k, v] of Object.entries(e.headers)) rawRes.setHeader(k, v);
          respond(rawRes, e.status, `${e.message}\n`, e instanceof PayloadTooLarge);
          keep = !(e instanceof PayloadTooLarge) && !request._unread;
        } else {
          rawRes.socket?.destroy();
        }
      } else {
        const clientGone =
          res.closed && isSocketError(e) && (e.code === 'EPIPE' || e.code === 'ECONNRESET');
        if (!clientGone) this.handleError(e, this._describeReq(request));
        if (!rawRes.headersSent && !res.closed)
          respond(rawRes, 500, 'Internal Server Error\n', true);
        else rawRes.socket?.destroy();
      }
    } finally {
      request._finish();
    }
    if (request._unread && !req.complete && keep) {
      // The handler left part of the body: Node discards it, unless it is too large.
      const n = rawContentLength(req.rawHeaders);
      const rest = n < 0 ? Number.POSITIVE_INFINITY : n;
      if (!(rest <= this.maxBodySize)) keep = false;
    }
    return keep && !res._closing && this.started;
  }

  private _describeReq(r: HttpRequest): string {
    return `${r.method} ${r.url} from ${formatAddress(r.remoteAddress, r.remotePort)}`;
  }

  /** @internal */
  *_serveUpgrade(
    req: http.IncomingMessage,
    socket: net.Socket,
    head: Buffer,
  ): Generator<unknown, void, any> {
    const wss = this._wss;
    if (wss === null) {
      socket.destroy();
      return;
    }
    const slot = new Slot();
    let raw: WS | null = null;
    // A refused handshake (ws answers 400 and destroys the socket) never calls back.
    const onClose = () => slot.wakeSoon();
    socket.on('close', onClose);
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        raw = ws;
        slot.wake();
      });
      while (raw === null && !socket.destroyed) {
        yield* slot.wait('HttpServer: WebSocket handshake', null, this);
      }
    } finally {
      socket.removeListener('close', onClose);
    }
    if (raw === null) return;
    const ws = new WebSocket(raw);
    const request = new HttpRequest(req, null as any, 0, false);
    try {
      yield* runResult(this.websocket!.call(this, ws, request));
    } catch (e) {
      if (!isGreenletExit(e)) {
        const clientGone = ws.closed && isSocketError(e);
        if (!clientGone) this.handleError(e, this._describeReq(request));
        ws.close(1011, 'internal error');
      } else {
        ws.close(1001, 'server stopping');
      }
      if (isGreenletExit(e)) throw e;
    } finally {
      ws.close(1000);
      // The closing handshake finishes on its own; make sure the socket goes in the end.
      const t = natives.setTimeout(() => (raw as unknown as WS).terminate(), 2000);
      t.unref();
      (raw as unknown as WS).once('close', () => natives.clearTimeout(t));
    }
  }
}

/** The Content-Length in raw headers ([name, value, ...]), or -1 when there is none. */
function rawContentLength(raw: string[]): number {
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === 14 && k.toLowerCase() === 'content-length') return Number(raw[i + 1]);
  }
  return -1;
}

/** Ends the socket after what is buffered, and destroys it then (at the latest in 1 s). */
function endSoon(socket: net.Socket): void {
  if (socket.destroyed) return;
  const t = natives.setTimeout(() => socket.destroy(), 1000);
  t.unref();
  socket.once('close', () => natives.clearTimeout(t));
  socket.end(() => socket.destroy());
}

/** A connection's greenlet: its requests, one after the other. */
function* httpConnection(server: HttpServer, conn: Conn): Generator<unknown, void, any> {
  const socket = conn.socket;
  socket.resume();
  try {
    for (;;) {
      if (conn.items.length === 0) {
        if (conn.closed || !server.started) return;
        const slot = conn.slot;
        const g = slot.enter('HttpServer: waiting for a request', null, server);
        try {
          yield* toHub(g);
        } finally {
          slot.leave(g, null);
        }
        continue;
      }
      const items = conn.items;
      const kind = items.shift() as number;
      const req = items.shift() as http.IncomingMessage;
      const res = items.shift() as http.ServerResponse | Buffer;
      conn.busy = true;
      let keep: boolean;
      try {
        if (kind === R_UPGRADE) {
          yield* server._serveUpgrade(req, socket, res as Buffer);
          return;
        }
        keep = yield* server._serve(req, res as http.ServerResponse, kind === R_CONTINUE);
      } finally {
        conn.busy = false;
      }
      if (!keep) {
        if (!socket.destroyed) endSoon(socket);
        return;
      }
    }
  } catch (e) {
    server._reportError(e, conn);
  } finally {
    server._conns.delete(conn);
    socket.removeListener('close', conn.onClose);
    (socket as any)[CONN] = undefined;
    // Requests Node parsed after the last one we took: nobody will answer them.
    if (conn.items.length > 0 && !socket.destroyed) socket.destroy();
    if (!server.started && !socket.destroyed && kindOfIdle(socket)) socket.destroy();
  }
}

function kindOfIdle(socket: net.Socket): boolean {
  return (socket as any)._httpMessage == null;
}

function respond(res: http.ServerResponse, status: number, body: string, close: boolean): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  if (close) res.setHeader('connection', 'close');
  res.end(body);
}

function positiveInt(n: unknown, what: string, min = 1): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new RangeError(`HttpServer({ ${what} }) must be an integer >= ${min}, got ${String(n)}`);
  }
  return n;
}

function seconds(n: unknown, what: string): number {
  if (typeof n !== 'number' || Number.isNaN(n) || n < 0) {
    throw new RangeError(
      `HttpServer({ ${what} }) must be a number of seconds >= 0, got ${String(n)}`,
    );
  }
  return n;
}

function noop(): void {}
