/**
 * Periodic watchers (libev's ev_periodic): wall-clock times.
 *
 * Three modes, chosen by the arguments (libev's):
 * - **absolute** (`interval` 0, no reschedule callback): fires once when the wall clock
 *   (`loop.time()`) reaches `offset`, then stops.
 * - **interval** (`interval` > 0): fires at every `offset + N * interval` of wall time (N any
 *   integer), e.g. offset 0, interval 3600 = on every full hour, whatever the clock does
 *   meanwhile. Keep `offset` within `[0, interval)`.
 * - **manual** (`reschedule(w, now)` given): the callback returns the next wall time, which
 *   must be >= `now`; it must not change the loop. Return `now + 1e30` to park it.
 *
 * Wall-clock jumps (detected when the wall clock moves by more than MIN_TIMEJUMP relative to
 * the monotonic clock) and `loop.resume()` reschedule every periodic: events that fell in the
 * jump are dropped, not replayed. On the virtual clock, wall time is `startTime + now()`.
 *
 * A reschedule callback that throws, or returns something that is not a finite time >= now,
 * is an error: at `start()` it is thrown to the caller and the periodic stays inactive; while
 * the loop runs it is reported through `loop.handleError` and the periodic is stopped.
 */

import { MIN_INTERVAL, PERIODIC } from './constants.js';
import { EvError, WatcherStateError } from './errors.js';
import type { Loop } from './loop.js';
import { checkTime, describe, Watcher, type WatcherCallback } from './watcher.js';

/** Returns the next wall time (seconds) at or after `now` at which the periodic fires. */
export type RescheduleCallback = (watcher: Periodic, now: number) => number;

export class Periodic extends Watcher {
  // Doubles from the start: V8 then updates them in place (see timer.ts).
  /** @internal Next trigger, wall time. */
  _at = 0.5;
  /** @internal */
  _offset = 0.5;
  /** @internal */
  _interval = 0.5;
  /** @internal */
  _reschedule: RescheduleCallback | null = null;

  constructor(loop: Loop, offset = 0, interval = 0, reschedule: RescheduleCallback | null = null) {
    super(loop);
    this._offset = checkTime(offset, 'periodic: offset', true);
    this._interval = checkTime(interval, 'periodic: interval', false);
    this._reschedule = checkReschedule(reschedule);
  }

  get kind(): string {
    return 'periodic';
  }

  get defaultEvent(): number {
    return PERIODIC;
  }

  /** libev's ev_periodic_set; only while inactive (WatcherStateError otherwise). */
  set(offset: number, interval = 0, reschedule: RescheduleCallback | null = null): void {
    if (this._active !== 0) {
      throw new WatcherStateError(
        'periodic.set(): the periodic is active; stop() it first, or change offset/interval ' +
          'and call again()',
      );
    }
    const o = checkTime(offset, 'periodic: offset', true);
    const i = checkTime(interval, 'periodic: interval', false);
    this._reschedule = checkReschedule(reschedule);
    this._offset = o;
    this._interval = i;
  }

  start(callback?: WatcherCallback<this>): void {
    if (callback !== undefined) this._setCallback(callback);
    if (this._active !== 0) return;
    const loop = this.loop;
    if (!this._startable()) this._cannotStart();
    if (this._reschedule !== null || this._interval > 0) {
      const at = this._next(loop._rtNow);
      if (typeof at !== 'number') throw at;
      this._at = at;
    } else {
      this._at = this._offset;
    }
    loop._periodics.insert(this);
    if (this._holdsRef()) loop._ref();
    if (loop._waiter !== null || loop._embeddedBy !== null) {
      loop._deadlineAdded(this._at - loop._rtNow + loop._mnNow);
    }
  }

  stop(): void {
    if (this._pending !== 0) this.loop._clearPending(this);
    if (this._active === 0) return;
    this.loop._periodics.remove(this);
    if (this._holdsRef()) this.loop._unref();
  }

  /** libev's ev_periodic_again: stop and start, applying changed offset/interval/reschedule. */
  again(): void {
    this.stop();
    this.start();
  }

  /** The wall time (seconds since the epoch) of the next trigger (libev's ev_periodic_at). */
  get at(): number {
    return this._at;
  }

  /** The offset (wall seconds); applied at the next start/again. */
  get offset(): number {
    return this._offset;
  }
  set offset(value: number) {
    this._offset = checkTime(value, 'periodic: offset', true);
  }

  /** The interval (seconds; 0 = absolute mode); applied at the next trigger/start/again. */
  get interval(): number {
    return this._interval;
  }
  set interval(value: number) {
    this._interval = checkTime(value, 'periodic: interval', false);
  }

  /** The reschedule callback (manual mode), or null. */
  get reschedule(): RescheduleCallback | null {
    return this._reschedule;
  }
  set reschedule(value: RescheduleCallback | null) {
    this._reschedule = checkReschedule(value);
  }

  /**
   * @internal Next trigger after wall time `now`; an Error when the reschedule callback
   * misbehaves.
   */
  _next(now: number): number | Error {
    const rs = this._reschedule;
    if (rs !== null) {
      let at: unknown;
      try {
        at = rs(this, now);
      } catch (err) {
        return err instanceof Error ? err : new EvError(String(err));
      }
      if (typeof at !== 'number' || Number.isNaN(at) || at < now) {
        return new EvError(
          `periodic reschedule callback returned ${describe(at)} for now=${now}: it must ` +
            `return a time >= now (return now + 1e30 to park the periodic)`,
        );
      }
      return at;
    }
    // libev's periodic_recalc.
    const interval = Math.max(this._interval, MIN_INTERVAL);
    let at = this._offset + interval * Math.floor((now - this._offset) / interval);
    while (at <= now) {
      const next = at + this._interval;
      if (next === at) {
        at = now; // resolution ran out
        break;
      }
      at = next;
    }
    return at;
  }

  /**
   * @internal Recompute `_at` from the loop's wall time (in the heap: the caller re-keys).
   * On a bad reschedule result: report it, stop the periodic, return false.
   */
  _recompute(): boolean {
    const at = this._next(this.loop._rtNow);
    if (typeof at === 'number') {
      this._at = at;
      return true;
    }
    this.stop();
    this.loop.handleError(at, this);
    return false;
  }
}

function checkReschedule(value: unknown): RescheduleCallback | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'function') {
    throw new TypeError(
      `periodic: reschedule must be a function (w, now) => nextTime, or null (got ${describe(value)})`,
    );
  }
  return value as RescheduleCallback;
}
