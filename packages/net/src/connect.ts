/**
 * createConnection: open a TCP (or TLS, or Unix) connection from a greenlet
 * (gevent.socket.create_connection).
 *
 * ```ts
 * const sock = yield* createConnection(['example.org', 443], { timeout: 10, ssl: true });
 * ```
 *
 * ## Rules
 *
 * - Host names are resolved by Node (getaddrinfo on libuv's thread pool): the hub and
 *   the other greenlets run meanwhile.
 * - `timeout` (seconds) limits the connect and then becomes the socket's `timeout` for every
 *   later wait (as Python's create_connection does). Expiry raises SocketTimeout
 *   (`connect to 10.0.0.1:80 timed out after 2 s`).
 * - `sourceAddress`: `[host, port]` (port 0: any) to bind the local end.
 * - `ssl`: true, or node:tls connect options (`ca`, `servername`, `rejectUnauthorized`, ...):
 *   the Op returns once the TLS handshake is done; certificate errors raise SocketError
 *   with Node's code (e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`).
 * - Refused, unreachable, unknown host: SocketError with code and address
 *   (`connect ECONNREFUSED 127.0.0.1:9`, `getaddrinfo ENOTFOUND nosuch.invalid`).
 * - Interrupted by a kill or a Timeout, the half-open connection is destroyed: nothing
 *   leaks (gevent test__socket TestCreateConnection.test_base_exception).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Op } from '@g/greenlet';
import { trackOp } from '@g/greenlet';
import { type Address, checkTimeout, parseAddress } from './address.js';
import { formatAddress, isSocketError, SocketTimeout, toSocketError } from './errors.js';
import { Socket } from './socket.js';

export interface ConnectOptions {
  /** Seconds for the connect, then for every wait of the socket (default none). */
  timeout?: number | null;
  /** Local address to bind: `[host, port]`. */
  sourceAddress?: readonly [string, number];
  /** TLS: true or tls.connect options. */
  ssl?: boolean | tls.ConnectionOptions;
  /** TCP_NODELAY (default true: no Nagle delay, as a request/response protocol wants). */
  noDelay?: boolean;
  /** Bytes buffered before reading pauses (default 64 KiB). */
  highWaterMark?: number;
}

/** Connects to `address` (see the module comment). */
export function createConnection(address: Address, options: ConnectOptions = {}): Op<Socket> {
  const a = parseAddress(address, 'createConnection(address)');
  const timeout = checkTimeout(options.timeout, 'createConnection({ timeout })');
  if (options.sourceAddress !== undefined)
    parseAddress(options.sourceAddress, 'createConnection({ sourceAddress })');
  return trackOp(connectBody(a, timeout, options), 'createConnection');
}

function* connectBody(
  a: ReturnType<typeof parseAddress>,
  timeout: number | null,
  options: ConnectOptions,
): Generator<unknown, Socket, any> {
  const host = a.host ?? 'localhost';
  const base: net.NetConnectOpts =
    a.path !== undefined
      ? { path: a.path, allowHalfOpen: true }
      : {
          host,
          port: a.port,
          allowHalfOpen: true,
          noDelay: options.noDelay ?? true,
          ...(options.sourceAddress
            ? {
                localAddress: options.sourceAddress[0] || undefined,
                localPort: options.sourceAddress[1] || undefined,
              }
            : {}),
        };
  const ssl = options.ssl;
  let raw: net.Socket;
  let readyEvent: string;
  try {
    if (ssl) {
      const tlsOpts: tls.ConnectionOptions = { ...base, ...(ssl === true ? {} : ssl) } as any;
      if (tlsOpts.servername === undefined && a.path === undefined && net.isIP(host) === 0) {
        tlsOpts.servername = host;
      }
      raw = tls.connect(tlsOpts);
      readyEvent = 'secureConnect';
    } else {
      raw = net.connect(base);
      readyEvent = 'connect';
    }
  } catch (e) {
    throw toSocketError(e, 'connect', a.path ?? host, a.path === undefined ? a.port : undefined);
  }
  const sock = new Socket(raw);
  if (options.highWaterMark !== undefined) sock.highWaterMark = options.highWaterMark;
  let ready = false;
  const onReady = () => {
    ready = true;
    sock._wslot.wakeSoon();
  };
  raw.once(readyEvent, onReady);
  const where = a.path ?? formatAddress(host, a.port);
  let ok = false;
  try {
    while (!ready) {
      if (sock._werr !== null) throw fixConnectError(sock._werr, a.path ?? host, a.port);
      if (raw.destroyed) {
        throw toSocketError(
          Object.assign(new Error(`connect to ${where} failed: the socket was closed`), {
            code: 'ECONNABORTED',
          }),
          'connect',
          a.path ?? host,
          a.port,
        );
      }
      let woke: boolean;
      try {
        woke = yield* sock._wslot.wait('createConnection()', timeout, `connection to ${where}`);
      } catch (e) {
        throw fixConnectError(e, a.path ?? host, a.port);
      }
      if (!woke) {
        throw new SocketTimeout(`connect to ${where} timed out after ${timeout} s`, timeout!, {
          syscall: 'connect',
          address: a.path ?? host,
          port: a.port,
        });
      }
    }
    ok = true;
  } finally {
    raw.removeListener(readyEvent, onReady);
    if (!ok) sock.abort();
  }
  sock._learnPeer();
  sock.timeout = timeout;
  return sock;
}

function fixConnectError(e: unknown, host: string, port: number): unknown {
  // An error event of the socket was converted as a read error: name the connect instead.
  if (isSocketError(e) && e.cause !== undefined && e.syscall !== 'connect') {
    return toSocketError(e.cause, 'connect', host, port);
  }
  if (isSocketError(e) && e.cause !== undefined)
    return toSocketError(e.cause, 'connect', host, port);
  return e;
}
