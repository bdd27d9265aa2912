/**
 * Event: a flag greenlets can wait for (gevent.event.Event).
 *
 * ```ts
 * const ready = new Event();
 * spawn(function* () { yield* ready.wait(); console.log('go'); });
 * ready.set();                                  // wakes every waiter
 * const ok = yield* ready.wait(5);              // true, or false after 5 s
 * ```
 *
 * ## Rules
 *
 * - `set()` raises the flag and wakes every greenlet waiting now, in the order they began
 *   to wait; each is certain to return true from its wait, even if `clear()` follows at
 *   once. Links (`rawlink`) are called from the hub after that, in the order added.
 * - `clear()` lowers the flag; later waits block until the next `set()`.
 * - `wait(timeout?)` returns true at once when the flag is up (no switch), else waits until
 *   `set()` or `timeout` seconds (then it returns the flag, false). One exception, as in
 *   gevent: a wait that starts while greenlets woken by a `set()` have not run yet goes
 *   after them (one pass through the run queue, not a loop iteration).
 * - `isSet()`/`ready()` read the flag. Kills and Timeouts end a wait at once and leave no
 *   waiter behind.
 *
 * Costs: `set()` is O(number of waiters) with no allocation; a wait that blocks costs one
 * small waiter object and two switches.
 */
import { trackOp } from '@g/greenlet';
import { beginWait, currentHubGreenlet, type Op, toHub, type Waitable, wake } from '@g/hub';
import { Links } from './links.js';
import { arm, checkTimeout, disarm } from './timeouts.js';
import { type Waiter, WaitList } from './wait-list.js';
import { PENDING, WaitOp } from './wait-op.js';

export class Event implements Waitable {
  /** @internal */
  _flag = false;
  /** @internal */
  readonly _waiters = new WaitList();
  private readonly links = new Links(this, false);
  /** @internal waiters woken by set() that have not resumed yet. */
  _inflight = 0;

  /** True when the flag is up. */
  isSet(): boolean {
    return this._flag;
  }

  /** Same as isSet() (the Waitable protocol). */
  ready(): boolean {
    return this._flag;
  }

  /** Raises the flag and wakes every waiter (see the class comment). Never waits. */
  set(): void {
    this._flag = true;
    if (this._waiters.length > 0) this._inflight += this._waiters.wakeAll();
    if (this.links.size > 0) this.links.fire();
  }

  /** Lowers the flag. */
  clear(): void {
    this._flag = false;
  }

  /** Waits for the flag; resolves it (false after `timeout` seconds). */
  wait(timeout?: number | null): Op<boolean> {
    if (timeout === undefined || timeout === null) {
      return trackOp<boolean>(new EventWaitOp(this), 'Event.wait');
    }
    const t = checkTimeout(timeout, 'Event.wait(timeout)');
    return trackOp(this.waitBody(t), 'Event.wait');
  }

  /** Calls `cb(this)` from the hub when the flag is next set (at once if it is up); once. */
  rawlink(cb: (event: this) => void): void {
    this.links.add(cb, 'Event');
  }

  /** Removes a rawlink callback not yet called. */
  unlink(cb: unknown): void {
    this.links.remove(cb);
  }

  /** Waiting greenlets plus rawlink callbacks. */
  linkcount(): number {
    return this._waiters.length + this.links.size;
  }

  toString(): string {
    return `<Event ${this._flag ? 'set' : 'clear'} waiters=${this._waiters.length}>`;
  }

  private *waitBody(timeout: number | null): Generator<unknown, boolean, any> {
    if (this._flag) {
      if (this._inflight > 0) {
        // Go after the waiters the last set() woke (gevent issue 1520).
        const g = currentHubGreenlet('Event.wait()');
        const seq = beginWait(g, 'Event.wait');
        wake(g, seq);
        yield* toHub(g);
      }
      return true;
    }
    const g = currentHubGreenlet('Event.wait()');
    const seq = beginWait(g, 'Event.wait');
    const w = this._waiters.add(g, seq, undefined);
    if (timeout !== null) arm(g, timeout);
    try {
      if ((yield* toHub(g)) === w) {
        this._inflight--;
        return true;
      }
      return this._flag;
    } finally {
      if (timeout !== null) disarm(g, null);
      this._waiters.done(w);
    }
  }
}

/** wait() without a timeout (see WaitOp). */
class EventWaitOp extends WaitOp<boolean> {
  private w: Waiter | null = null;

  constructor(private readonly e: Event) {
    super();
  }

  protected start(): boolean | typeof PENDING {
    const e = this.e;
    if (e._flag && e._inflight === 0) return true;
    const g = currentHubGreenlet('Event.wait()');
    const seq = beginWait(g, 'Event.wait');
    if (e._flag) {
      wake(g, seq); // go after the waiters the last set() woke (gevent issue 1520)
    } else {
      this.w = e._waiters.add(g, seq, undefined);
    }
    this.suspend(g);
    return PENDING;
  }

  protected resumed(v: unknown): boolean {
    const w = this.w;
    if (w === null) return true;
    if (v === w) {
      this.e._inflight--;
      return true;
    }
    return this.e._flag;
  }

  protected cleanup(): void {
    const w = this.w;
    if (w !== null) {
      this.w = null;
      this.e._waiters.done(w);
    }
  }
}
