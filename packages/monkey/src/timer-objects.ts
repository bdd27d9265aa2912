/**
 * The timer objects patched `setTimeout`, `setInterval` and `setImmediate` return.
 *
 * A `HubTimeout` is Node's `Timeout` on the hub: one @g/ev timer watcher of the hub's loop.
 *
 * - Delays are Node's: milliseconds, converted to the loop's seconds; a delay that is not
 *   a number from 1 to 2^31-1 becomes 1 ms, with Node's warning for that Node version
 *   (see delay.ts). The countdown starts from the loop's current time (`nowUpdate()` first
 *   on the Node backend; the virtual clock's present on a virtual one).
 * - When the watcher fires, the callback is delivered out of the hub, one Node macrotask
 *   per callback (deliver.ts): `callback.apply(timer, args)`, in main. An interval is
 *   started again after its callback returns (or throws), measured from the loop time of
 *   the iteration it fired in.
 * - `ref()`, `unref()`, `hasRef()`: the watcher's reference on the loop (an unreferenced
 *   timer neither keeps Node alive nor holds `hub.join()`). `refresh()` starts the
 *   countdown again from now with the same delay (a timer that already fired runs again;
 *   a cleared one does nothing). `close()` clears it. `[Symbol.toPrimitive]()` is a number
 *   that `clearTimeout(n)` accepts. `[Symbol.dispose]()` clears it.
 * - `util.inspect` / `console.log` show `Timeout { delay: 100 ms, active, ref: true, hub: ... }`.
 * - Node's internal field names (`_idleTimeout`, `_onTimeout`, `_repeat`, `_destroyed`)
 *   read as on Node's Timeout; `timer._onTimeout = null` (what Node's own clearTimeout
 *   does) clears it, so a timer made while patched can be cleared after `unpatchAll()`.
 *
 * A `HubImmediate` is Node's `Immediate`: a timer watcher due at the loop time of the last
 * iteration, so it runs at the loop's next iteration, in FIFO order with the other
 * immediates and before any timer set since that iteration. `ref`/`unref`/`hasRef`/`[Symbol.dispose]`.
 *
 * Cost: an object and a watcher per timer; start and clear are O(log n) in the loop's
 * timer heap.
 */
import type { Timer } from '@g/ev';
import type { Hub } from '@g/hub';
import { type Deliverable, deliver } from './deliver.js';
import { loopOf, startHub } from './hub-ref.js';
import { STATE } from './state.js';

const TIMER_BRAND = Symbol.for('@g/monkey.HubTimeout');
const IMMEDIATE_BRAND = Symbol.for('@g/monkey.HubImmediate');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Ids of `+timer` start above any async id Node hands out to its own timers. */
let nextId = 2 ** 32 + 1;

function onFire(w: Timer): void {
  const t = w.data as HubTimeout | HubImmediate;
  deliver(t._hub, t, t._gen);
}

function startWatcher(hub: Hub, w: Timer, seconds: number, update: boolean): void {
  const loop = loopOf(hub);
  if (update) loop.nowUpdate();
  w.set(seconds, 0);
  w.start(onFire);
  startHub(hub);
}

// A hub parked in its loop notices a stop or an unref that leaves the loop not alive by
// itself (@g/ev's wake, see hub-ref.ts).
function stopWatcher(w: Timer): void {
  if (w.active || w.pending) w.stop();
}

function setRef(w: Timer, value: boolean): void {
  if (w.ref !== value) w.ref = value;
}

export class HubTimeout implements Deliverable {
  /** @internal */ _hub: Hub;
  /** @internal */ _w: Timer;
  /** @internal */ _cb: ((...args: any[]) => void) | null;
  /** @internal */ _args: unknown[] | undefined;
  /** @internal Delay in ms. */ _ms: number;
  /** @internal An interval (setInterval). */ _isInterval: boolean;
  /** @internal Arm generation: a queued delivery of an older one is dropped. */ _gen = 0;
  /** @internal */ _cleared = false;
  /** @internal A one-shot timer that ran. */ _done = false;
  /** @internal */ _id = 0;

  constructor(
    hub: Hub,
    callback: (...args: any[]) => void,
    ms: number,
    args: unknown[] | undefined,
    repeat: boolean,
    ref: boolean,
  ) {
    this._hub = hub;
    this._cb = callback;
    this._args = args;
    this._ms = ms;
    this._isInterval = repeat;
    const w = loopOf(hub).timer(0, 0, ref);
    w.data = this;
    this._w = w;
    this._gen++;
    startWatcher(hub, w, ms / 1000, true);
  }

  /** @internal Called in main, one macrotask after the watcher fired. */
  deliver(token: number): void {
    if (token !== this._gen || this._cleared) return;
    if (!this._isInterval) {
      this._done = true;
      if (this._id !== 0) STATE.timersById.delete(this._id);
    }
    try {
      this._cb!.apply(this, this._args ?? []);
    } finally {
      if (this._isInterval && !this._cleared && token === this._gen && !this._hub.isDestroyed) {
        this._gen++;
        startWatcher(this._hub, this._w, this._ms / 1000, false);
      }
    }
  }

  /** @internal clearTimeout. */
  _clear(): void {
    if (this._cleared) return;
    this._cleared = true;
    this._gen++;
    if (this._id !== 0) STATE.timersById.delete(this._id);
    stopWatcher(this._w);
  }

  /** Keeps the loop (and Node) alive while active (the default). Returns the timer. */
  ref(): this {
    setRef(this._w, true);
    return this;
  }

  /** Lets the loop end (and Node exit) while this timer is still active. Returns the timer. */
  unref(): this {
    setRef(this._w, false);
    return this;
  }

  /** True when the timer keeps the loop alive. */
  hasRef(): boolean {
    return this._w.ref;
  }

  /** Starts the countdown again from now, with the same delay. Returns the timer. */
  refresh(): this {
    if (this._cleared || this._hub.isDestroyed) return this;
    this._done = false;
    if (this._id !== 0) STATE.timersById.set(this._id, this);
    this._gen++;
    this._w.stop();
    startWatcher(this._hub, this._w, this._ms / 1000, true);
    return this;
  }

  /** Clears the timer (as clearTimeout). Returns the timer. */
  close(): this {
    this._clear();
    return this;
  }

  /** A number `clearTimeout` / `clearInterval` accept in place of the timer. */
  [Symbol.toPrimitive](): number {
    if (this._id === 0) this._id = nextId++;
    if (!this._cleared && !this._done) STATE.timersById.set(this._id, this);
    return this._id;
  }

  /** Clears the timer. */
  [Symbol.dispose](): void {
    this._clear();
  }

  /** Node's field: the delay in ms, or -1 once cleared. */
  get _idleTimeout(): number {
    return this._cleared ? -1 : this._ms;
  }

  /** Node's field: the callback, or null once cleared; setting null clears the timer. */
  get _onTimeout(): ((...args: any[]) => void) | null {
    return this._cleared ? null : this._cb;
  }
  set _onTimeout(value: ((...args: any[]) => void) | null) {
    if (value === null) this._clear();
    else this._cb = value;
  }

  /** Node's field: the interval in ms, or null for a one-shot timer. */
  get _repeat(): number | null {
    return this._isInterval ? this._ms : null;
  }

  /** Node's field: true once cleared, or once a one-shot timer ran. */
  get _destroyed(): boolean {
    return this._cleared || this._done;
  }

  /** True while the timer waits to fire (not cleared, not yet run when one-shot). */
  get active(): boolean {
    return !this._cleared && !this._done;
  }
}
Object.defineProperty(HubTimeout.prototype, TIMER_BRAND, { value: true });
Object.defineProperty(HubTimeout.prototype, INSPECT, {
  value(this: HubTimeout): string {
    const state = this._cleared ? 'cleared' : this._done ? 'done' : 'active';
    const kind = this._isInterval ? 'interval' : 'delay';
    return `Timeout { ${kind}: ${this._ms} ms, ${state}, ref: ${this.hasRef()}, hub: ${this._hub} }`;
  },
});
Object.defineProperty(HubTimeout.prototype, Symbol.toStringTag, { value: 'Timeout' });

export class HubImmediate implements Deliverable {
  /** @internal */ _hub: Hub;
  /** @internal */ _w: Timer;
  /** @internal */ _cb: ((...args: any[]) => void) | null;
  /** @internal */ _args: unknown[] | undefined;
  /** @internal */ _gen = 1;
  /** @internal */ _cleared = false;
  /** @internal */ _done = false;

  constructor(
    hub: Hub,
    callback: (...args: any[]) => void,
    args: unknown[] | undefined,
    ref = true,
  ) {
    this._hub = hub;
    this._cb = callback;
    this._args = args;
    const w = loopOf(hub).timer(0, 0, ref);
    w.data = this;
    this._w = w;
    // Due at the loop time of the last iteration (not re-read): an immediate set in a
    // callback runs before a timer set in the same callback, whatever its delay.
    startWatcher(hub, w, 0, false);
  }

  /** @internal */
  deliver(token: number): void {
    if (token !== this._gen || this._cleared) return;
    this._done = true;
    const cb = this._cb!;
    const args = this._args;
    this._cb = null;
    this._args = undefined;
    cb.apply(this, args ?? []);
  }

  /** @internal An unreferenced immediate's delivery does not keep Node alive. */
  deliverRef(): boolean {
    return this._w.ref;
  }

  /** @internal clearImmediate. */
  _clear(): void {
    if (this._cleared || this._done) return;
    this._cleared = true;
    this._gen++;
    this._cb = null;
    this._args = undefined;
    stopWatcher(this._w);
  }

  /** Keeps the loop alive until it runs (the default). Returns the immediate. */
  ref(): this {
    setRef(this._w, true);
    return this;
  }

  /** Lets the loop end (and Node exit) before it runs. Returns the immediate. */
  unref(): this {
    setRef(this._w, false);
    return this;
  }

  /** True when it keeps the loop alive. */
  hasRef(): boolean {
    return this._w.ref;
  }

  /** Clears it (as clearImmediate). */
  [Symbol.dispose](): void {
    this._clear();
  }

  /** Node's field: the callback, or null once run or cleared. */
  get _onImmediate(): ((...args: any[]) => void) | null {
    return this._cb;
  }

  /**
   * Node's field, always true: Node's own clearImmediate (after `unpatchAll()`) then leaves
   * this object alone instead of miscounting its own immediates. Use `[Symbol.dispose]()`
   * (or the patched clearImmediate) to clear it.
   */
  get _destroyed(): boolean {
    return true;
  }
}
Object.defineProperty(HubImmediate.prototype, IMMEDIATE_BRAND, { value: true });
Object.defineProperty(HubImmediate.prototype, INSPECT, {
  value(this: HubImmediate): string {
    const state = this._cleared ? 'cleared' : this._done ? 'done' : 'active';
    return `Immediate { ${state}, ref: ${this.hasRef()}, hub: ${this._hub} }`;
  },
});
Object.defineProperty(HubImmediate.prototype, Symbol.toStringTag, { value: 'Immediate' });

/** True for a HubTimeout of any loaded copy of @g/monkey. */
export function isHubTimeout(x: unknown): x is HubTimeout {
  return x !== null && typeof x === 'object' && (x as any)[TIMER_BRAND] === true;
}

/** True for a HubImmediate of any loaded copy of @g/monkey. */
export function isHubImmediate(x: unknown): x is HubImmediate {
  return x !== null && typeof x === 'object' && (x as any)[IMMEDIATE_BRAND] === true;
}
