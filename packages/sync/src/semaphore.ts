/**
 * Semaphore and BoundedSemaphore (gevent.lock).
 *
 * ```ts
 * const sem = new Semaphore(2);                 // two permits
 * if (yield* sem.acquire({ timeout: 5 })) {     // false after 5 s
 *   try { yield* work(); } finally { sem.release(); }
 * }
 * using _held = yield* sem.hold();               // acquire; released when the block is left
 * ```
 *
 * ## Rules
 *
 * - The counter starts at `value` (an integer >= 0, default 1). `acquire()` takes a permit:
 *   at once if one is free (no switch), else it waits. `release()` gives one back.
 * - **FIFO, direct hand-off.** Waiters are served strictly in the order they started
 *   waiting. `release()` with waiters hands its permit straight to the first waiter whose
 *   wait is still open: the counter stays 0 and no running greenlet can take that permit
 *   first. (gevent instead wakes the waiter, which takes the permit when it runs, so a
 *   greenlet that acquires in between can barge in.) A release therefore wakes exactly one
 *   waiter, and only when there is one that can proceed.
 * - `acquire({ blocking: false })` never waits; `acquire({ timeout })` waits at most
 *   `timeout` seconds. Both return whether the permit was taken. A waiter whose timeout
 *   expires, or that is killed or interrupted by a Timeout, leaves the line; a permit
 *   already handed to it is kept (the Op returns true), and the kill or Timeout is raised
 *   at its next wait, so a `try`/`finally` after `acquire` releases it. Nothing is lost or
 *   counted twice.
 * - `wait(timeout?)` waits until a permit is free without taking it and returns the
 *   counter (0 after a timeout). A permit handed to an acquirer never counts as free.
 * - `locked()` is `counter <= 0`, `ready()` is `counter > 0`. `rawlink(cb)` calls `cb(sem)`
 *   from the hub when a permit is free (see Links), so `wait([sem])`/`iwait` work on it.
 * - `hold()` acquires (waiting as needed) and returns a Disposable whose dispose releases:
 *   `using _held = yield* sem.hold()`; the same without `using`:
 *   `yield* sem.acquire(); try { ... } finally { sem.release(); }`.
 *
 * Costs: acquire and release without contention are a counter update (acquire still
 * creates its Op); a blocked acquire costs one small waiter object and two switches
 * (to the hub and back).
 *
 * BoundedSemaphore: `release()` past the initial value throws a RangeError (gevent's
 * "Semaphore released too many times") and changes nothing.
 */
import { trackOp } from '@g/greenlet';
import { beginWait, currentHubGreenlet, type Op, Timeout, toHub, type Waitable } from '@g/hub';
import { Links } from './links.js';
import { arm, checkTimeout, disarm } from './timeouts.js';
import { type Waiter, WaitList } from './wait-list.js';
import { PENDING, WaitOp } from './wait-op.js';

export interface AcquireOptions {
  /** Wait for a permit (default true); false returns false at once when none is free. */
  blocking?: boolean;
  /** Seconds to wait at most (null or undefined: no limit); then acquire returns false. */
  timeout?: number | null;
}

export interface HoldOptions {
  /** Seconds to wait at most; then hold() raises a Timeout. */
  timeout?: number | null;
}

export class Semaphore implements Waitable {
  /** @internal free permits. */
  _counter: number;
  /** @internal greenlets waiting in acquire(). */
  readonly _acquirers = new WaitList();
  /** @internal greenlets waiting in wait(). */
  readonly _watchers = new WaitList();
  /** @internal rawlink callbacks. */
  readonly _links = new Links(this, true);

  constructor(value = 1) {
    checkCount(value, `${new.target.name}(value)`);
    this._counter = value;
  }

  /** Free permits now. */
  get counter(): number {
    return this._counter;
  }

  /** True when no permit is free (an acquire would wait). */
  locked(): boolean {
    return this._counter <= 0;
  }

  /** True when a permit is free. */
  ready(): boolean {
    return this._counter > 0;
  }

  /** Takes a permit; resolves whether it got one. See the class comment. */
  acquire(options?: AcquireOptions): Op<boolean> {
    if (options === undefined) return trackOp<boolean>(new AcquireOp(this), 'Semaphore.acquire');
    const blocking = options?.blocking ?? true;
    const timeout = blocking ? checkTimeout(options?.timeout, 'acquire({ timeout })') : null;
    return trackOp(
      acquireBody(this, blocking, timeout, 'Semaphore.acquire', 'Semaphore.acquire()'),
      'Semaphore.acquire',
    );
  }

  /** Gives a permit back: to the first waiter in line, else to the counter. Never waits. */
  release(): void {
    if (this._acquirers.length > 0 && this._acquirers.wakeFirst() !== null) return;
    this._counter++;
    this._freed();
  }

  /** Waits until a permit is free (without taking it); resolves the counter. */
  wait(timeout?: number | null): Op<number> {
    const t = checkTimeout(timeout, 'wait(timeout)');
    return trackOp(waitBody(this, t), 'Semaphore.wait');
  }

  /** Acquires, waiting as needed, and returns a Disposable that releases. */
  hold(options?: HoldOptions): Op<Disposable> {
    const timeout = checkTimeout(options?.timeout, 'hold({ timeout })');
    return trackOp(holdBody(this, timeout), 'Semaphore.hold');
  }

  /** Calls `cb(this)` from the hub once a permit is free (once). */
  rawlink(cb: (sem: this) => void): void {
    this._links.add(cb, this.constructor.name);
  }

  /** Removes a rawlink callback not yet called. */
  unlink(cb: unknown): void {
    this._links.remove(cb);
  }

  /** Waiting greenlets plus rawlink callbacks. */
  linkcount(): number {
    return this._acquirers.length + this._watchers.length + this._links.size;
  }

  toString(): string {
    return `<${this.constructor.name} counter=${this._counter} waiters=${this._acquirers.length}>`;
  }

  /** @internal the counter went up: wake wait() callers and links. */
  _freed(): void {
    if (this._watchers.length > 0) this._watchers.wakeAll();
    if (this._links.size > 0) this._links.fire();
  }
}

export class BoundedSemaphore extends Semaphore {
  /** The initial value: release() never takes the counter above it. */
  readonly bound: number;

  constructor(value = 1) {
    super(value);
    this.bound = value;
  }

  /** As Semaphore#release; throws a RangeError when every permit is already free. */
  override release(): void {
    if (this._counter >= this.bound) {
      throw new RangeError(
        `${this.constructor.name}.release(): released too many times (all ${this.bound} ` +
          'permits are free). Release only what you acquired.',
      );
    }
    super.release();
  }
}

/** Validates a non-negative integer count. */
export function checkCount(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${what} must be an integer >= 0, got ${String(value)}`);
  }
}

/** acquire() without options (see WaitOp): a free permit at once, else an acquirer in line. */
class AcquireOp extends WaitOp<boolean> {
  private w: Waiter | null = null;

  constructor(private readonly s: Semaphore) {
    super();
  }

  protected start(): boolean | typeof PENDING {
    const s = this.s;
    if (s._counter > 0) {
      s._counter--;
      return true;
    }
    const g = currentHubGreenlet('Semaphore.acquire()');
    this.w = s._acquirers.add(g, beginWait(g, 'Semaphore.acquire'), undefined);
    this.suspend(g);
    return PENDING;
  }

  protected resumed(v: unknown): boolean {
    return v === this.w;
  }

  protected cleanup(): void {
    this.s._acquirers.done(this.w!);
    this.w = null;
  }
}

/** @internal the body of acquire() (also used by Lock and RLock). */
export function* acquireBody(
  s: Semaphore,
  blocking: boolean,
  timeout: number | null,
  what: string,
  call: string,
): Generator<unknown, boolean, any> {
  if (s._counter > 0) {
    s._counter--;
    return true;
  }
  if (!blocking) return false;
  const g = currentHubGreenlet(call);
  const seq = beginWait(g, what);
  const w = s._acquirers.add(g, seq, undefined);
  if (timeout !== null) arm(g, timeout);
  try {
    return (yield* toHub(g)) === w;
  } finally {
    if (timeout !== null) disarm(g, null);
    s._acquirers.done(w);
  }
}

function* waitBody(s: Semaphore, timeout: number | null): Generator<unknown, number, any> {
  if (s._counter > 0) return s._counter;
  const g = currentHubGreenlet('Semaphore.wait()');
  const seq = beginWait(g, 'Semaphore.wait');
  const w = s._watchers.add(g, seq, undefined);
  if (timeout !== null) arm(g, timeout);
  try {
    yield* toHub(g);
    return s._counter;
  } finally {
    if (timeout !== null) disarm(g, null);
    s._watchers.done(w);
  }
}

function* holdBody(s: Semaphore, timeout: number | null): Generator<unknown, Disposable, any> {
  if (!(yield* acquireBody(s, true, timeout, 'Semaphore.hold', 'Semaphore.hold()'))) {
    throw new Timeout(timeout);
  }
  return releaser(s);
}

/** A Disposable that releases `s` once. */
export function releaser(s: { release(): void }): Disposable {
  let held = true;
  return {
    [Symbol.dispose]() {
      if (held) {
        held = false;
        s.release();
      }
    },
  };
}
