/**
 * Channel: a queue with no room (gevent.queue.Channel): every put waits for a get.
 *
 * ```ts
 * const ch = new Channel<string>();
 * spawn(function* () { yield* ch.put('hello'); console.log('sent'); });
 * console.log(yield* ch.get());                // 'hello', then the putter goes on
 * ```
 *
 * ## Rules
 *
 * - `put(item)` hands the item to the first waiting getter, which is certain to receive
 *   it, and then lets that getter run before it returns (one pass through the run queue).
 *   With no getter it waits in line until a get takes its item (FIFO), at most `timeout`
 *   seconds, then raises Full; `block: false` raises Full at once when no getter waits.
 * - `get()` takes the first waiting putter's item at once and wakes that putter (the
 *   getter goes on first); with no putter it waits, at most `timeout`, then raises Empty.
 * - `putNowait(item)` hands to a waiting getter or raises Full; `getNowait()` takes from a
 *   waiting putter or raises Empty. Both are plain calls, usable from hub callbacks.
 * - `qsize()` is 0; `empty()` and `full()` are both true. `balance` is waiting putters
 *   minus waiting getters.
 * - A greenlet killed or interrupted while waiting leaves the line: a putter's item is not
 *   delivered; an item handed to a getter is.
 * - Iteration as Queue's: `ch.iter(stop?)`, `for await (const x of ch)`.
 *
 * Costs: a hand-off is O(1); the put always switches (it waits or lets the getter run).
 */
import { trackOp } from '@g/greenlet';
import {
  beginWait,
  currentHubGreenlet,
  type Op,
  type OpIterator,
  type Timeout,
  toHub,
  wake,
} from '@g/hub';
import { Empty, Full } from './errors.js';
import { GetOp, getBody, NONE, type Source } from './get.js';
import { type Names, nameOps } from './names.js';
import type { QueueOptions } from './queue.js';
import { QueueIterator, StopIteration } from './queue-iterator.js';
import { arm, checkTimeoutOrTimeout, disarm } from './timeouts.js';
import { type Waiter, WaitList } from './wait-list.js';
import { PENDING, WaitOp } from './wait-op.js';

export class Channel<T> implements Source<T> {
  /** @internal names of the Ops. */
  declare readonly _n: Names;
  /** @internal */
  readonly _getters = new WaitList();
  /** @internal */
  readonly _putters = new WaitList();

  /** Always 0: a channel holds nothing. */
  qsize(): number {
    return 0;
  }

  get length(): number {
    return 0;
  }

  empty(): boolean {
    return true;
  }

  full(): boolean {
    return true;
  }

  /** Waiting putters minus waiting getters. */
  get balance(): number {
    return this._putters.length - this._getters.length;
  }

  get getters(): number {
    return this._getters.length;
  }

  get putters(): number {
    return this._putters.length;
  }

  /** Hands `item` to a getter, waiting for one as needed. See the class comment. */
  put(item: T, options?: QueueOptions): Op<void> {
    if (options === undefined) return trackOp<void>(new ChannelPutOp(this, item), 'Channel.put');
    const block = options?.block ?? true;
    const timeout = block
      ? checkTimeoutOrTimeout(options?.timeout, 'put(item, { timeout })')
      : null;
    return trackOp(this.putBody(item, block, timeout), 'Channel.put');
  }

  /** Hands `item` to a waiting getter, or raises Full. Never waits. */
  putNowait(item: T): void {
    const w = this._getters.length > 0 ? this._getters.wakeFirst() : null;
    if (w === null) throw new Full('Channel.putNowait(): no greenlet is waiting in get()');
    w.value = item;
  }

  /** Takes an item from a putter, waiting for one as needed. See the class comment. */
  get(options?: QueueOptions): Op<T> {
    if (options === undefined) return trackOp<T>(new GetOp(this), 'Channel.get');
    const block = options?.block ?? true;
    const timeout = block ? checkTimeoutOrTimeout(options?.timeout, 'get({ timeout })') : null;
    return trackOp(getBody(this, block, timeout, null), 'Channel.get');
  }

  /** Takes a waiting putter's item, or raises Empty. Never waits. */
  getNowait(): T {
    const x = this._tryGet();
    if (x === NONE) throw new Empty('Channel.getNowait(): no greenlet is waiting in put()');
    return x;
  }

  /** See Queue#iter. */
  iter<S = typeof StopIteration>(...stop: [stop?: S]): OpIterator<Exclude<T, S>> {
    return new QueueIterator<Exclude<T, S>>(this, stop.length > 0 ? stop[0] : StopIteration);
  }

  [Symbol.asyncIterator](): AsyncIterator<Exclude<T, typeof StopIteration>> {
    return this.iter()[Symbol.asyncIterator]();
  }

  toString(): string {
    return `<Channel getters=${this._getters.length} putters=${this._putters.length}>`;
  }

  /** @internal */
  _tryGet(): T | typeof NONE {
    if (this._putters.length === 0) return NONE;
    const w = this._putters.wakeFirst();
    return w === null ? NONE : (w.value as T);
  }

  /** @internal */
  _isShut(): boolean {
    return false;
  }

  private *putBody(
    item: T,
    block: boolean,
    timeout: number | Timeout | null,
  ): Generator<unknown, void, any> {
    if (!block && !this._getters.hasLive()) {
      throw new Full('Channel.put({ block: false }): no greenlet is waiting in get()');
    }
    const g = currentHubGreenlet('Channel.put()');
    // Open the wait first: a kill or Timeout already due is raised before anything is handed.
    const seq = beginWait(g, 'Channel.put');
    const got = this._getters.length > 0 ? this._getters.wakeFirst() : null;
    if (got !== null) {
      got.value = item;
      wake(g, seq); // after the getter: it runs first
      yield* toHub(g);
      return;
    }
    const w = this._putters.add(g, seq, item);
    const t = timeout === null ? null : arm(g, timeout);
    try {
      if ((yield* toHub(g)) !== w) throw new Full();
    } finally {
      if (timeout !== null) disarm(g, t);
      this._putters.done(w);
    }
  }
}

nameOps(Channel, 'put', 'get');

/**
 * put(item) without options (see WaitOp): hands the item to a waiting getter and lets it run
 * first, else waits in line as a putter.
 */
class ChannelPutOp<T> extends WaitOp<void> {
  private w: Waiter | null = null;

  constructor(
    private readonly ch: Channel<T>,
    private readonly item: T,
  ) {
    super();
  }

  protected start(): typeof PENDING {
    const ch = this.ch;
    const g = currentHubGreenlet('Channel.put()');
    // Open the wait first: a kill or Timeout already due is raised before anything is handed.
    const seq = beginWait(g, 'Channel.put');
    const got = ch._getters.length > 0 ? ch._getters.wakeFirst() : null;
    if (got !== null) {
      got.value = this.item;
      wake(g, seq); // after the getter: it runs first
    } else {
      this.w = ch._putters.add(g, seq, this.item);
    }
    this.suspend(g);
    return PENDING;
  }

  protected resumed(v: unknown): undefined {
    if (this.w !== null && v !== this.w) throw new Full();
    return undefined;
  }

  protected cleanup(): void {
    const w = this.w;
    if (w !== null) {
      this.w = null;
      this.ch._putters.done(w);
    }
  }
}
