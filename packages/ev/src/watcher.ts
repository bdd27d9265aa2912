/**
 * The watcher base class: what every one of the 13 kinds shares.
 *
 * A watcher belongs to one loop (`watcher.loop`) for its whole life. Its states are libev's:
 *
 * - **inactive**: made, or stopped. Everything may be changed (`set`, `priority`, `callback`).
 * - **active** (`active === true`): started; the loop owns it until `stop()`. It holds one
 *   reference on the loop (`loop.activeCount`) unless `ref` is false; cleanup watchers hold
 *   none. Starting an active watcher does nothing (it may replace the callback).
 * - **pending** (`pending === true`): it has an event and its callback has not run yet. An
 *   active or an inactive watcher can be pending (an expired one-shot timer is stopped and
 *   pending; a fed inactive watcher is pending). `stop()` always clears pending; the loop
 *   clears it just before it invokes the callback, so a watcher is not pending inside its own
 *   callback unless it was fed again.
 * - **closed**: `close()` stopped it and dropped its callback and data; it cannot be started
 *   again (WatcherStateError).
 *
 * The callback is `(watcher, revents) => void`; the loop is `watcher.loop`. What happens when
 * it throws is decided by the loop (`loop.handleError`, see loop.ts): the loop is never left
 * inconsistent, because the watcher's pending state is cleared before the call.
 *
 * `priority` (MINPRI..MAXPRI, default 0) orders callbacks within one iteration; it may only be
 * changed while the watcher is neither active nor pending (libev's rule), else
 * WatcherStateError; a value that is not an integer in range is a RangeError.
 */

import { MAXPRI, MINPRI } from './constants.js';
import { LoopDestroyedError, UnsupportedError, WatcherStateError } from './errors.js';
import type { Loop } from './loop.js';

/**
 * A watcher callback: the watcher that fired and the event bits (READ, TIMER, ...).
 * (Declared as a method type so that a `Timer` stays assignable to `Watcher`.)
 */
export type WatcherCallback<W> = {
  bivarianceHack(watcher: W, revents: number): void;
}['bivarianceHack'];

/** Set in `_flags`: `ref` is false (the watcher holds no reference on the loop). */
export const F_UNREF = 1;
/** Set in `_flags`: the kind never holds a reference (cleanup watchers). */
export const F_NEVER_REF = 2;
/** Set in `_flags`: closed; start() throws. */
export const F_CLOSED = 4;
/** Set in `_flags`: internal watcher (stat's polling timer): no ref, not user-visible. */
export const F_INTERNAL = 8;
/** `_flags` bits 4-6 hold the priority + 2 (0..4): the index of its pending queue. */
export const PRI_SHIFT = 4;
const PRI_MASK = 7 << PRI_SHIFT;

const NOREF = F_UNREF | F_NEVER_REF;

export abstract class Watcher {
  /** The loop this watcher belongs to. */
  readonly loop: Loop;
  /** The function the loop calls with `(watcher, revents)`; null until set. */
  callback: WatcherCallback<this> | null = null;
  /** Free for the user (libev's `data`); the loop never reads it. */
  data: any = undefined;
  /** @internal 0 when inactive; else a kind-specific 1-based position. */
  _active = 0;
  /** @internal 0 when not pending; else the 1-based slot in the loop's pending queue. */
  _pending = 0;
  /** @internal F_* bits, and the priority + 2 in bits 4-6 (one field: watchers stay small). */
  _flags = 2 << PRI_SHIFT;

  constructor(loop: Loop) {
    if (loop === null || typeof loop !== 'object' || (loop as any)[LOOP_BRAND] !== true) {
      throw new TypeError(
        `a watcher needs a Loop as its first argument (got ${describe(loop)}); ` +
          `use a factory such as loop.timer(...), or pass the loop: new Timer(loop, ...)`,
      );
    }
    this.loop = loop;
  }

  /** The watcher kind: 'timer', 'io', 'idle', ... (used in messages and error reports). */
  abstract get kind(): string;

  /** The event bit `feed()` sends by default (TIMER for a timer, ...). */
  abstract get defaultEvent(): number;

  /**
   * Starts watching: the callback will be invoked when the event happens. Passing a callback
   * replaces the current one (also on an active watcher). Starting an active watcher does
   * nothing else (libev). Throws LoopDestroyedError on a destroyed loop, WatcherStateError on a
   * closed watcher, TypeError without any callback.
   */
  abstract start(callback?: WatcherCallback<this>): void;

  /**
   * Stops watching and clears a pending event (libev: stop always clears pending). Stopping an
   * inactive watcher does nothing but that.
   */
  abstract stop(): void;

  /** True while started (libev's ev_is_active). */
  get active(): boolean {
    return this._active !== 0;
  }

  /** True while an event waits for the callback (libev's ev_is_pending). */
  get pending(): boolean {
    return this._pending !== 0;
  }

  /** Priority, MINPRI (-2) .. MAXPRI (2); settable only when neither active nor pending. */
  get priority(): number {
    return ((this._flags >> PRI_SHIFT) & 7) - 2;
  }
  set priority(value: number) {
    if (!Number.isInteger(value) || value < MINPRI || value > MAXPRI) {
      throw new RangeError(
        `priority must be an integer from ${MINPRI} to ${MAXPRI} (got ${describe(value)})`,
      );
    }
    if (value === this.priority) return;
    if (this._active !== 0 || this._pending !== 0) {
      throw new WatcherStateError(
        `cannot change the priority of ${this._active !== 0 ? 'an active' : 'a pending'} ` +
          `${this.kind} watcher (libev forbids it); stop() it first, then set the priority and ` +
          `start it again`,
      );
    }
    this._flags = (this._flags & ~PRI_MASK) | ((value + 2) << PRI_SHIFT);
  }

  /** @internal Index of this watcher's pending queue (priority + 2). */
  get _qi(): number {
    return (this._flags >> PRI_SHIFT) & 7;
  }

  /**
   * Whether this watcher, while active, keeps the loop alive (counts in `loop.activeCount`).
   * Settable at any time (gevent's `ref`); cleanup watchers never hold a reference.
   */
  get ref(): boolean {
    return (this._flags & F_UNREF) === 0;
  }
  set ref(value: boolean) {
    const was = (this._flags & NOREF) === 0;
    if (value) this._flags &= ~F_UNREF;
    else this._flags |= F_UNREF;
    const now = (this._flags & NOREF) === 0;
    if (this._active !== 0 && was !== now) {
      if (now) this.loop._ref();
      else this.loop._unref();
      this._refToggled();
    }
  }

  /** @internal The `ref` of an active watcher changed (io on a raw fd follows it). */
  _refToggled(): void {}

  /** True after `close()`. */
  get closed(): boolean {
    return (this._flags & F_CLOSED) !== 0;
  }

  /**
   * Makes the watcher pending with `revents` (default: its own event), as if it had fired
   * (libev's ev_feed_event). Works on inactive watchers too; feeding a pending watcher ORs the
   * bits into the queued event (one callback, not two).
   */
  feed(revents: number = this.defaultEvent): void {
    this.loop.feedEvent(this, revents);
  }

  /** Clears a pending event without invoking the callback; returns its bits, or 0. */
  clearPending(): number {
    return this.loop.clearPending(this);
  }

  /** Calls the callback now with `revents` (libev's ev_invoke); errors propagate. */
  invoke(revents: number = this.defaultEvent): void {
    const cb = this.callback;
    if (cb !== null) cb(this, revents);
  }

  /**
   * gevent's `close()`: stops the watcher and releases what it holds (callback, data, any OS
   * resource); the watcher cannot be started again. Closing twice does nothing.
   */
  close(): void {
    if ((this._flags & F_CLOSED) !== 0) return;
    this.stop();
    this._release();
    this._flags |= F_CLOSED;
    this.callback = null;
    this.data = undefined;
  }

  /** `using w = loop.timer(1)`: closes the watcher when the block ends. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Releases kind-specific resources on close (after stop). */
  _release(): void {}

  /** @internal Validates a callback argument and stores it. */
  _setCallback(callback: unknown): void {
    if (typeof callback !== 'function') {
      throw new TypeError(
        `${this.kind} watcher: the callback must be a function (got ${describe(callback)})`,
      );
    }
    this.callback = callback as WatcherCallback<this>;
  }

  /** @internal Throws the right error when start() cannot proceed. */
  _cannotStart(): never {
    if ((this._flags & F_CLOSED) !== 0) {
      throw new WatcherStateError(
        `cannot start a closed ${this.kind} watcher; make a new one (close() released it)`,
      );
    }
    if (this.loop._destroyed) {
      throw new LoopDestroyedError(
        `cannot start a ${this.kind} watcher on loop "${this.loop.name}": the loop was ` +
          `destroyed; make a new Loop (or call defaultLoop() again)`,
      );
    }
    throw new TypeError(
      `cannot start a ${this.kind} watcher without a callback: pass one to start(callback)`,
    );
  }

  /** @internal True when start() may proceed (callback set, not closed, loop usable). */
  _startable(): boolean {
    return this.callback !== null && (this._flags & F_CLOSED) === 0 && !this.loop._destroyed;
  }

  /** @internal Marks the watcher active at position `active` and takes a loop reference. */
  _activate(active: number): void {
    this._active = active;
    if ((this._flags & NOREF) === 0) this.loop._ref();
  }

  /** @internal Marks the watcher inactive and drops its loop reference. */
  _deactivate(): void {
    this._active = 0;
    if ((this._flags & NOREF) === 0) this.loop._unref();
  }

  /** @internal True when this active watcher counts in activeCount. */
  _holdsRef(): boolean {
    return (this._flags & NOREF) === 0;
  }
}

/**
 * A watcher kind whose events come from the backend (io, signal, child, stat, async): it
 * carries the bits reported since the last poll, which the poll hands to `_onReady`.
 */
export abstract class ReadyWatcher extends Watcher {
  /** @internal Event bits reported by the backend, not yet collected by a poll. */
  _ready = 0;

  /** @internal Called by a poll with the bits the backend reported (see Loop#_markReady). */
  _onReady(bits: number): void {
    this.loop._feed(this, bits);
  }
}

/** Brand that marks Loop objects (any loaded copy of the package). */
export const LOOP_BRAND = Symbol.for('@g/ev.Loop');

/** A short description of a value, for error messages. */
export function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'function') return `function ${x.name || '(anonymous)'}`;
  const name = (x as object).constructor?.name;
  return name ? `a ${name}` : 'an object';
}

/** Validates a time in seconds: a finite number (negative allowed when `negative`). */
export function checkTime(value: unknown, what: string, negative: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (!negative && value < 0)) {
    throw new RangeError(
      `${what} must be a finite number of seconds${negative ? '' : ' >= 0'} (got ${describe(value)})`,
    );
  }
  return value;
}

/**
 * Throws UnsupportedError when `loop` runs on the virtual clock: the watcher kind needs
 * the OS.
 */
export function requireOs(loop: Loop, kind: string, instead: string): void {
  if (loop.backend !== 'node') {
    throw new UnsupportedError(
      `a ${kind} watcher needs the OS, which a '${loop.backend}' loop (virtual clock) does not ` +
        `use; run it on a Loop with backend 'node' (or defaultLoop())${instead ? `, or ${instead}` : ''}`,
    );
  }
}
