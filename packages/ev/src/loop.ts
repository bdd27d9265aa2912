/**
 * The event loop: libev's `struct ev_loop`, on Node.js or on a virtual clock.
 *
 * ## One iteration (libev's order, ev.c `ev_run`)
 *
 * 1. If `fork()` was called: queue every fork watcher, invoke pending.
 * 2. Queue every prepare watcher, invoke pending.
 * 3. If `break()` was called: stop here.
 * 4. Update the time; decide whether to wait: not when `run(NOWAIT)`, an idle watcher is
 *    active, no referenced watcher is active, or something is already pending.
 * 5. Poll (`iteration` += 1): collect what the backend saw (io readiness, signals, child
 *    exits, stat changes, async sends) and feed those watchers. Waiting happens here.
 * 6. Update the time; queue expired timers (earliest first), then due periodics, then idle
 *    watchers (only if nothing of the same or a higher priority is pending: an idle
 *    watcher of a lower priority is starved while higher ones have work), then check watchers.
 * 7. Invoke pending: priority MAXPRI down to MINPRI; within a priority the queue is popped
 *    from its end (libev's LIFO), so check watchers run before idle, idle before periodics,
 *    periodics before timers, timers before polled events, and expired timers run
 *    earliest-deadline first (equal deadlines: in the order they were started).
 * 8. `run()` repeats while referenced watchers are active and no `break()`; `run(ONCE)` and
 *    `run(NOWAIT)` return after one iteration.
 *
 * ## Waiting on Node
 *
 * JavaScript cannot block in a poll, so "wait" means: return to Node until something can
 * happen. The Node backend arms exactly one Node timer (for the earliest timer or periodic,
 * at most MAX_BLOCKTIME ahead; referenced only while `activeCount > 0`), and its listeners
 * (stream events, process signals, child exits, stat results, async messages) only mark
 * watchers ready and schedule one `setImmediate`; they never invoke callbacks. While it waits
 * the loop uses no CPU. `run(NOWAIT)` is synchronous; `run()` and `run(ONCE)` return a promise
 * and do their waiting through the same `wake()` mechanism the hub uses. The timer, the
 * `setImmediate` and the clocks are Node's own, captured when @g/ev loaded (natives.ts), so
 * patched globals (@g/monkey) never reach this machinery.
 *
 * ## The virtual clock
 *
 * `new Loop({ backend: 'virtual' })` never waits for real time. `now()` starts at 0. When the
 * loop would wait, it first gives Node one macrotask turn (`setImmediate`, so promise
 * continuations that start the next timer run first); if nothing became pending and no
 * `externalWait()` is held, `now()` jumps exactly to the earliest timer or periodic and that
 * timer fires (`at <= now` expires on this clock, so elapsed virtual time is the exact sum of
 * the delays). Same program, same order, same times. Its wall clock (`time()`, periodics) is
 * `startTime` (default: the real wall time at creation) plus `now()`. Watchers that need the
 * OS (io, signal, child, stat) are refused with UnsupportedError.
 *
 * ## Errors in callbacks
 *
 * A callback that throws does not break the loop: the watcher was already taken off the
 * pending queue, the loop calls `loop.handleError(error, watcher)` (by default: print the
 * error with the watcher kind and loop name to stderr) and goes on with the next callback.
 * Replace `handleError` (assign a function) to route errors elsewhere; if it throws, that
 * error leaves `invokePending`/`run` with the loop consistent (the rest stays pending).
 */

// The watcher modules import only types from this module, so these imports make no cycle.
import { Async } from './async.js';
import { Check } from './check.js';
import { Child, type ChildTarget, trackChildren } from './child.js';
import { Cleanup } from './cleanup.js';
import {
  BREAK_ALL,
  BREAK_CANCEL,
  BREAK_ONE,
  CHECK,
  CLEANUP,
  EMBED,
  FORK,
  IDLE,
  MAX_BLOCKTIME,
  MAXPRI,
  MIN_TIMEJUMP,
  NOWAIT,
  NUMPRI,
  ONCE,
  PERIODIC,
  PREPARE,
  TIMER,
} from './constants.js';
import { Embed } from './embed.js';
import { EvError, LoopBusyError, LoopDestroyedError, WatcherStateError } from './errors.js';
import { Fork } from './fork.js';
import { TimerHeap } from './heap.js';
import { Idle } from './idle.js';
import { Io, type IoTarget } from './io.js';
import { natives } from './natives.js';
import { Periodic, type RescheduleCallback } from './periodic.js';
import { Prepare } from './prepare.js';
import { EV } from './runtime.js';
import { Signal } from './signal.js';
import { Stat } from './stat.js';
import { Timer } from './timer.js';
import { describe, LOOP_BRAND, type ReadyWatcher, type Watcher } from './watcher.js';

/** Which clock and which OS facilities a loop uses. */
export type BackendName = 'node' | 'virtual';

/** Options of `new Loop(options)`. */
export interface LoopOptions {
  /** 'node' (default): real time and OS events. 'virtual': a virtual clock, no OS watchers. */
  backend?: BackendName;
  /** A name for messages (default `loop#N`; the default loop is named 'default'). */
  name?: string;
  /**
   * Virtual backend only: the wall-clock time (seconds since the epoch) at `now() === 0`,
   * which periodics and `time()` use. Default: the real wall time at creation. Set it for
   * fully reproducible periodic schedules.
   */
  startTime?: number;
}

// Node's own functions, captured when @g/ev loaded (natives.ts): patched globals never
// reach the loop's machinery.
const {
  perfNow,
  dateNow,
  setImmediate: nativeSetImmediate,
  setTimeout: nativeSetTimeout,
  clearTimeout: nativeClearTimeout,
} = natives;

/** Monotonic seconds (Node backend loop time). */
function monoNow(): number {
  return perfNow() / 1000;
}

/** Wall-clock seconds since the epoch. */
function wallNow(): number {
  return dateNow() / 1000;
}

// What the loop is waiting for (`_waiterKind`).
const W_NONE = 0;
const W_WAKE = 1; // a wake(cb) from the user (the hub)
const W_RUN = 2; // the poll step of a run() / run(ONCE) promise

export class Loop {
  /** 'node' or 'virtual'. */
  readonly backend: BackendName;
  /** The name used in messages. */
  readonly name: string;

  /** @internal */ _virtual = false;
  // Numeric fields start as numbers (not undefined), so that V8 stores doubles in place
  // instead of allocating a new number at every time update.
  /** @internal Loop time (monotonic seconds). */ _mnNow = 0.5;
  /** @internal Wall time (seconds since the epoch) at the last time update. */ _rtNow = 0.5;
  /** @internal rt - mn at the last update (time-jump detection; virtual: the start time). */
  _rtmnDiff = 0.5;
  /** @internal Loop time of the last wall-clock read (libev's now_floor). */
  private _nowFloor = 0.5;

  /** @internal Active referenced watchers + ref() - unref() + held external waits. */
  _activeCnt = 0;
  /** @internal Net ref() - unref() calls (for verify). */ _userRefs = 0;
  /** @internal Held externalWait()s. */ _extWaits = 0;

  /** @internal Pending queues, one per priority (index = priority + 2). */
  _pend: (Watcher | null)[][] = [[], [], [], [], []];
  /** @internal The pending event bits, parallel to `_pend` (libev's ANPENDING.events). */
  _pev: Int32Array[] = [0, 0, 0, 0, 0].map(() => new Int32Array(16));
  /** @internal Used length of each pending queue (cleared slots included). */
  _pcnt = new Int32Array(NUMPRI);
  /** @internal Pending watchers per priority (cleared slots excluded). */
  _plive = new Int32Array(NUMPRI);
  /** @internal Total pending watchers. */ _npending = 0;

  /** @internal */ _timers = new TimerHeap<Timer>();
  /** @internal */ _periodics = new TimerHeap<Periodic>();
  /** @internal Active idle watchers by priority. */ _idles: Idle[][] = [[], [], [], [], []];
  /** @internal Number of active idle watchers. */ _idleAll = 0;
  /** @internal */ _prepares: Prepare[] = [];
  /** @internal */ _checks: Check[] = [];
  /** @internal */ _forks: Fork[] = [];
  /** @internal */ _cleanups: Cleanup[] = [];
  /** @internal */ _embeds: Embed[] = [];
  /** @internal */ _asyncs: Async[] = [];
  /** @internal Active io, signal, child and stat watchers. */ _os = new Set<Watcher>();
  /** @internal Active signal watchers by signal number. */ _signals = new Map<
    number,
    Set<Signal>
  >();

  /** @internal Watchers the backend reported (w._ready holds the bits). */
  _ready: ReadyWatcher[] = [];
  /** @internal Spare array swapped with _ready while collecting. */
  private _readySpare: ReadyWatcher[] = [];

  /** @internal */ _postfork = false;
  /** @internal libev's loop_done. */ _loopDone = 0;
  /** @internal */ _depth = 0;
  /** @internal */ _iteration = 0;
  /** @internal */ _destroyed = false;
  /** @internal Loop time at suspend(), or -1. */ private _suspended = -1;
  /** @internal */ private _invokeCb: ((loop: Loop) => void) | null = null;

  /** @internal What to call when the wait ends. */ _waiter: (() => void) | null = null;
  /** @internal W_NONE / W_WAKE / W_RUN. */ _waiterKind = W_NONE;
  /** @internal The run's poll does not block (idle active, nothing referenced, ...). */
  private _noBlock = false;
  /** @internal A setImmediate is scheduled. */ private _immScheduled = false;
  /**
   * @internal activeCount fell to 0 while a waiter was armed: the next macrotask ends the
   * wait if it is still 0 (libev's ev_run returns when activecnt reaches 0).
   */
  private _deadCheck = false;
  /** @internal The one armed Node timer, or null. */ private _nodeTimer: NodeJS.Timeout | null =
    null;
  /** @internal Loop time the Node timer was armed for. */ private _nodeTimerAt = Infinity;
  /** @internal A run() promise is in progress. */ private _running = false;
  /** @internal The embed watcher of another loop that embeds this one, or null. */
  _embeddedBy: Embed | null = null;

  private readonly _onImmediate: () => void;
  private readonly _onNodeTimer: () => void;

  constructor(options: LoopOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new Loop(options): options must be an object (got ${describe(options)})`,
      );
    }
    const backend = options.backend ?? 'node';
    if (backend !== 'node' && backend !== 'virtual') {
      throw new TypeError(
        `unknown loop backend ${describe(backend)}: use 'node' (real time, OS events) or ` +
          `'virtual' (virtual clock)`,
      );
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`Loop name must be a string (got ${describe(options.name)})`);
    }
    this.backend = backend;
    this._virtual = backend === 'virtual';
    this.name = options.name ?? `loop#${EV.nextLoopId++}`;
    if (this._virtual) {
      const start = options.startTime ?? wallNow();
      if (typeof start !== 'number' || !Number.isFinite(start)) {
        throw new RangeError(
          `startTime must be a finite number of seconds (got ${describe(start)})`,
        );
      }
      this._mnNow = 0;
      this._rtNow = start;
      this._rtmnDiff = start;
    } else {
      if (options.startTime !== undefined) {
        throw new TypeError(`startTime is only for the virtual backend (this loop is 'node')`);
      }
      this._mnNow = monoNow();
      this._rtNow = wallNow();
      this._rtmnDiff = this._rtNow - this._mnNow;
      this._nowFloor = this._mnNow;
    }
    this._onImmediate = () => this._immediate();
    this._onNodeTimer = () => this._nodeTimerFired();
  }

  // ---------------------------------------------------------------------------------------
  // Time

  /**
   * Loop time in seconds: cached at the start of each iteration's time update and constant
   * while callbacks run (libev's ev_now). Monotonic. Node backend: seconds since the process
   * started (performance.now); virtual: starts at 0 and moves only when the loop would wait.
   * Timers are relative to it.
   */
  now(): number {
    return this._mnNow;
  }

  /**
   * Re-reads the clock into `now()` (libev's ev_now_update); useful after a long callback,
   * before starting a timer. Does nothing on the virtual clock (its time only moves when the
   * loop would wait).
   */
  nowUpdate(): void {
    this._timeUpdate();
  }

  /**
   * The current wall-clock time in seconds since the epoch (libev's ev_time; not cached).
   * Virtual backend: `startTime + now()`.
   */
  time(): number {
    return this._virtual ? this._rtmnDiff + this._mnNow : wallNow();
  }

  /**
   * @internal libev's time_update: re-read the monotonic clock; the wall clock is derived
   * from it and re-read at most every MIN_TIMEJUMP / 2 seconds (libev's now_floor), when a
   * jump of the wall clock reschedules the periodics.
   */
  _timeUpdate(): void {
    if (this._virtual) return;
    const mn = monoNow();
    this._mnNow = mn;
    if (mn - this._nowFloor < MIN_TIMEJUMP * 0.5) {
      this._rtNow = this._rtmnDiff + mn;
      return;
    }
    this._nowFloor = mn;
    const rt = wallNow();
    this._rtNow = rt;
    const diff = rt - mn;
    const jump = diff - this._rtmnDiff;
    this._rtmnDiff = diff;
    if (jump > MIN_TIMEJUMP || jump < -MIN_TIMEJUMP) this._periodicsReschedule();
  }

  /**
   * libev's ev_suspend: update the time and remember it. Call before the process stops for a
   * while (SIGTSTP) and `resume()` afterwards; make no other loop calls in between.
   */
  suspend(): void {
    this._usable('suspend');
    this._timeUpdate();
    this._suspended = this._mnNow;
  }

  /**
   * libev's ev_resume: every active timer keeps the time it had left at `suspend()` (its
   * deadline moves by the suspended duration); periodics are rescheduled from the wall clock
   * (events missed while suspended are dropped, not replayed). WatcherStateError without a
   * matching `suspend()`.
   */
  resume(): void {
    if (this._suspended < 0) {
      throw new WatcherStateError(`loop "${this.name}": resume() without suspend()`);
    }
    const before = this._suspended;
    this._suspended = -1;
    this._timeUpdate();
    const shift = this._mnNow - before;
    if (shift !== 0) this._timers.shift(shift);
    this._periodicsReschedule();
    this._changed();
  }

  // ---------------------------------------------------------------------------------------
  // State

  /** libev's ev_iteration: how many times the loop polled (increments between prepare and check). */
  get iteration(): number {
    return this._iteration;
  }

  /** libev's ev_depth: how many `run` calls are in progress (a pending `run()` promise counts). */
  get depth(): number {
    return this._depth;
  }

  /** Number of pending watchers (libev's ev_pending_count). */
  get pendingCount(): number {
    return this._npending;
  }

  /**
   * libev's activecnt: active watchers that hold a reference (`ref` true; not cleanup), plus
   * `ref()` minus `unref()` calls, plus held `externalWait()`s. `run()` returns when it is 0.
   */
  get activeCount(): number {
    return this._activeCnt;
  }

  /** `activeCount > 0`: the loop has something that keeps it running. */
  get alive(): boolean {
    return this._activeCnt > 0;
  }

  /** True after `destroy()`. */
  get destroyed(): boolean {
    return this._destroyed;
  }

  /** Always false for a Loop made with `new Loop()`; true for `defaultLoop()`. */
  get isDefault(): boolean {
    return EV.defaultLoop === this;
  }

  /**
   * Loop time (same scale as `now()`) of the earliest active timer or periodic, or Infinity
   * when none is active. Periodics are converted from wall time; an embedded loop's earliest
   * deadline counts too.
   */
  nextDeadline(): number {
    let at = this._timers.topAt();
    if (this._periodics.n !== 0) {
      const p = this._periodics.topAt() - this._rtNow + this._mnNow;
      if (p < at) at = p;
    }
    if (this._embeds.length !== 0) {
      const e = this._embedsDeadline();
      if (e < at) at = e;
    }
    return at;
  }

  /** @internal Earliest deadline of the embedded loops, in this loop's time. */
  private _embedsDeadline(): number {
    let at = Infinity;
    for (let i = 0; i < this._embeds.length; i++) {
      const other = this._embeds[i].other;
      // Node loops share one monotonic clock; a virtual loop has its own.
      const d = other._virtual
        ? other.nextDeadline() - other._mnNow + this._mnNow
        : other.nextDeadline();
      if (d < at) at = d;
    }
    return at;
  }

  /** libev's ev_ref: one more reference keeping `run()` going (activeCount + 1). */
  ref(): void {
    this._userRefs++;
    this._ref();
  }

  /**
   * libev's ev_unref: one reference less (activeCount - 1). Typical use: `w.start(cb);
   * loop.unref()` so that an always-active watcher does not keep `run()` going; prefer
   * `w.ref = false`, which the watcher undoes by itself when it stops.
   */
  unref(): void {
    this._userRefs--;
    this._unref();
  }

  /** @internal */
  _ref(): void {
    if (++this._activeCnt === 1) this._refChanged();
  }

  /** @internal */
  _unref(): void {
    if (--this._activeCnt === 0) this._refChanged();
  }

  /**
   * Marks an outside wait in flight (a promise the caller awaits, a worker's reply): until
   * the returned release function is called, it counts like one active referenced watcher
   * (activeCount includes it; `run()` does not return), and on the virtual clock time stands
   * still (the loop waits for an event instead of jumping to the next timer). Calling the
   * release function twice does nothing.
   */
  externalWait(): () => void {
    this._usable('externalWait');
    this._extWaits++;
    this._ref();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this._extWaits--;
      this._unref();
      this._changed();
    };
  }

  // ---------------------------------------------------------------------------------------
  // Pending queue

  /**
   * Makes `watcher` pending with `revents`, as if its event had happened (libev's
   * ev_feed_event). Works on inactive watchers; feeding a pending watcher ORs `revents` into
   * its queued event (one callback). A watcher fed from a callback runs in the same
   * `invokePending` pass if its priority allows. LoopDestroyedError on a destroyed loop.
   */
  feedEvent(watcher: Watcher, revents: number): void {
    if (watcher === null || typeof watcher !== 'object' || watcher.loop !== this) {
      throw new TypeError(
        `feedEvent: ${describe(watcher)} is not a watcher of loop "${this.name}"; feed it ` +
          `through its own loop`,
      );
    }
    if (!Number.isInteger(revents)) {
      throw new TypeError(
        `feedEvent: revents must be an integer of event bits (got ${describe(revents)})`,
      );
    }
    this._usable('feedEvent');
    if (watcher.closed) {
      throw new WatcherStateError(`feedEvent: the ${watcher.kind} watcher is closed`);
    }
    this._feed(watcher, revents | 0);
    if (this._waiter !== null) this._scheduleImmediate();
  }

  /**
   * Takes `watcher` off the pending queue without invoking it; returns the bits it had
   * pending, or 0 (libev's ev_clear_pending).
   */
  clearPending(watcher: Watcher): number {
    if (watcher === null || typeof watcher !== 'object' || watcher.loop !== this) {
      throw new TypeError(
        `clearPending: ${describe(watcher)} is not a watcher of loop "${this.name}"`,
      );
    }
    return this._clearPending(watcher);
  }

  /** @internal libev's ev_feed_event without checks. */
  _feed(w: Watcher, revents: number): void {
    const slot = w._pending;
    const p = w._qi;
    if (slot !== 0) {
      this._pev[p][slot - 1] |= revents;
      return;
    }
    const i = this._pcnt[p]++;
    const q = this._pend[p];
    if (i === q.length) q.push(w);
    else q[i] = w;
    let ev = this._pev[p];
    if (i === ev.length) ev = this._growPev(p);
    ev[i] = revents;
    w._pending = i + 1;
    this._plive[p]++;
    this._npending++;
  }

  /** @internal Makes room for `n` more entries in pending queue `p` (one allocation). */
  private _reserve(p: number, n: number): void {
    const need = this._pcnt[p] + n;
    const q = this._pend[p];
    if (q.length < need && n > 64) {
      q.length = need;
      // Holes read as undefined; fill them so the queue holds only watchers or null.
      q.fill(null, this._pcnt[p]);
      if (this._pev[p].length < need) {
        const bigger = new Int32Array(need);
        bigger.set(this._pev[p]);
        this._pev[p] = bigger;
      }
    }
  }

  /** @internal */
  private _growPev(p: number): Int32Array {
    const bigger = new Int32Array(this._pev[p].length * 2);
    bigger.set(this._pev[p]);
    this._pev[p] = bigger;
    return bigger;
  }

  /** @internal */
  _clearPending(w: Watcher): number {
    const slot = w._pending;
    if (slot === 0) return 0;
    const p = w._qi;
    const q = this._pend[p];
    q[slot - 1] = null;
    const ev = this._pev[p][slot - 1];
    // Shrink the queue when its end was cleared (start/stop churn leaves no garbage).
    if (slot === this._pcnt[p]) {
      let n = slot - 1;
      while (n > 0 && q[n - 1] === null) n--;
      this._pcnt[p] = n;
    }
    w._pending = 0;
    this._plive[p]--;
    this._npending--;
    return ev;
  }

  /**
   * Invokes up to `max` pending watchers, in libev's order: priority MAXPRI down to MINPRI,
   * each queue popped from its end (so expired timers run earliest-deadline first). After
   * each callback it starts again from the highest priority (a callback may feed others).
   * Returns how many it invoked. A callback that throws is reported through `handleError`
   * and counts as invoked. Callable from a callback (libev's ev_invoke_pending).
   */
  invokePending(max = Infinity): number {
    if (!(max >= 0)) {
      throw new RangeError(`invokePending: max must be a number >= 0 (got ${describe(max)})`);
    }
    const pcnt = this._pcnt;
    let n = 0;
    let p = MAXPRI + 2;
    while (n < max) {
      while (p >= 0 && pcnt[p] === 0) p--;
      if (p < 0) break;
      const q = this._pend[p];
      const i = --pcnt[p];
      const w = q[i];
      q[i] = null;
      if (w === null) continue;
      w._pending = 0;
      this._plive[p]--;
      this._npending--;
      const ev = this._pev[p][i];
      n++;
      const cb = w.callback;
      if (cb !== null) {
        try {
          cb(w, ev);
        } catch (err) {
          this.handleError(err, w);
        }
      }
      p = MAXPRI + 2;
    }
    return n;
  }

  /**
   * Replaces the invoke-pending step (libev's ev_set_invoke_pending_cb): wherever the loop
   * would invoke pending watchers (after fork watchers, after prepare watchers, at the end
   * of each iteration, at destroy), it calls `cb(loop)` instead; `cb` decides when to call
   * `invokePending(n)`, and may run other work between callbacks. `null` restores the
   * default.
   */
  setInvokePending(cb: ((loop: Loop) => void) | null): void {
    if (cb !== null && typeof cb !== 'function') {
      throw new TypeError(`setInvokePending: expected a function or null (got ${describe(cb)})`);
    }
    this._invokeCb = cb;
  }

  /** @internal EV_INVOKE_PENDING */
  _invoke(): void {
    const cb = this._invokeCb;
    if (cb === null) {
      if (this._npending !== 0) this.invokePending();
    } else cb(this);
  }

  /**
   * Called with an error thrown by a watcher callback, and the watcher. The default prints
   * it to stderr with the watcher kind and the loop name; the loop then carries on.
   * Assign your own function to route errors elsewhere (the hub does); if it throws, the
   * error leaves `invokePending` / `run` (the loop stays consistent).
   */
  handleError(error: unknown, watcher: Watcher): void {
    const what =
      error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    const line =
      `@g/ev: a ${watcher.kind} watcher's callback threw on loop "${this.name}"; the loop ` +
      `carries on.\n${what}\n`;
    if (typeof process !== 'undefined' && process.stderr) process.stderr.write(line);
    else console.error(line);
  }

  // ---------------------------------------------------------------------------------------
  // run / break

  /**
   * Runs the loop (libev's ev_run).
   *
   * - `run(NOWAIT)`: one iteration that does not wait, synchronously; returns true while
   *   referenced watchers are active ("call again").
   * - `run()`: iterations until no referenced watcher is active or `break()`; the promise
   *   settles with the same boolean when libev's ev_run would return.
   * - `run(ONCE)`: one iteration that waits until something happened.
   *
   * A promise `run` gives Node a macrotask turn at every poll (also when it need not wait),
   * so Node's own callbacks keep running. When code outside the loop makes `activeCount`
   * fall to 0 while the run waits (stops or unrefs the last referenced watcher, releases
   * an `externalWait()`), the wait ends at the next macrotask and the run finishes that
   * iteration and resolves false, as libev's ev_run returns when activecnt reaches 0. Only one promise `run` (or `wake`) at a time:
   * LoopBusyError otherwise. LoopDestroyedError after `destroy()`.
   */
  run(flags: typeof NOWAIT | 3): boolean;
  run(flags?: 0 | typeof ONCE): Promise<boolean>;
  run(flags?: number): boolean | Promise<boolean>;
  run(flags = 0): boolean | Promise<boolean> {
    if (flags !== 0 && flags !== NOWAIT && flags !== ONCE && flags !== (NOWAIT | ONCE)) {
      throw new RangeError(`run: flags must be 0, NOWAIT or ONCE (got ${describe(flags)})`);
    }
    if (flags & NOWAIT) return this._runNowait();
    return this._runAsync(flags);
  }

  /**
   * libev's ev_break: `BREAK_ONE` (default) makes the innermost `run` return after this
   * iteration's callbacks, `BREAK_ALL` every nested one, `BREAK_CANCEL` undoes. The next
   * `run` starts with no break. Called while a `run()` promise waits, it ends the wait.
   */
  break(how: number = BREAK_ONE): void {
    if (how !== BREAK_ONE && how !== BREAK_ALL && how !== BREAK_CANCEL) {
      throw new RangeError(
        `break: use BREAK_ONE, BREAK_ALL or BREAK_CANCEL (got ${describe(how)})`,
      );
    }
    this._loopDone = how;
    if (how !== BREAK_CANCEL && this._waiterKind === W_RUN) this._scheduleImmediate();
  }

  /** @internal */
  private _runNowait(): boolean {
    this._usable('run');
    this._depth++;
    this._loopDone = BREAK_CANCEL;
    try {
      this._invoke();
      if (this._iterBefore()) {
        this._timeUpdate();
        this._poll();
        this._iterAfter();
      }
    } finally {
      if (this._loopDone === BREAK_ONE) this._loopDone = BREAK_CANCEL;
      this._depth--;
    }
    return this._activeCnt > 0;
  }

  /** @internal */
  private _runAsync(flags: number): Promise<boolean> {
    if (this._destroyed) {
      return Promise.reject(
        new LoopDestroyedError(`cannot run loop "${this.name}": it was destroyed`),
      );
    }
    if (this._running || this._waiterKind !== W_NONE) {
      return Promise.reject(
        new LoopBusyError(
          `loop "${this.name}" is already driven by ${this._running ? 'a run() promise' : 'a wake()'}; ` +
            `await it (or cancelWake()) first, or use run(NOWAIT)`,
        ),
      );
    }
    return new Promise<boolean>((resolve, reject) => {
      this._running = true;
      this._depth++;
      this._loopDone = BREAK_CANCEL;
      let settled = false;
      const finish = (err?: unknown, failed = false): void => {
        if (settled) return;
        settled = true;
        this._running = false;
        if (this._waiterKind === W_RUN) this._dropWaiter();
        if (this._loopDone === BREAK_ONE) this._loopDone = BREAK_CANCEL;
        this._depth--;
        if (failed) reject(err);
        else resolve(!this._destroyed && this._activeCnt > 0);
      };
      const afterPoll = (): void => {
        try {
          if (this._destroyed) {
            finish();
            return;
          }
          this._poll();
          this._iterAfter();
          if (
            this._activeCnt > 0 &&
            this._loopDone === BREAK_CANCEL &&
            (flags & ONCE) === 0 &&
            !this._destroyed
          ) {
            top();
          } else finish();
        } catch (err) {
          finish(err, true);
        }
      };
      const top = (): void => {
        if (!this._iterBefore()) {
          finish();
          return;
        }
        this._timeUpdate();
        const block =
          this._activeCnt > 0 &&
          this._idleAll === 0 &&
          this._npending === 0 &&
          this._loopDone === BREAK_CANCEL;
        this._waiter = afterPoll;
        this._waiterKind = W_RUN;
        this._noBlock = !block;
        this._evaluate();
      };
      try {
        this._invoke();
        if (this._destroyed) finish();
        else top();
      } catch (err) {
        finish(err, true);
      }
    });
  }

  /** @internal Steps 1-3 of an iteration; false when a break ends the run here. */
  private _iterBefore(): boolean {
    if (this._postfork) {
      const forks = this._forks;
      for (let i = 0; i < forks.length; i++) this._feed(forks[i], FORK);
      for (let i = 0; i < this._embeds.length; i++) this._embeds[i].other.fork();
      this._postfork = false;
      if (forks.length !== 0) this._invoke();
    }
    if (this._prepares.length !== 0) {
      const prepares = this._prepares;
      for (let i = 0; i < prepares.length; i++) this._feed(prepares[i], PREPARE);
      this._invoke();
    }
    return this._loopDone === BREAK_CANCEL && !this._destroyed;
  }

  /** @internal Step 5: collect what the backend reported. */
  private _poll(): void {
    this._iteration++;
    const list = this._ready;
    const n = list.length;
    if (n !== 0) {
      this._ready = this._readySpare;
      this._readySpare = list;
      for (let i = 0; i < n; i++) {
        const w = list[i];
        const bits = w._ready;
        w._ready = 0;
        if (w._active !== 0) w._onReady(bits);
      }
      list.length = 0;
    }
    const asyncs = this._asyncs;
    for (let i = 0; i < asyncs.length; i++) asyncs[i]._collect();
    const embeds = this._embeds;
    for (let i = 0; i < embeds.length; i++) {
      if (embeds[i].other._mayHaveEvents()) this._feed(embeds[i], EMBED);
    }
  }

  /** @internal Steps 6-7. */
  private _iterAfter(): void {
    this._timeUpdate();
    if (this._timers.n !== 0) this._timersReify();
    if (this._periodics.n !== 0) this._periodicsReify();
    if (this._idleAll !== 0) this._idleReify();
    const checks = this._checks;
    for (let i = 0; i < checks.length; i++) this._feed(checks[i], CHECK);
    this._invoke();
  }

  /**
   * @internal libev's timers_reify: expired timers, fed earliest-deadline-last (so invoked
   * earliest first; equal deadlines in start order). A repeating timer that fell behind is
   * rescheduled to now; on the virtual clock (where `at <= now` is due) it is held out of the
   * heap until the pass ends, so that it fires once per iteration, as in libev.
   */
  private _timersReify(): void {
    const heap = this._timers;
    const now = this._mnNow;
    const rfeeds = this._rfeeds as Timer[];
    const k = heap.takeDue(now, this._virtual, rfeeds, this._rk);
    if (k === 0) return;
    this._orderEqualRuns(k);
    this._reserve(2, k); // most timers have priority 0: grow that queue once, not k times
    const rkeys = this._rk.keys;
    let refs = 0;
    let repeats: Timer[] | null = null;
    // One pass, last first (libev's feed_reverse): the LIFO pending queue then invokes them
    // earliest first. Each timer is touched once here (a million due timers are a million
    // cache misses per pass, so passes are fused).
    for (let i = k - 1; i >= 0; i--) {
      const w = rfeeds[i];
      rfeeds[i] = undefined as any;
      w._active = 0;
      const at = rkeys[i * 2];
      if (w._repeat > 0) {
        // Rescheduled from its deadline (no drift); one that fell behind goes to now. It
        // goes back into the heap after the pass: it fires at most once per iteration.
        let next = at + w._repeat;
        if (next < now) next = now;
        w._at = next;
        (repeats ??= []).push(w);
      } else {
        // A one-shot timer stops (libev's ev_timer_stop, inlined: it keeps at - now).
        if (w._pending !== 0) this._clearPending(w);
        w._at = at - now;
        if ((w._flags & 3) === 0) refs++; // holds a reference: neither F_UNREF nor F_NEVER_REF
      }
      this._feed(w, TIMER);
    }
    if (refs !== 0) {
      this._activeCnt -= refs;
      if (this._activeCnt <= 0 && this._activeCnt + refs > 0) this._refChanged();
    }
    if (repeats !== null) for (let i = repeats.length - 1; i >= 0; i--) heap.insert(repeats[i]);
  }

  /** @internal libev's periodics_reify (same rules as timers). */
  private _periodicsReify(): void {
    const heap = this._periodics;
    const virt = this._virtual;
    let nr = 0;
    let held: Periodic[] | null = null;
    while (heap.n !== 0) {
      const rt = this._rtNow;
      const at = heap.topAt();
      if (virt ? at > rt : at >= rt) break;
      const w = heap.top()!;
      const seq = heap.topSeq();
      if (w._reschedule !== null || w._interval > 0) {
        if (!w._recompute()) continue; // a bad reschedule result stopped it (reported)
        if (virt && w._at <= rt) {
          heap.remove(w);
          (held ??= []).push(w);
        } else heap.adjust(w);
      } else {
        w.stop();
      }
      this._collect(nr++, w, at, seq);
    }
    if (held !== null) for (const w of held) heap.insert(w);
    this._feedCollected(nr, PERIODIC);
  }

  /** @internal Scratch of an expiry pass: watchers, and `[at, seq]` per watcher. */
  private _rfeeds: Watcher[] = [];
  private _rk = { keys: new Float64Array(128) };

  /** @internal Records the i-th expired element of a pass. */
  private _collect(i: number, w: Watcher, at: number, seq: number): void {
    this._rfeeds[i] = w;
    let keys = this._rk.keys;
    if (i * 2 + 1 >= keys.length) {
      const bigger = new Float64Array(keys.length * 2);
      bigger.set(keys);
      this._rk.keys = keys = bigger;
    }
    keys[i * 2] = at;
    keys[i * 2 + 1] = seq;
  }

  /**
   * @internal libev's feed_reverse_done: feeds the `n` collected elements last-first, so the
   * LIFO pending queue invokes them in expiry order. Elements were collected in heap order
   * (by deadline); runs with an equal deadline are first put in sequence (start) order.
   */
  private _feedCollected(n: number, revents: number): void {
    if (n === 0) return;
    const rfeeds = this._rfeeds;
    this._orderEqualRuns(n);
    for (let i = n - 1; i >= 0; i--) {
      const w = rfeeds[i];
      rfeeds[i] = undefined as any;
      this._feed(w, revents);
    }
  }

  /** @internal Puts each run of collected elements with an equal deadline in start order. */
  private _orderEqualRuns(n: number): void {
    const keys = this._rk.keys;
    for (let i = 0; i < n - 1; ) {
      let j = i + 1;
      while (j < n && keys[j * 2] === keys[i * 2]) j++;
      if (j - i > 1) this._sortRun(i, j);
      i = j;
    }
  }

  /** @internal Orders collected elements [from, to) by sequence number. */
  private _sortRun(from: number, to: number): void {
    const rfeeds = this._rfeeds;
    const keys = this._rk.keys;
    let sorted = true;
    for (let i = from + 1; i < to && sorted; i++) sorted = keys[i * 2 - 1] < keys[i * 2 + 1];
    if (sorted) return;
    const idx: number[] = [];
    for (let i = from; i < to; i++) idx.push(i);
    idx.sort((a, b) => keys[a * 2 + 1] - keys[b * 2 + 1]);
    const ws = idx.map((i) => rfeeds[i]);
    for (let i = from; i < to; i++) rfeeds[i] = ws[i - from];
  }

  /** @internal libev's periodics_reschedule (time jump, resume). */
  _periodicsReschedule(): void {
    const heap = this._periodics;
    if (heap.n === 0) return;
    const list = heap.toArray();
    for (const w of list) {
      if (w._active === 0) continue;
      if (w._reschedule !== null || w._interval > 0) w._recompute();
    }
    heap.rebuild();
  }

  /** @internal libev's idle_reify: idle watchers only where nothing of >= priority is pending. */
  private _idleReify(): void {
    for (let p = NUMPRI - 1; p >= 0; p--) {
      if (this._plive[p] !== 0) break;
      const idles = this._idles[p];
      if (idles.length !== 0) {
        for (let i = 0; i < idles.length; i++) this._feed(idles[i], IDLE);
        break;
      }
    }
  }

  /** @internal For an embedding loop: could a sweep of this loop do anything now? */
  _mayHaveEvents(): boolean {
    if (this._destroyed) return false;
    if (this._npending !== 0 || this._ready.length !== 0 || this._postfork) return true;
    if (this._asyncSent()) return true;
    const mn = this._virtual ? this._mnNow : monoNow();
    const rt = this._virtual ? this._rtNow : wallNow();
    const t = this._timers.topAt();
    const p = this._periodics.topAt();
    if (this._virtual ? t <= mn || p <= rt : t < mn || p < rt) return true;
    for (let i = 0; i < this._embeds.length; i++) {
      if (this._embeds[i].other._mayHaveEvents()) return true;
    }
    return false;
  }

  /** @internal An active async watcher has an unprocessed send. */
  private _asyncSent(): boolean {
    const asyncs = this._asyncs;
    for (let i = 0; i < asyncs.length; i++) if (asyncs[i]._sent()) return true;
    return false;
  }

  // ---------------------------------------------------------------------------------------
  // Waiting: wake / cancelWake, and the machinery under run()

  /**
   * Asks the loop to call `cb()` once, from a Node macrotask (never synchronously, never
   * inside a watcher callback), as soon as an iteration would have work: an event was fed
   * or reported by the backend (io, signal, child, stat, async from any thread), the
   * earliest timer or periodic is due, an idle watcher is active (then at once), or
   * something is pending. This is the poll step made asynchronous: call `run(NOWAIT)` when
   * `cb` runs. A later `wake(cb2)` replaces the request; `cancelWake()` drops it.
   *
   * Node backend: while it waits there is exactly one armed Node timer (for the earliest
   * deadline, at most MAX_BLOCKTIME ahead), referenced only while `activeCount > 0`.
   * Virtual backend: this is where time advances: after one macrotask turn with nothing
   * pending and no `externalWait()` held, `now()` jumps to the next deadline and `cb` is
   * called; with no deadline it waits for a fed event.
   *
   * The loop stops being alive while it waits: when `activeCount` falls to 0 after
   * `wake(cb)` (code outside the loop stops or unrefs the last referenced watcher, calls
   * `unref()`, or releases an `externalWait()`), `cb` is called from the next macrotask,
   * once, if the count is still 0 then (a stop followed at once by a start calls nothing),
   * without waiting for unreferenced watchers or moving virtual time. The driver re-checks
   * `alive`, as libev's ev_run returns when activecnt reaches 0. A `wake(cb)` made while
   * `activeCount` is already 0 waits for events as above (unreferenced watchers still wake
   * it; on Node it then holds the process open by nothing but an unreferenced timer).
   */
  wake(cb: () => void): void {
    if (typeof cb !== 'function') {
      throw new TypeError(`wake: expected a function (got ${describe(cb)})`);
    }
    this._usable('wake');
    if (this._waiterKind === W_RUN || this._running) {
      throw new LoopBusyError(
        `loop "${this.name}" is being driven by a run() promise; wake() is for code that ` +
          `drives the loop itself with run(NOWAIT)`,
      );
    }
    this._waiter = cb;
    this._waiterKind = W_WAKE;
    this._noBlock = false;
    this._evaluate();
  }

  /** Drops a `wake()` request and disarms the Node timer. Does nothing without one. */
  cancelWake(): void {
    if (this._waiterKind === W_WAKE) this._dropWaiter();
  }

  /** @internal */
  private _dropWaiter(): void {
    this._waiter = null;
    this._waiterKind = W_NONE;
    this._deadCheck = false;
    this._disarm();
  }

  /** @internal Something changed that may end or shorten a wait. */
  _changed(): void {
    if (this._waiter !== null) this._evaluate();
    const outer = this._embeddedBy;
    if (outer !== null && outer.loop._waiter !== null) outer.loop._evaluate();
  }

  /** @internal A deadline at loop time `at` was added (timer/periodic start). */
  _deadlineAdded(at: number): void {
    if (this._waiter !== null) {
      if (this._virtual || this._nodeTimer === null || at < this._nodeTimerAt) this._evaluate();
    }
    const outer = this._embeddedBy;
    if (outer !== null && outer.loop._waiter !== null) outer.loop._evaluate();
  }

  /** @internal The backend saw `bits` for `w`; collected at the next poll. Never invokes. */
  _markReady(w: ReadyWatcher, bits: number): void {
    if (w._ready === 0) this._ready.push(w);
    w._ready |= bits;
    if (this._waiter !== null) this._scheduleImmediate();
    const outer = this._embeddedBy;
    if (outer !== null && outer.loop._waiter !== null) outer.loop._scheduleImmediate();
  }

  /**
   * @internal activeCount moved between 0 and 1: the Node timer's ref follows it. When it
   * fell to 0 while a waiter is armed (a watcher stopped or unref'd, an external wait
   * released, by code outside the loop), the waiter is called from the next macrotask if
   * the count is still 0 then (see wake()).
   */
  private _refChanged(): void {
    const t = this._nodeTimer;
    if (t !== null) {
      if (this._activeCnt > 0) t.ref();
      else t.unref();
    }
    if (this._activeCnt <= 0 && this._waiter !== null) {
      this._deadCheck = true;
      this._scheduleImmediate();
    }
  }

  /** @internal Work that needs no clock: an iteration now would do something. */
  private _hasWorkNow(): boolean {
    return (
      this._npending !== 0 ||
      this._ready.length !== 0 ||
      this._idleAll !== 0 ||
      this._postfork ||
      (this._waiterKind === W_RUN && this._loopDone !== BREAK_CANCEL) ||
      this._destroyed ||
      (this._asyncs.length !== 0 && this._asyncSent()) ||
      (this._embeds.length !== 0 && this._embedsHaveWork())
    );
  }

  /** @internal */
  private _embedsHaveWork(): boolean {
    for (let i = 0; i < this._embeds.length; i++) {
      if (this._embeds[i].other._mayHaveEvents()) return true;
    }
    return false;
  }

  /** @internal Decide how to wait (or not) for the registered waiter. */
  _evaluate(): void {
    if (this._waiter === null) return;
    if (this._virtual || this._noBlock) {
      this._scheduleImmediate();
      return;
    }
    this._evalNode(false);
  }

  /** @internal */
  private _scheduleImmediate(): void {
    if (this._immScheduled) return;
    this._immScheduled = true;
    nativeSetImmediate(this._onImmediate);
  }

  /** @internal */
  private _immediate(): void {
    this._immScheduled = false;
    if (this._waiter === null) return;
    if (this._deadCheck) {
      this._deadCheck = false;
      if (this._activeCnt <= 0) {
        this._fire();
        return;
      }
    }
    if (this._noBlock) this._fire();
    else if (this._virtual) this._evalVirtual();
    else this._evalNode(true);
  }

  /** @internal Node backend: fire now if there is work, else arm the one Node timer. */
  private _evalNode(inMacrotask: boolean): void {
    let delay: number;
    if (this._hasWorkNow()) delay = 0;
    else {
      const mn = monoNow();
      const rt = wallNow();
      delay = MAX_BLOCKTIME;
      const t = this._timers.topAt() - mn;
      if (t < delay) delay = t;
      if (this._periodics.n !== 0) {
        const p = this._periodics.topAt() - rt;
        if (p < delay) delay = p;
      }
      if (this._embeds.length !== 0) {
        const e = this._embedsDeadline() - mn;
        if (e < delay) delay = e;
      }
      if (delay < 0) delay = 0;
      else if (delay > 0) {
        // Node truncates to whole milliseconds and may fire up to 1 ms early: round up; an
        // early wake-up re-arms for the rest.
        const ms = Math.ceil(delay * 1000);
        const at = mn + ms / 1000;
        if (this._nodeTimer !== null && Math.abs(this._nodeTimerAt - at) < 0.0005) return;
        this._disarm();
        const timer = nativeSetTimeout(this._onNodeTimer, ms);
        if (this._activeCnt <= 0) timer.unref();
        this._nodeTimer = timer;
        this._nodeTimerAt = at;
        return;
      }
    }
    this._disarm();
    if (inMacrotask) this._fire();
    else this._scheduleImmediate();
  }

  /** @internal */
  private _nodeTimerFired(): void {
    this._nodeTimer = null;
    this._nodeTimerAt = Infinity;
    if (this._waiter !== null) this._evalNode(true);
  }

  /** @internal */
  private _disarm(): void {
    if (this._nodeTimer !== null) {
      nativeClearTimeout(this._nodeTimer);
      this._nodeTimer = null;
      this._nodeTimerAt = Infinity;
    }
  }

  /** @internal Virtual clock: fire if there is work; else jump to the next deadline. */
  private _evalVirtual(): void {
    const heapT = this._timers;
    const heapP = this._periodics;
    if (
      this._hasWorkNow() ||
      heapT.topAt() <= this._mnNow ||
      (heapP.n !== 0 && heapP.topAt() <= this._rtNow)
    ) {
      this._fire();
      return;
    }
    if (this._extWaits > 0) return; // an outside wait holds time still
    const before = this._mnNow;
    const t = heapT.topAt();
    const pRt = heapP.n !== 0 ? heapP.topAt() : Infinity;
    const p = pRt - this._rtNow + before;
    const e = this._embeds.length !== 0 ? this._embedsDeadline() : Infinity;
    if (t === Infinity && p === Infinity && e === Infinity) return; // wait for a fed event
    // Land exactly on the earliest deadline, so that it is due (at <= now).
    if (t <= p && t <= e) {
      this._mnNow = t;
      this._rtNow = this._rtmnDiff + t;
    } else if (p <= e) {
      if (p > before) this._mnNow = p;
      this._rtNow = pRt;
    } else {
      this._mnNow = e;
      this._rtNow = this._rtmnDiff + e;
    }
    const delta = this._mnNow - before;
    for (let i = 0; i < this._embeds.length; i++) {
      const other = this._embeds[i].other;
      if (other._virtual) other._advanceBy(delta);
    }
    this._fire();
  }

  /**
   * @internal Virtual clock of an embedded loop: move by `delta` with its parent, snapping
   * onto its own earliest deadline when rounding left it a hair short.
   */
  _advanceBy(delta: number): void {
    if (!(delta > 0)) return;
    const before = this._mnNow;
    let mn = before + delta;
    let rt = this._rtNow + delta;
    const t = this._timers.topAt();
    if (t > mn && t - mn <= 1e-9 * Math.max(1, Math.abs(t))) mn = t;
    if (this._periodics.n !== 0) {
      const pRt = this._periodics.topAt();
      if (pRt > rt && pRt - rt <= 1e-9 * Math.max(1, Math.abs(pRt))) rt = pRt;
    }
    this._mnNow = mn;
    this._rtNow = rt;
    for (let i = 0; i < this._embeds.length; i++) {
      const other = this._embeds[i].other;
      if (other._virtual) other._advanceBy(mn - before);
    }
  }

  /** @internal End the wait: call the waiter once. */
  private _fire(): void {
    const cb = this._waiter;
    if (cb === null) return;
    this._waiter = null;
    this._waiterKind = W_NONE;
    this._noBlock = false;
    this._deadCheck = false;
    this._disarm();
    cb();
  }

  // ---------------------------------------------------------------------------------------
  // fork / destroy / verify

  /**
   * libev's ev_loop_fork: the next iteration first invokes every active fork watcher (and
   * propagates the fork to embedded loops). Node has no fork(); fork watchers fire only
   * through this call.
   */
  fork(): void {
    this._usable('fork');
    this._postfork = true;
    this._changed();
  }

  /**
   * libev's ev_loop_destroy: invokes the active cleanup watchers, then stops every watcher
   * that is still active (releasing process listeners, Node timers and stat polls; libev
   * itself leaves signal and child watchers to the user, but a JavaScript listener of a dead
   * loop would hold its signal forever), clears everything pending, drops a `wake()`,
   * settles a pending `run()` promise with false, and marks the loop destroyed: starting a
   * watcher or running it afterwards throws LoopDestroyedError. The default loop is
   * forgotten: `defaultLoop()` makes a new one. Destroying twice does nothing.
   */
  destroy(): void {
    if (this._destroyed) return;
    if (this._cleanups.length !== 0) {
      const cleanups = this._cleanups;
      for (let i = 0; i < cleanups.length; i++) this._feed(cleanups[i], CLEANUP);
      this._invoke();
    }
    for (const w of this._allActive()) w.stop();
    for (let p = 0; p < NUMPRI; p++) {
      const q = this._pend[p];
      for (let i = 0; i < this._pcnt[p]; i++) {
        const w = q[i];
        if (w !== null) w._pending = 0;
      }
      q.length = 0;
      this._pcnt[p] = 0;
      this._plive[p] = 0;
    }
    this._npending = 0;
    for (const w of this._ready) w._ready = 0;
    this._ready.length = 0;
    this._destroyed = true;
    if (this._embeddedBy !== null) this._embeddedBy.stop();
    if (this._waiterKind === W_WAKE) this._dropWaiter();
    else if (this._waiterKind === W_RUN) this._scheduleImmediate();
    if (EV.defaultLoop === this) EV.defaultLoop = null;
  }

  /** @internal Every active watcher (a snapshot). */
  private _allActive(): Watcher[] {
    // No spread: a million timers would overflow the call stack.
    const all: Watcher[] = [];
    const add = (list: Iterable<Watcher>) => {
      for (const w of list) all.push(w);
    };
    add(this._timers.toArray());
    add(this._periodics.toArray());
    for (const list of this._idles) add(list);
    add(this._prepares);
    add(this._checks);
    add(this._forks);
    add(this._cleanups);
    add(this._embeds);
    add(this._asyncs);
    add(this._os);
    return all;
  }

  /**
   * Checks the loop's invariants (libev's ev_verify): heap order and positions of timers and
   * periodics, positions of the watcher arrays, the pending queues and their counts,
   * activeCount against the watchers that hold a reference. Throws an EvError naming the
   * first violation; returns nothing when all hold. For tests; O(number of watchers).
   */
  verify(): void {
    const fail = (msg: string): never => {
      throw new EvError(`loop "${this.name}" failed verify(): ${msg}`);
    };
    const t = this._timers.check();
    if (t !== null) fail(`timers: ${t}`);
    const p = this._periodics.check();
    if (p !== null) fail(`periodics: ${p}`);
    let refs = 0;
    const countRef = (w: Watcher) => {
      if (w._holdsRef()) refs++;
    };
    for (const w of this._timers.toArray()) countRef(w);
    for (const w of this._periodics.toArray()) countRef(w);
    const arrays: [string, Watcher[]][] = [
      ['prepare', this._prepares],
      ['check', this._checks],
      ['fork', this._forks],
      ['cleanup', this._cleanups],
      ['embed', this._embeds],
      ['async', this._asyncs],
    ];
    let idles = 0;
    this._idles.forEach((list, i) => {
      arrays.push([`idle(priority ${i - 2})`, list]);
      idles += list.length;
      for (const w of list) if (w._qi !== i) fail(`idle watcher in the wrong priority list`);
    });
    if (idles !== this._idleAll) fail(`idle count ${this._idleAll} but ${idles} idle watchers`);
    for (const [name, list] of arrays) {
      list.forEach((w, i) => {
        if (w._active !== i + 1) fail(`${name} watcher at ${i} has position ${w._active - 1}`);
        countRef(w);
      });
    }
    for (const w of this._os) {
      if (w._active === 0) fail(`inactive ${w.kind} watcher in the active set`);
      countRef(w);
    }
    const expected = refs + this._userRefs + this._extWaits;
    if (expected !== this._activeCnt) {
      fail(
        `activeCount is ${this._activeCnt} but ${refs} referencing watchers + ` +
          `${this._userRefs} ref() + ${this._extWaits} external waits = ${expected}`,
      );
    }
    let total = 0;
    for (let pri = 0; pri < NUMPRI; pri++) {
      const q = this._pend[pri];
      let live = 0;
      for (let i = 0; i < this._pcnt[pri]; i++) {
        const w = q[i];
        if (w === null || w === undefined) continue;
        live++;
        if (w._pending !== i + 1) fail(`pending watcher at ${i} has slot ${w._pending - 1}`);
        if (w._qi !== pri) fail(`pending watcher in the queue of the wrong priority`);
      }
      for (let i = this._pcnt[pri]; i < q.length; i++) {
        if (q[i] !== null && q[i] !== undefined)
          fail(`pending queue ${pri - 2} has an entry past its end`);
      }
      if (live !== this._plive[pri])
        fail(`priority ${pri - 2}: ${live} pending, counted ${this._plive[pri]}`);
      total += live;
    }
    if (total !== this._npending) fail(`pendingCount is ${this._npending} but ${total} are queued`);
  }

  /** @internal Throws LoopDestroyedError for `what` on a destroyed loop. */
  _usable(what: string): void {
    if (this._destroyed) {
      throw new LoopDestroyedError(
        `${what}: loop "${this.name}" was destroyed; make a new Loop (or call defaultLoop() again)`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------
  // Factories (gevent style): each makes an inactive watcher of this loop.

  /** A timer that expires `after` seconds after it is started, then every `repeat` (0: once). */
  timer(after = 0, repeat = 0, ref = true, priority = 0): Timer {
    return setup(new Timer(this, after, repeat), ref, priority);
  }

  /** A wall-clock periodic: `offset` + N * `interval`, or a `reschedule(w, now)` callback. */
  periodic(
    offset = 0,
    interval = 0,
    reschedule: RescheduleCallback | null = null,
    ref = true,
    priority = 0,
  ): Periodic {
    return setup(new Periodic(this, offset, interval, reschedule), ref, priority);
  }

  /** Readiness (READ / WRITE) of a Node stream, socket or server, or of a raw fd (fd.ts). */
  io(target: IoTarget, events: number, ref = true, priority = 0): Io {
    return setup(new Io(this, target, events), ref, priority);
  }

  /** A process signal (number or name, e.g. 'SIGUSR2'). */
  signal(signum: number | string, ref = true, priority = 0): Signal {
    return setup(new Signal(this, signum), ref, priority);
  }

  /** The exit of a child process started through Node (a ChildProcess, a pid, or 0 for any). */
  child(target: ChildTarget, trace = false, ref = true): Child {
    return setup(new Child(this, target, trace), ref, 0);
  }

  /** Changes of a path's attributes, polled every `interval` seconds (0: libev's default). */
  stat(path: string, interval = 0, ref = true, priority = 0): Stat {
    return setup(new Stat(this, path, interval), ref, priority);
  }

  /** Runs when nothing of the same or a higher priority is pending; the loop does not wait. */
  idle(ref = true, priority = 0): Idle {
    return setup(new Idle(this), ref, priority);
  }

  /** Runs at the start of every iteration, before the loop waits. */
  prepare(ref = true, priority = 0): Prepare {
    return setup(new Prepare(this), ref, priority);
  }

  /** Runs at the end of every iteration, after the loop waited (before other callbacks). */
  check(ref = true, priority = 0): Check {
    return setup(new Check(this), ref, priority);
  }

  /** A fork watcher (libev's ev_fork): runs at the next iteration after `loop.fork()`. */
  forkWatcher(ref = true, priority = 0): Fork {
    return setup(new Fork(this), ref, priority);
  }

  /** Runs when the loop is destroyed; holds no reference. */
  cleanup(priority = 0): Cleanup {
    return setup(new Cleanup(this), true, priority);
  }

  /** Embeds `other` (same backend) in this loop; `sweep()` runs it without waiting. */
  embed(other: Loop, ref = true, priority = 0): Embed {
    return setup(new Embed(this, other), ref, priority);
  }

  /** A wake-up that any code, or a Worker thread, can `send()`; sends coalesce. */
  async(ref = true, priority = 0): Async {
    return setup(new Async(this), ref, priority);
  }
}

Object.defineProperty(Loop.prototype, LOOP_BRAND, { value: true });

function setup<W extends Watcher>(w: W, ref: boolean, priority: number): W {
  if (priority !== 0) w.priority = priority;
  if (!ref) w.ref = false;
  return w;
}

/** True for a Loop of any loaded copy of this package. */
export function isLoop(x: unknown): x is Loop {
  return x !== null && typeof x === 'object' && (x as any)[LOOP_BRAND] === true;
}

/**
 * The default loop (libev's ev_default_loop): one per process, Node backend, named
 * 'default', shared by every loaded copy of @g/ev. Made on first use, and again after its
 * `destroy()`. Making it starts tracking child processes started through Node (child.ts).
 */
export function defaultLoop(): Loop {
  let loop = EV.defaultLoop;
  if (loop === null) {
    loop = new Loop({ name: 'default' });
    EV.defaultLoop = loop;
    trackChildren();
  }
  return loop;
}
