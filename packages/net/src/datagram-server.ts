/**
 * DatagramServer: a UDP server that runs a handler in a greenlet for every datagram
 * (gevent.server.DatagramServer).
 *
 * ```ts
 * const server = new DatagramServer(['127.0.0.1', 9000], function* (data, address) {
 *   yield* this.sendto(data.toString().toUpperCase(), address);   // reply
 * });
 * await run(server.serveForever());
 * ```
 *
 * ## Rules
 *
 * - `listener`: an address, or a UdpSocket you made (bound already or not: an unbound one
 *   needs an address to bind, so it must be bound first).
 * - `handle(data, [host, port])` runs in a new greenlet per datagram, `this` being the
 *   server; `this.sendto(data, address)` replies from the server's socket.
 * - The life cycle, `spawn`, `backlog` and errors are BaseServer's. With a full pool,
 *   datagrams wait in a queue of at most `backlog`; past it they are dropped (counted in
 *   `dropped`), as a full socket buffer drops them.
 */
import type { Op } from '@g/greenlet';
import { type Address, type ParsedAddress, parseAddress } from './address.js';
import {
  BaseServer,
  type BaseServerOptions,
  runResult,
  type ServerAddress,
} from './base-server.js';
import { formatAddress } from './errors.js';
import type { Data } from './socket.js';
import { type Sender, UdpSocket } from './udp.js';

export type DatagramHandler = (this: DatagramServer, data: Buffer, address: Sender) => unknown;

export interface DatagramServerOptions extends BaseServerOptions {
  /** 'udp4' (default) or 'udp6', for an address listener. */
  type?: 'udp4' | 'udp6';
}

type Item = [Buffer, Sender];

export class DatagramServer extends BaseServer<Item> {
  /** The handler (can be replaced before start). */
  handle: DatagramHandler;
  /** The server's socket (after start; the one given as listener at once). */
  socket: UdpSocket | null;
  private readonly _listenAddr: ParsedAddress | null;
  private readonly _type: 'udp4' | 'udp6';
  private _addr: ServerAddress | null = null;

  constructor(
    listener: Address | UdpSocket,
    handle: DatagramHandler,
    options: DatagramServerOptions = {},
  ) {
    if (typeof handle !== 'function') {
      throw new TypeError(
        `DatagramServer(listener, handle): handle must be a function, got ${typeof handle}`,
      );
    }
    const given = listener instanceof UdpSocket;
    super(options);
    this.handle = handle;
    this.socket = given ? (listener as UdpSocket) : null;
    this._listenAddr = given ? null : parseAddress(listener, 'DatagramServer(listener)');
    this._type = options.type ?? 'udp4';
  }

  get address(): ServerAddress | null {
    return this._addr;
  }

  /** Sends `data` to `address` from the server's socket. */
  sendto(data: Data, address: Address): Op<number> {
    const s = this.socket;
    if (s === null) throw new TypeError('DatagramServer.sendto(): the server is not started');
    return s.sendto(data, address);
  }

  /** @internal */
  protected *_open(): Generator<unknown, void, any> {
    let s = this.socket;
    if (s === null || s.closed) {
      s = new UdpSocket({ type: this._type, maxQueue: Math.max(1, this.backlog) });
      yield* s.bind(this._listenAddr !== null ? toAddr(this._listenAddr) : ['', 0]);
      this.socket = s;
    } else if (s.sockname === null) {
      throw new TypeError('DatagramServer: the UdpSocket given as listener must be bound already');
    }
    s._onMessage = (msg, from) => this._enqueue([msg, from]);
    const a = s.sockname!;
    this._addr = { host: a.address, port: a.port };
  }

  /** @internal */
  protected _closeListener(): void {
    const s = this.socket;
    if (s === null) return;
    s._onMessage = null;
    s.close();
  }

  /** @internal */
  protected _drop(_item: Item): void {
    // A datagram not handled is simply lost.
  }

  /** @internal */
  protected _describeItem(item: Item): string {
    return `a datagram from ${formatAddress(item[1][0], item[1][1])}`;
  }

  /** @internal */
  protected readonly _body = datagramBody;
}

function* datagramBody(server: DatagramServer, item: Item): Generator<unknown, void, any> {
  try {
    yield* runResult(server.handle.call(server, item[0], item[1]));
  } catch (e) {
    server._reportError(e, item);
  }
}

function toAddr(a: ParsedAddress): Address {
  return { host: a.host ?? '', port: a.port };
}
