/**
 * BaseServer: the life cycle shared by StreamServer, DatagramServer and HttpServer
 * (gevent.baseserver.BaseServer).
 *
 * ## Life cycle
 *
 * - `start()` (an Op) binds the listener and begins accepting; it returns once the
 *   listener is bound (`address`, `serverHost`, `serverPort` are then known; port 0 becomes
 *   the port the system chose). Starting a started server does nothing.
 * - `serveForever()` starts the server if needed and waits until `stop()`. If the greenlet
 *   running it is killed, the server is stopped (in its own greenlet, as gevent does).
 * - `stop(timeout?)` closes the listener (new connections are refused), drops the
 *   connections still queued, waits up to `timeout` seconds (default `stopTimeout`, 1) for
 *   the running handlers to end, then kills those left and waits for them to die.
 *   `started` is false afterwards; a server made with an address can be started again.
 * - `close()` (a plain call) closes the listener and drops the queue; handlers go on.
 * - `stopAccepting()` / `startAccepting()` pause and resume handing connections to handlers
 *   (Node keeps accepting: see below).
 *
 * ## Spawning handlers (`spawn`)
 *
 * - `'default'` (the default): one greenlet per connection, no limit.
 * - a number `n`: a new @g/sync `Pool(n)`: at most `n` handlers at once (`server.pool`).
 * - a Pool of @g/sync (or anything whose `spawn(fn, ...args)` is an Op of a greenlet that
 *   waits while the pool is full, and whose `full()` says so): handlers run in it, and
 *   can be counted, waited for or killed through it.
 *
 * Node cannot stop accepting without closing the port, so back-pressure works like this:
 * every connection is accepted at once and *paused* (nothing is read from it); while the
 * pool is full (or accepting is stopped) connections wait, paused, in a queue of at most
 * `backlog` (default 256); past that bound a new connection is closed at once. Handlers
 * start in the order connections arrived.
 *
 * ## Errors
 *
 * A handler that throws is reported with `handleError(error, client)` (by default the
 * hub's report, naming the server and the client) and its connection is closed; the server
 * goes on. A GreenletExit (a kill) is not reported.
 */
import type { Op } from '@g/greenlet';
import { isGreenletExit, trackOp } from '@g/greenlet';
import {
  currentHubGreenlet,
  type Greenlet,
  getHub,
  type Hub,
  joinall,
  killall,
  spawn,
  until,
} from '@g/hub';
import { Pool } from '@g/sync';
import { checkTimeout } from './address.js';
import { formatAddress } from './errors.js';
import { Slot } from './wait.js';

/** A pool a server can spawn its handlers in (@g/sync's Pool has this shape). */
export interface PoolLike {
  spawn(fn: (...args: any[]) => unknown, ...args: any[]): Op<Greenlet<any, any>>;
  /** True while spawn would wait (optional: without it the pool counts as never full). */
  full?(): boolean;
  /** Waits until spawn would not wait (optional). */
  waitAvailable?(timeout?: number | null): Op<number>;
}

export type SpawnOption = 'default' | number | PoolLike;

export interface BaseServerOptions {
  /** How handlers are spawned: 'default', a limit, or a Pool (see the class comment). */
  spawn?: SpawnOption;
  /** Connections held while handlers are busy, and the kernel's listen backlog (256). */
  backlog?: number;
  /** Default seconds stop() waits for handlers before killing them (1). */
  stopTimeout?: number;
}

/** The address a server listens on. */
export interface ServerAddress {
  host: string | undefined;
  port: number;
  family?: string;
  /** A Unix socket path. */
  path?: string;
}

export const DEFAULT_BACKLOG = 256;

export abstract class BaseServer<Item> {
  /** Seconds stop() waits for handlers before killing them. */
  stopTimeout: number;
  /** Items (connections, datagrams) held while handlers are busy; past it they are dropped. */
  readonly backlog: number;
  /** @internal */
  readonly _pool: PoolLike | null;
  /** @internal running handler greenlets. */
  readonly _handlers = new Set<Greenlet<any, any>>();
  /** @internal waiting items. */
  _queue: Item[] = [];
  private _qhead = 0;
  /** @internal the acceptor waits here for items or a free handler slot. */
  readonly _acceptSlot = new Slot();
  private _acceptor: Greenlet<any, any> | null = null;
  private _started = false;
  private _accepting = true;
  private _stopWaiters: Slot[] = [];
  /** @internal the hub handlers run in (bound at start). */
  _hub: Hub | null = null;
  /** Items dropped because the queue was full (for monitoring). */
  dropped = 0;

  constructor(options: BaseServerOptions = {}) {
    const spawnOpt = options.spawn ?? 'default';
    if (spawnOpt === 'default') {
      this._pool = null;
    } else if (typeof spawnOpt === 'number') {
      if (!Number.isInteger(spawnOpt) || spawnOpt < 1) {
        throw new RangeError(`spawn: a pool size must be an integer >= 1, got ${spawnOpt}`);
      }
      this._pool = new Pool(spawnOpt);
    } else if (
      spawnOpt !== null &&
      typeof spawnOpt === 'object' &&
      typeof spawnOpt.spawn === 'function'
    ) {
      this._pool = spawnOpt;
    } else {
      throw new TypeError(
        `spawn: expected 'default', a pool size or a Pool, got ${String(spawnOpt)}`,
      );
    }
    const backlog = options.backlog ?? DEFAULT_BACKLOG;
    if (!Number.isInteger(backlog) || backlog < 0) {
      throw new RangeError(`backlog must be an integer >= 0, got ${backlog}`);
    }
    this.backlog = backlog;
    this.stopTimeout = checkTimeout(options.stopTimeout ?? 1, 'stopTimeout') ?? 1;
  }

  /** The pool handlers run in (a number given as `spawn` made one), or null. */
  get pool(): PoolLike | null {
    return this._pool;
  }

  /** True between start() and stop()/close(). */
  get started(): boolean {
    return this._started;
  }

  /** Number of handlers running now. */
  get handlerCount(): number {
    return this._handlers.size;
  }

  /** Number of items (connections, datagrams) waiting for a handler. */
  get queued(): number {
    return this._queue.length - this._qhead;
  }

  /** The bound address, `{ host, port }`; null before start(). */
  abstract get address(): ServerAddress | null;

  /** The bound host (after start). */
  get serverHost(): string | undefined {
    return this.address?.host;
  }

  /** The bound port (after start; the real one when port 0 was asked for). */
  get serverPort(): number | undefined {
    return this.address?.port;
  }

  /** @internal binds the listener (may wait). */
  protected abstract _open(): Generator<unknown, void, any>;
  /** @internal closes the listener (never waits). */
  protected abstract _closeListener(): void;
  /** @internal drops an item that will not be handled (closes a connection). */
  protected abstract _drop(item: Item): void;
  /**
   * @internal the body of a handler greenlet: `(server, item)`, a generator function shared
   * by every handler (no closure per connection). It reports its own errors with
   * `_reportError` (the greenlet ends normally).
   */
  protected abstract readonly _body: (server: any, item: Item) => Generator<unknown, void, any>;
  /** @internal describes an item for error reports. */
  protected abstract _describeItem(item: Item): string;

  /** Binds and starts accepting (see the class comment). */
  start(): Op<void> {
    return trackOp(this._startBody(), 'server.start');
  }

  /** Starts if needed and waits until stop(); killed, it stops the server. */
  serveForever(stopTimeout?: number | null): Op<void> {
    const t = checkTimeout(stopTimeout, 'serveForever(stopTimeout)');
    return trackOp(this._serveBody(t), 'server.serveForever');
  }

  /**
   * Stops accepting, waits up to `timeout` seconds (default stopTimeout) for the handlers,
   * then kills the rest (see the class comment).
   */
  stop(timeout?: number | null): Op<void> {
    const t = checkTimeout(timeout, 'stop(timeout)');
    return trackOp(this._stopBody(t ?? this.stopTimeout), 'server.stop');
  }

  /** Closes the listener and drops queued items; running handlers go on. Never waits. */
  close(): void {
    const wasStarted = this._started;
    this._started = false;
    this._closeListener();
    this._dropQueue();
    const a = this._acceptor;
    this._acceptor = null;
    if (a !== null && !a.dead) {
      // The acceptor only waits in its slot: end it now (a plain kill, no wait).
      a[Symbol.dispose]();
    }
    if (wasStarted) {
      const waiters = this._stopWaiters;
      this._stopWaiters = [];
      for (const s of waiters) s.wake();
    }
  }

  /** True once close() or stop() was called (until the next start()). */
  get closed(): boolean {
    return !this._started;
  }

  /** Pauses handing items to handlers (they queue, up to backlog). */
  stopAccepting(): void {
    this._accepting = false;
  }

  /** Resumes handing items to handlers. */
  startAccepting(): void {
    if (this._accepting) return;
    this._accepting = true;
    this._acceptSlot.wakeSoon();
  }

  /**
   * Called with a handler's error (not for kills); the connection is then closed. The
   * default prints the hub's report naming the server and the client. Override or
   * replace to log elsewhere; it must not wait.
   */
  handleError(error: unknown, client: string): void {
    const hub = this._hub ?? getHub();
    const ctx = { toString: () => `${this} handling ${client}` };
    hub.handleError(ctx, error);
  }

  /** @internal an item arrived (from a Node listener: never switches). */
  _enqueue(item: Item): void {
    if (!this._started) {
      this._drop(item);
      return;
    }
    if (this.queued >= this.backlog && !this._canStartNow()) {
      this.dropped++;
      this._drop(item);
      return;
    }
    this._queue.push(item);
    this._acceptSlot.wake();
  }

  /** The acceptor waits for items and a handler could start at once. */
  private _canStartNow(): boolean {
    if (!this._accepting || !this._acceptSlot.busy) return false;
    const p = this._pool;
    return p === null || typeof p.full !== 'function' || !p.full();
  }

  private _shift(): Item | undefined {
    if (this._qhead >= this._queue.length) return undefined;
    const item = this._queue[this._qhead]!;
    (this._queue as any)[this._qhead] = undefined;
    this._qhead++;
    if (this._qhead === this._queue.length) {
      this._queue = [];
      this._qhead = 0;
    } else if (this._qhead > 64 && this._qhead * 2 > this._queue.length) {
      this._queue = this._queue.slice(this._qhead);
      this._qhead = 0;
    }
    return item;
  }

  private _dropQueue(): void {
    for (let item = this._shift(); item !== undefined; item = this._shift()) this._drop(item);
  }

  private *_startBody(): Generator<unknown, void, any> {
    if (this._started) return;
    const me = currentHubGreenlet('server.start()');
    this._hub = me.hub;
    yield* this._open();
    this._started = true;
    this._accepting = true;
    this._acceptor = spawn(acceptLoop, this);
  }

  private *_serveBody(stopTimeout: number | null): Generator<unknown, void, any> {
    if (!this._started) yield* this._startBody();
    const slot = new Slot();
    this._stopWaiters.push(slot);
    try {
      while (this._started) {
        yield* slot.wait('server.serveForever()', null, this);
      }
    } finally {
      const i = this._stopWaiters.indexOf(slot);
      if (i >= 0) this._stopWaiters.splice(i, 1);
      if (this._started) {
        // Killed (or an outer Timeout): stop in a greenlet of its own, as gevent does, so
        // a forced end of this one cannot cut the stop short.
        const stopper = spawn(
          function* (server: BaseServer<Item>, t: number | null) {
            yield* server.stop(t);
          },
          this,
          stopTimeout,
        );
        yield* stopper.join();
      }
    }
  }

  private *_stopBody(timeout: number): Generator<unknown, void, any> {
    this.close();
    const running = [...this._handlers];
    if (running.length === 0) return;
    yield* joinall(running, { timeout });
    const left = running.filter((g) => !g.dead);
    if (left.length > 0) yield* killall(left);
  }

  /** @internal the acceptor's loop (runs in its own greenlet while started). */
  *_acceptLoop(): Generator<unknown, void, any> {
    for (;;) {
      if (!this._started) return;
      if (!this._accepting || this.queued === 0) {
        yield* this._acceptSlot.wait('server.accept', null, this);
        continue;
      }
      const p = this._pool;
      if (
        p !== null &&
        typeof p.full === 'function' &&
        typeof p.waitAvailable === 'function' &&
        p.full()
      ) {
        // Leave the item queued (paused) until the pool has room.
        yield* p.waitAvailable();
        continue;
      }
      const item = this._shift()!;
      if (this._pool !== null) {
        let g: Greenlet<any, any>;
        try {
          g = yield* this._pool.spawn(this._body, this, item);
        } catch (e) {
          this._drop(item);
          if (!this._started) return;
          throw e;
        }
        this._track(g);
      } else {
        this._track(spawn(this._body, this, item));
      }
    }
  }

  private _track(g: Greenlet<any, any>): void {
    this._handlers.add(g);
    g.rawlink(this._onHandlerDone);
  }

  private readonly _onHandlerDone = (g: Greenlet<any, any>): void => {
    this._handlers.delete(g);
    if (this.queued !== 0) this._acceptSlot.wake();
  };

  /** @internal reports a handler's error (not a kill) with handleError. */
  _reportError(e: unknown, item: Item): void {
    if (isGreenletExit(e)) return;
    try {
      this.handleError(e, this._describeItem(item));
    } catch (e2) {
      (this._hub ?? getHub()).handleError(this, e2);
    }
  }

  toString(): string {
    const a = this.address;
    const where = a === null ? 'unbound' : (a.path ?? formatAddress(a.host, a.port));
    return `<${this.constructor.name} ${where}>`;
  }
}

function* acceptLoop(server: BaseServer<any>): Generator<unknown, void, any> {
  yield* server._acceptLoop();
}

/** Runs a user handler's result: a generator is run, a promise awaited (killable). */
export function* runResult(r: any): Generator<unknown, unknown, any> {
  if (r !== null && typeof r === 'object') {
    if (typeof r.next === 'function' && typeof r[Symbol.iterator] === 'function') return yield* r;
    if (typeof r.then === 'function') return yield* until(r);
  }
  return r;
}
