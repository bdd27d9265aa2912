/**
 * Pool: a Group with at most `size` members at once (gevent.pool.Pool).
 *
 * ```ts
 * const pool = new Pool(10);                    // never more than 10 at once
 * const pages = yield* pool.map(download, urls); // in the order of urls
 * for (const it = pool.imapUnordered(check, hosts), r; !(r = yield* it.next()).done; ) log(r.value);
 * ```
 *
 * ## Rules
 *
 * - `size`: an integer >= 0, or null/undefined for no limit. `new Pool(0)` is always full
 *   (useful only with `waitAvailable({ timeout })`). A negative or fractional size is a
 *   RangeError. `size` can be changed at any time: a larger size at once lets waiting
 *   spawners in (FIFO); a smaller one makes new spawns wait until enough members left.
 * - `spawn(fn, ...args)` (an Op) waits while the pool is full, then adds and starts the
 *   greenlet. Spawners waiting for a slot are served in FIFO order; a member that dies
 *   hands its slot straight to the first of them (nobody can take it in between).
 * - `add(g, { blocking, timeout })` adds an existing greenlet the same way; with
 *   `blocking: false` a full pool raises PoolFull at once, with `timeout` after that many
 *   seconds. `start(g, options)` adds and starts.
 * - `freeCount()` is `size - members` (slots handed to a waiting spawner count as taken);
 *   `full()` is `freeCount() <= 0`. `waitAvailable(timeout?)` waits until a slot is free
 *   (not handed to a spawner) and resolves freeCount() (0 after the timeout).
 * - A spawner killed or interrupted while waiting leaves the line; a slot already handed
 *   to it is used (spawn completes) or, if its greenlet died meanwhile, passed on.
 * - `applyAsync` never waits: with the pool full it starts an extra greenlet (not a
 *   member) that waits for the slot. `apply` from a member runs inline (no deadlock).
 * - `imap`/`imapUnordered` keep at most `size` calls running; by default they also stop
 *   taking items while `2 * size` results are spawned and not yet consumed (see imap.ts).
 */
import { trackOp } from '@g/greenlet';
import { beginWait, currentHubGreenlet, type Op, toHub } from '@g/hub';
import { PoolFull } from './errors.js';
import { GROUP_OPS, Group } from './group.js';
import { nameOps } from './names.js';
import { arm, checkTimeout, disarm } from './timeouts.js';
import { WaitList } from './wait-list.js';

export class Pool extends Group {
  private limit: number;
  /** @internal members plus slots handed to waiting spawners. */
  _slots = 0;
  private readonly slotWaiters = new WaitList();
  private readonly availWaiters = new WaitList();

  constructor(size?: number | null) {
    super();
    this.limit = checkSize(size, 'Pool(size)');
  }

  /** The limit, or null when there is none. */
  get size(): number | null {
    return this.limit === Infinity ? null : this.limit;
  }

  set size(n: number | null) {
    this.limit = checkSize(n, 'Pool.size');
    while (this._slots < this.limit && this.slotWaiters.length > 0) {
      if (this.slotWaiters.wakeFirst() === null) break;
      this._slots++;
    }
    this.freed();
  }

  override freeCount(): number {
    return this.limit === Infinity ? Infinity : Math.max(0, this.limit - this._slots);
  }

  override full(): boolean {
    return this.freeCount() <= 0;
  }

  /** Waits until a slot is free; resolves freeCount() (0 after `timeout` seconds). */
  override waitAvailable(timeout?: number | null): Op<number> {
    const t = checkTimeout(timeout, 'waitAvailable(timeout)');
    return trackOp(this.availBody(t), 'Pool.waitAvailable');
  }

  override toString(): string {
    return `<Pool size=${this.size} members=${this._members.size} waiting=${this.slotWaiters.length}>`;
  }

  /** @internal */
  override _tryReserve(): boolean {
    if (this._slots < this.limit) {
      this._slots++;
      return true;
    }
    return false;
  }

  /** @internal */
  override *_waitSlot(blocking: boolean, timeout: number | null): Generator<unknown, boolean, any> {
    if (!blocking) return false;
    const g = currentHubGreenlet(this._n['spawn()']!);
    const seq = beginWait(g, 'Pool slot');
    const w = this.slotWaiters.add(g, seq, undefined);
    if (timeout !== null) arm(g, timeout);
    try {
      return (yield* toHub(g)) === w;
    } finally {
      if (timeout !== null) disarm(g, null);
      this.slotWaiters.done(w);
    }
  }

  /** @internal */
  override _releaseSlot(): void {
    // The slot passes straight to the first waiting spawner while the pool is not over size.
    if (this._slots <= this.limit && this.slotWaiters.length > 0) {
      if (this.slotWaiters.wakeFirst() !== null) return;
    }
    this._slots--;
    this.freed();
  }

  /** @internal */
  override _track(g: any): void {
    if (this._members.has(g)) return;
    this._slots++;
    this._trackReserved(g);
  }

  /** @internal */
  override _fullError(blocking: boolean, timeout: number | null): Error {
    return new PoolFull(
      blocking
        ? `the pool is full (size ${this.size}): no slot was free within ${timeout} s`
        : `the pool is full (size ${this.size}) and blocking is false`,
    );
  }

  private freed(): void {
    if (this.availWaiters.length > 0 && this._slots < this.limit) this.availWaiters.wakeAll();
  }

  private *availBody(timeout: number | null): Generator<unknown, number, any> {
    if (this.freeCount() > 0) return this.freeCount();
    const g = currentHubGreenlet('Pool.waitAvailable()');
    const seq = beginWait(g, 'Pool.waitAvailable');
    const w = this.availWaiters.add(g, seq, undefined);
    if (timeout !== null) arm(g, timeout);
    try {
      yield* toHub(g);
      return this.freeCount();
    } finally {
      if (timeout !== null) disarm(g, null);
      this.availWaiters.done(w);
    }
  }
}

nameOps(Pool, ...GROUP_OPS);

function checkSize(n: unknown, what: string): number {
  if (n === undefined || n === null) return Infinity;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new RangeError(`${what} must be an integer >= 0, or null for no limit, got ${String(n)}`);
  }
  return n;
}
