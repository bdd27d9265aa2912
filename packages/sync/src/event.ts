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
import { WaitList } from './wait-list.js';

export class Event implements Waitable {
  private flag = false;
  private readonly waiters = new WaitList();
  private readonly links = new Links(this, false);
  /** Waiters woken by set() that have not resumed yet. */
  private inflight = 0;

  /** True when the flag is up. */
  isSet(): boolean {
    return this.flag;
  }

  /** Same as isSet() (the Waitable protocol). */
  ready(): boolean {
    return this.flag;
  }

  /** Raises the flag and wakes every waiter (see the class comment). Never waits. */
  set(): void {
    this.flag = true;
    if (this.waiters.length > 0) this.inflight += this.waiters.wakeAll();
    if (this.links.size > 0) this.links.fire();
  }

  /** Lowers the flag. */
  clear(): void {
    this.flag = false;
  }

  /** Waits for the flag; resolves it (false after `timeout` seconds). */
  wait(timeout?: number | null): Op<boolean> {
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
    return this.waiters.length + this.links.size;
  }

  toString(): string {
    return `<Event ${this.flag ? 'set' : 'clear'} waiters=${this.waiters.length}>`;
  }

  private *waitBody(timeout: number | null): Generator<unknown, boolean, any> {
    if (this.flag) {
      if (this.inflight > 0) {
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
    const w = this.waiters.add(g, seq, undefined);
    if (timeout !== null) arm(g, timeout);
    try {
      if ((yield* toHub(g)) === w) {
        this.inflight--;
        return true;
      }
      return this.flag;
    } finally {
      if (timeout !== null) disarm(g, null);
      this.waiters.done(w);
    }
  }
}
