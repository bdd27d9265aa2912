/**
 * Timer watchers (libev's ev_timer): relative, optionally repeating timeouts on loop time.
 *
 * Rules (libev's):
 * - `start()` expires the timer `after` seconds after the loop's cached `now()` (not after
 *   the real present: call `loop.nowUpdate()` first after a long callback). It fires only
 *   once its time has passed (Node backend: strictly later; virtual clock: at that time).
 * - Non-repeating (`repeat` 0): it is stopped when it expires, so it is inactive (and
 *   pending) when its callback runs, and may be started again from there.
 * - Repeating: it is rescheduled `repeat` seconds after its previous expiry (no drift); a
 *   loop that fell behind does not catch up in bursts: it fires at most once per iteration.
 * - `stop()` keeps the time that was left: a plain `start()` later waits only that long. A
 *   timer that already expired and is started again fires at the next iteration; call
 *   `set(after, repeat)` first for a fresh timeout (libev's pitfall, kept on purpose).
 * - Timers that expire in the same iteration are invoked earliest deadline first; equal
 *   deadlines in the order they were started.
 * - Cost: start, stop, again: O(log n) in a 4-ary heap, no allocation; one armed Node
 *   timer per loop however many timers are active.
 *
 * Times are seconds. `after` may be negative (already due); `repeat` must be >= 0; both
 * must be finite (RangeError otherwise, nothing changed).
 */

import { TIMER } from './constants.js';
import { WatcherStateError } from './errors.js';
import type { Loop } from './loop.js';
import { checkTime, Watcher, type WatcherCallback } from './watcher.js';

export class Timer extends Watcher {
  // Initialised with numbers so that V8 keeps them as in-place doubles (a field that starts
  // undefined becomes "tagged", and every write of a fraction would allocate).
  /** @internal Inactive: the time left (libev's `at` offset). Active: the expiry loop time. */
  _at = 0.5;
  /** @internal Starts as a small integer: one-shot timers (the common case) need no box. */
  _repeat = 0;

  constructor(loop: Loop, after = 0, repeat = 0) {
    super(loop);
    this._at = checkTime(after, 'timer: after', true);
    this._repeat = checkTime(repeat, 'timer: repeat', false);
  }

  get kind(): string {
    return 'timer';
  }

  get defaultEvent(): number {
    return TIMER;
  }

  /**
   * libev's ev_timer_set: a fresh timeout of `after` seconds, then every `repeat`. Only on an
   * inactive timer (WatcherStateError otherwise: stop it, or use `again()`).
   */
  set(after: number, repeat = 0): void {
    if (this._active !== 0) {
      throw new WatcherStateError(
        'timer.set(): the timer is active; stop() it first, or use again() to restart it',
      );
    }
    const a = checkTime(after, 'timer: after', true);
    this._repeat = checkTime(repeat, 'timer: repeat', false);
    this._at = a;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    const loop = this.loop;
    if (!this._startable()) this._cannotStart();
    const at = (this._at += loop._mnNow);
    loop._timers.insert(this);
    if (this._holdsRef()) loop._ref();
    if (loop._waiter !== null || loop._embeddedBy !== null) loop._deadlineAdded(at);
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    const loop = this.loop;
    loop._timers.remove(this);
    this._at -= loop._mnNow;
    if (this._holdsRef()) loop._unref();
  }

  /**
   * libev's ev_timer_again: clears pending, then
   * - active and repeating: expires `repeat` seconds from `now()` (the "reset a timeout on
   *   activity" idiom);
   * - active, not repeating: stops it;
   * - inactive and repeating: starts it with `repeat` as the timeout;
   * - inactive, not repeating: nothing.
   */
  again(): void {
    const loop = this.loop;
    if (this._pending !== 0) loop._clearPending(this);
    if (this._active !== 0) {
      if (this._repeat > 0) {
        const at = (this._at = loop._mnNow + this._repeat);
        loop._timers.adjust(this);
        if (loop._waiter !== null || loop._embeddedBy !== null) loop._deadlineAdded(at);
      } else {
        this.stop();
      }
    } else if (this._repeat > 0) {
      this._at = this._repeat;
      this.start();
    }
  }

  /**
   * Seconds until it expires, measured from the loop's `now()` (libev's ev_timer_remaining);
   * when inactive, the time it will wait once started.
   */
  remaining(): number {
    return this._active !== 0 ? this._at - this.loop._mnNow : this._at;
  }

  /**
   * The loop time (scale of `loop.now()`) at which it expires; for an inactive timer, when
   * it would expire if started now.
   */
  get at(): number {
    return this._active !== 0 ? this._at : this.loop._mnNow + this._at;
  }

  /**
   * Seconds between expiries; 0 = one-shot. Writable at any time: takes effect at the next
   * expiry or `again()` (libev). RangeError when negative or not finite.
   */
  get repeat(): number {
    return this._repeat;
  }
  set repeat(value: number) {
    this._repeat = checkTime(value, 'timer: repeat', false);
  }
}
