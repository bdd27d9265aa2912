/**
 * Queue: a FIFO queue for greenlets, optionally bounded (gevent.queue.Queue).
 *
 * ```ts
 * const q = new Queue<string>(100);             // at most 100 items: put waits when full
 * spawn(function* () { for (const p of pages) yield* q.put(p); });
 * const first = yield* q.get({ timeout: 5 });   // Empty after 5 s
 * for (let r; !(r = yield* q.iter().next()).done; ) use(r.value);
 * ```
 *
 * ## Rules
 *
 * - `maxsize` null, undefined or 0: unbounded (`full()` is never true). Else a positive
 *   integer; a negative or fractional one is a RangeError. It can be changed later: a
 *   larger bound at once moves waiting putters' items in, in order.
 * - **FIFO, direct hand-off.** `put` to a queue with waiting getters hands the item straight
 *   to the first getter whose wait is still open: no other greenlet can take it first, and
 *   the getter is certain to receive it (even if it is killed before it runs: the kill is
 *   raised at its next wait). `get` from a full queue with waiting putters moves the first
 *   putter's item in and wakes that putter. Waiting getters, and waiting putters, are
 *   served in the order they began to wait. (gevent wakes the waiter and lets it retry,
 *   so a running greenlet can barge in.)
 * - `put(item, { block, timeout })` returns at once when there is room (no switch); else it
 *   waits, at most `timeout` seconds, then raises Full. `block: false` raises Full at once.
 *   `get({ block, timeout })` likewise returns an item or raises Empty. `timeout` may be a
 *   Timeout instance (it is raised instead). `putNowait`/`getNowait`/`peekNowait` are the
 *   non-waiting forms as plain calls (usable from hub callbacks).
 * - `peek()` returns the next item without removing it, waiting for one if needed; a
 *   waiting peeker sees the next item put, which still goes to a getter or the queue.
 * - A greenlet killed or interrupted while waiting leaves the line and takes nothing: its
 *   item (a putter's) is not put, an item handed to it before (a getter's) is delivered.
 * - Iteration: `q.iter(stop?)` is an OpIterator that gets items until it gets `stop`
 *   (default: the `StopIteration` sentinel) or the queue is shut down; `for await (const x
 *   of q)` does the same from async code.
 * - `shutdown(immediate = false)`: every later put raises ShutDown; gets go on until the
 *   queue is empty, then raise ShutDown (at once with `immediate`, which drops the items).
 *   Waiting getters and putters are woken with ShutDown.
 *
 * Costs: put and get that do not wait are O(1) with no allocation but their Op; one that
 * waits costs one small waiter object and two switches (to the hub and back).
 */
import { trackOp } from '@g/greenlet';
import {
  beginWait,
  currentHubGreenlet,
  type Op,
  type OpIterator,
  type Timeout,
  toHub,
  wakeThrow,
} from '@g/hub';
import { Empty, Full } from './errors.js';
import { GetOp, getBody, NONE, type Source, shutDown } from './get.js';
import { type Names, nameOps } from './names.js';
import { QueueIterator, StopIteration } from './queue-iterator.js';
import { Fifo, type Store } from './store.js';
import { arm, checkTimeoutOrTimeout, disarm } from './timeouts.js';
import { type Waiter, WaitList } from './wait-list.js';
import { PENDING, WaitOp } from './wait-op.js';

export interface QueueOptions {
  /** Wait for room or an item (default true); false raises Full or Empty at once. */
  block?: boolean;
  /** Seconds (or a Timeout) to wait at most; then Full or Empty (or that Timeout). */
  timeout?: number | Timeout | null;
}

export class Queue<T> implements Source<T> {
  /** @internal names of the Ops (per class). */
  declare readonly _n: Names;
  /** @internal the items. */
  _items: Store<T>;
  /** @internal the bound (Infinity: none). */
  _max: number;
  /** @internal */
  readonly _getters = new WaitList();
  /** @internal */
  readonly _putters = new WaitList();
  /** @internal */
  readonly _peekers = new WaitList();
  /** @internal 0 open, 1 shut down. */
  _shut = 0;

  constructor(maxsize?: number | null, items?: Iterable<T>) {
    this._max = checkMaxsize(maxsize, `${new.target.name}(maxsize)`);
    this._items = new Fifo<T>();
    if (items !== undefined && items !== null) for (const x of items) this._items.push(x);
  }

  /** The bound, or null when unbounded. Setting it takes the same values as the constructor. */
  get maxsize(): number | null {
    return this._max === Infinity ? null : this._max;
  }

  set maxsize(n: number | null) {
    this._max = checkMaxsize(n, `${this.constructor.name}.maxsize`);
    if (this._putters.length > 0) this._refill();
  }

  /** Number of items in the queue. */
  qsize(): number {
    return this._items.size;
  }

  /** Same as qsize() (gevent's len(q)). */
  get length(): number {
    return this._items.size;
  }

  /** True when the queue holds no item. */
  empty(): boolean {
    return this._items.size === 0;
  }

  /** True when a put would wait (never for an unbounded queue). */
  full(): boolean {
    return this._items.size >= this._max;
  }

  /** Greenlets waiting in get(). */
  get getters(): number {
    return this._getters.length;
  }

  /** Greenlets waiting in put(). */
  get putters(): number {
    return this._putters.length;
  }

  /** True once shutdown() was called. */
  get isShutdown(): boolean {
    return this._shut !== 0;
  }

  /** Puts `item`, waiting for room as needed. See the class comment. */
  put(item: T, options?: QueueOptions): Op<void> {
    if (options === undefined) return trackOp<void>(new PutOp(this, item), this._n.put!);
    const block = options?.block ?? true;
    const timeout = block
      ? checkTimeoutOrTimeout(options?.timeout, 'put(item, { timeout })')
      : null;
    return trackOp(putBody(this, item, block, timeout), this._n.put!);
  }

  /** Puts `item` if there is room, else raises Full. Never waits. */
  putNowait(item: T): void {
    if (this._shut !== 0) throw shutDown(this, 'putNowait');
    if (!this._tryPut(item)) throw new Full();
  }

  /** Removes and returns the next item, waiting as needed. See the class comment. */
  get(options?: QueueOptions): Op<T> {
    if (options === undefined) return trackOp<T>(new GetOp(this), this._n.get!);
    const block = options?.block ?? true;
    const timeout = block ? checkTimeoutOrTimeout(options?.timeout, 'get({ timeout })') : null;
    return trackOp(getBody(this, block, timeout, null), this._n.get!);
  }

  /** Removes and returns the next item, or raises Empty (ShutDown once shut and empty). */
  getNowait(): T {
    const x = this._tryGet();
    if (x !== NONE) return x;
    if (this._shut !== 0) throw shutDown(this, 'getNowait');
    throw new Empty();
  }

  /** Returns the next item without removing it, waiting as needed. */
  peek(options?: QueueOptions): Op<T> {
    const block = options?.block ?? true;
    const timeout = block ? checkTimeoutOrTimeout(options?.timeout, 'peek({ timeout })') : null;
    return trackOp(peekBody(this, block, timeout), this._n.peek!);
  }

  /** Returns the next item without removing it, or raises Empty. */
  peekNowait(): T {
    if (this._items.size > 0) return this._items.peek();
    if (this._shut !== 0) throw shutDown(this, 'peekNowait');
    throw new Empty();
  }

  /**
   * An OpIterator getting items until `stop` (default StopIteration) is got or the queue
   * is shut down; `close()` ends it (a waiting `next()` returns done).
   */
  iter<S = typeof StopIteration>(...stop: [stop?: S]): OpIterator<Exclude<T, S>> {
    return new QueueIterator<Exclude<T, S>>(this as any, stop.length > 0 ? stop[0] : StopIteration);
  }

  /** `for await (const x of q)` from async code: see iter(). */
  [Symbol.asyncIterator](): AsyncIterator<Exclude<T, typeof StopIteration>> {
    return this.iter()[Symbol.asyncIterator]();
  }

  /**
   * Shuts the queue down (see the class comment). With `immediate`, the items still in it
   * are dropped first. Never waits.
   */
  shutdown(immediate = false): void {
    this._shut = 1;
    if (immediate) this._dropAll();
    const raise = (w: Waiter) => {
      wakeThrow(w.g, w.seq, shutDown(this, 'a wait'));
    };
    this._getters.drain(raise);
    this._putters.drain(raise);
    this._peekers.drain(raise);
  }

  /** The items, in the order they would be got (a copy). */
  toArray(): T[] {
    return this._items.toArray();
  }

  toString(): string {
    const parts = [`size=${this._items.size}`];
    if (this._max !== Infinity) parts.push(`maxsize=${this._max}`);
    if (this._getters.length) parts.push(`getters=${this._getters.length}`);
    if (this._putters.length) parts.push(`putters=${this._putters.length}`);
    if (this._shut) parts.push('shut down');
    return `<${this.constructor.name} ${parts.join(' ')}>`;
  }

  /** @internal an item entered the queue (JoinableQueue counts it). */
  _count(): void {}

  /** @internal removes every item (shutdown(true)). */
  _dropAll(): void {
    while (this._items.size > 0) this._items.take();
  }

  /** @internal puts `item` if there is room: to a waiting getter, else into the store. */
  _tryPut(item: T): boolean {
    if (this._items.size >= this._max) return false;
    this._count();
    if (this._peekers.length > 0) this._peekers.wakeAll(item);
    if (this._getters.length > 0) {
      const w = this._getters.wakeFirst();
      if (w !== null) {
        w.value = item;
        return true;
      }
    }
    this._items.push(item);
    return true;
  }

  /** @internal takes the next item (then lets a waiting putter in), or NONE. */
  _tryGet(): T | typeof NONE {
    if (this._items.size === 0) return NONE;
    const item = this._items.take();
    if (this._putters.length > 0) this._refill();
    return item;
  }

  /** @internal */
  _isShut(): boolean {
    return this._shut !== 0;
  }

  /** @internal moves waiting putters' items in while there is room. */
  _refill(): void {
    while (this._items.size < this._max) {
      const w = this._putters.wakeFirst();
      if (w === null) return;
      this._count();
      this._items.push(w.value);
    }
  }
}

nameOps(Queue, 'put', 'get', 'peek');

/** Validates a maxsize; returns Infinity for "unbounded". */
export function checkMaxsize(n: unknown, what: string): number {
  if (n === undefined || n === null || n === 0) return Infinity;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new RangeError(
      `${what} must be a positive integer, or null/0 for no bound, got ${String(n)}`,
    );
  }
  return n;
}

/** put(item) without options (see WaitOp): at once with room, else a putter in line. */
class PutOp<T> extends WaitOp<void> {
  private w: Waiter | null = null;

  constructor(
    private readonly q: Queue<T>,
    private readonly item: T,
  ) {
    super();
  }

  protected start(): undefined | typeof PENDING {
    const q = this.q;
    if (q._shut !== 0) throw shutDown(q, 'put');
    if (q._tryPut(this.item)) return undefined;
    const g = currentHubGreenlet(q._n['put()']!);
    this.w = q._putters.add(g, beginWait(g, 'Queue.put'), this.item);
    this.suspend(g);
    return PENDING;
  }

  protected resumed(v: unknown): undefined {
    if (v !== this.w) throw new Full();
    return undefined;
  }

  protected cleanup(): void {
    this.q._putters.done(this.w!);
    this.w = null;
  }
}

function* putBody<T>(
  q: Queue<T>,
  item: T,
  block: boolean,
  timeout: number | Timeout | null,
): Generator<unknown, void, any> {
  if (q._shut !== 0) throw shutDown(q, 'put');
  if (q._tryPut(item)) return;
  if (!block) throw new Full();
  const g = currentHubGreenlet(q._n['put()']!);
  const seq = beginWait(g, 'Queue.put');
  const w = q._putters.add(g, seq, item);
  const t = timeout === null ? null : arm(g, timeout);
  try {
    if ((yield* toHub(g)) !== w) throw new Full();
  } finally {
    if (timeout !== null) disarm(g, t);
    q._putters.done(w);
  }
}

function* peekBody<T>(
  q: Queue<T>,
  block: boolean,
  timeout: number | Timeout | null,
): Generator<unknown, T, any> {
  if (q._items.size > 0) return q._items.peek();
  if (q._shut !== 0) throw shutDown(q, 'peek');
  if (!block) throw new Empty();
  const g = currentHubGreenlet(q._n['peek()']!);
  const seq = beginWait(g, 'Queue.peek');
  const w = q._peekers.add(g, seq, undefined);
  const t = timeout === null ? null : arm(g, timeout);
  try {
    if ((yield* toHub(g)) === w) return w.value as T;
    throw new Empty();
  } finally {
    if (timeout !== null) disarm(g, t);
    q._peekers.done(w);
  }
}
