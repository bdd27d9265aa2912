/**
 * The Hub: one greenlet per loop that runs the loop and schedules every other greenlet.
 *
 * ```ts
 * import { createHub, sleep } from '@g/hub';
 * const hub = createHub({ backend: 'virtual' });
 * const t = await hub.run(function* () { yield* sleep(3600); return hub.loop.now(); });
 * // t === 3600, in microseconds of real time
 * ```
 *
 * ## How the hub runs
 *
 * The hub is a greenlet whose parent is main. Its body repeats, in this order (gevent's
 * loop iteration: pending watchers, each switching straight into what it woke, then the
 * callback queue, then a poll):
 *
 * 1. Pending watcher callbacks, one at a time (`loop.invokePending(1)`). The greenlets a
 *    callback woke (a timer ending a sleep, a Timeout raising, a `startLater`) run right
 *    after it, in the order it woke them, before the next pending callback: in gevent the
 *    callback switches into them directly. What those greenlets queue in turn (`sleep(0)`,
 *    `spawn`, link notifications) goes to the run queue and waits for step 2.
 * 2. The run queue (run-queue.ts), FIFO: greenlets woken from outside a watcher callback
 *    (promise reactions, emitter listeners, `sleep(0)`), spawned greenlets starting, kills,
 *    link callbacks, `runCallback`. At most `BATCH` (64) entries go before the loop is
 *    polled again (pending watchers first), so a greenlet looping on `sleep(0)` cannot
 *    starve timers and I/O.
 * 3. With nothing pending and nothing queued (or after BATCH entries), poll the loop once
 *    without waiting (`loop.run(NOWAIT)`): timers expire, fed I/O events become pending.
 * 4. With nothing to run and nothing pending, *park*: ask the loop to call back when it has
 *    work (`loop.wake`) and switch to main, which gives control back to Node. Node's
 *    callbacks (a timer, I/O, a resolved promise) switch into the hub again.
 *
 * After running continuously for `switchInterval` seconds (default 0.005, gevent's), the
 * hub parks for one Node macrotask (setImmediate) so Node's own callbacks are not starved.
 *
 * Watcher callbacks, promise reactions and emitter listeners never switch: they put an
 * entry on the run queue (waiting.ts), which schedules the hub (a microtask) if it is
 * parked.
 *
 * ## When nothing can wake a greenlet
 *
 * When the hub parks with no active referenced watcher (promises waited on with `until()`
 * count as referenced) and an empty run queue, nothing can ever wake a waiting greenlet.
 * Greenlets whose result a promise awaits (`run()`, `toPromise()`) get LoopExit raised at
 * the wait that cannot end, naming the chain of joins that is blocked and how many
 * greenlets are alive; `hub.join()` resolves. One that swallows LoopExit and within its
 * next two waits waits on nothing again is ended (forced end) failing with it. Other
 * waiting greenlets stay as they are, and Node may exit.
 */
import { natives } from '@g/ev';
import {
  Greenlet as CoreGreenlet,
  getcurrent,
  getmain,
  isGreenletExit,
  type Op,
  setRedirect,
} from '@g/greenlet';
import { BlockingSwitchOutError, LoopExit } from './errors.js';
import type { ResultOf } from './greenlet.js';
import { HubGreenlet, rare } from './hub-greenlet.js';
import { formatReport } from './report.js';
import { runIn } from './run.js';
import { CALLBACK, RETURN, RunQueue, START, THROW, WAKE } from './run-queue.js';
import { checkSeconds } from './seconds.js';
import { forceEnd, W_CLAIMED, W_NONE, W_OPEN, W_YIELD, wakeThrow } from './waiting.js';

// Node's own clock and setImmediate, captured by @g/ev at load: the time slice and the
// yield to Node stay real when @g/monkey patches the globals (a virtual clock, patched
// timers).
const { perfNow, setImmediate: nativeSetImmediate } = natives;

const coreSwitch = CoreGreenlet.prototype.switch;
const coreThrow = CoreGreenlet.prototype.throw;
const coreUnwind = CoreGreenlet.prototype.unwind;

/** Entries delivered between two polls of the loop. */
const BATCH = 64;

/** The loop API the hub drives (implemented by @g/ev's Loop). */
export interface HubLoop {
  readonly backend: string;
  now(): number;
  nowUpdate(): void;
  run(flags: number): boolean | Promise<boolean>;
  readonly pendingCount: number;
  readonly alive: boolean;
  invokePending(max?: number): number;
  setInvokePending(cb: ((loop: any) => void) | null): void;
  wake(cb: () => void): void;
  cancelWake(): void;
  externalWait(): () => void;
  timer(after: number, repeat?: number): any;
  idle(): any;
  destroy(): void;
  handleError?: (err: unknown, watcher: unknown) => void;
}

export interface HubOptions {
  /** Seconds of continuous running before Node gets a turn (default 0.005). */
  switchInterval?: number;
  /**
   * Default grace period of kill() (and of an expired Timeout) before the forced end, in
   * seconds (default 1; Infinity: never force).
   */
  killGrace?: number;
  /** Record a full stack at every spawn for error reports (debug; ~1.4 µs a spawn). */
  spawnStacks?: boolean;
  /**
   * Run each greenlet in its spawner's AsyncLocalStorage context (default true). False
   * saves one AsyncResource per greenlet (about 80 B and 0.1 µs) and the context switch at
   * each resume; greenlets then run in whatever context the hub was entered from.
   */
  asyncContext?: boolean;
}

let hubIds = 0;

// The Hub is a greenlet, but its `run(fn)` runs a function under the hub (gevent's
// hub.run is the loop body, which here is the private hubBody). The cast hides the core
// greenlet's `run` accessor from the type so the method can take its name.
const HubBase = CoreGreenlet as unknown as new (
  run: null,
  parent: CoreGreenlet,
) => Omit<CoreGreenlet, 'run'>;

export class Hub extends HubBase {
  /** The loop this hub runs. */
  readonly loop: HubLoop;
  /** Seconds of continuous running before Node gets a turn. */
  switchInterval: number;
  /** Default grace period of kill() before the forced end, in seconds. */
  killGrace: number;
  /** Record spawn-site stacks for error reports. */
  spawnStacks: boolean;
  /** Run greenlets in their spawner's async context (see HubOptions). */
  asyncContext: boolean;
  /** Where handleError prints (null: nowhere). Default process.stderr. */
  exceptionStream: { write(s: string): unknown } | null = process.stderr;
  /** A number for messages. */
  readonly id = ++hubIds;

  /** @internal the run queue (run-queue.ts). */
  readonly _rq = new RunQueue();
  /**
   * @internal wake-ups made by the watcher callback being invoked: delivered right after
   * it, before the next pending callback (gevent's callbacks switch directly).
   */
  readonly _rqd = new RunQueue();
  /** @internal true while the hub invokes a watcher callback (pushes go to _rqd). */
  _inWatcher = false;
  /** @internal true while the hub waits in main for Node. */
  _parked = true;
  /**
   * @internal true while the hub is suspended delivering a run-queue entry (the point
   * where a direct hand-off is the same as resuming the hub; see `_handOff`).
   */
  _delivering = false;
  /** @internal run-queue entries delivered since the last poll of the loop. */
  _sincePoll = 0;
  /** @internal last minimal ident handed out. */
  _idents = 0;
  /** @internal greenlets of this hub started and not dead yet. */
  _live = 0;
  /** @internal greenlets whose result a promise awaits (LoopExit candidates). */
  readonly _awaited = new Set<HubGreenlet>();
  /** @internal greenlets in wait() for the hub to be idle (their wake-ups). */
  readonly _idleWaiters: Array<() => boolean> = [];
  /** @internal a greenlet the monitor is timing. */
  _monitor: {
    onSwitch(g: unknown, dt: number, spawner?: unknown, args?: unknown[]): void;
    threshold: number;
  } | null = null;
  private kickPending = false;
  private joiners: Array<(idle: boolean) => void> | null = null;
  private destroyed = false;
  private readonly kickCb: () => void;
  private readonly wakeCb: () => void;
  private readonly yieldCb: () => void;

  constructor(loop: HubLoop, options: HubOptions = {}) {
    super(null, getmain());
    this.loop = loop;
    this.switchInterval = options.switchInterval ?? 0.005;
    this.killGrace = options.killGrace ?? 1;
    for (const [k, v] of [
      ['switchInterval', this.switchInterval],
      ['killGrace', this.killGrace],
    ] as const) {
      if (typeof v !== 'number' || !(v >= 0)) {
        throw new RangeError(
          `createHub({ ${k} }): must be a number of seconds >= 0 (killGrace may be Infinity: never force), got ${String(v)}`,
        );
      }
    }
    this.spawnStacks = options.spawnStacks ?? false;
    this.asyncContext = options.asyncContext ?? true;
    this.kickCb = () => {
      this.kickPending = false;
      if (this._parked && !this.destroyed) {
        this.loop.cancelWake();
        this._resume();
      }
    };
    this.wakeCb = () => {
      if (this._parked && !this.destroyed) this._resume();
    };
    this.yieldCb = this.wakeCb;
    // Pending watchers stay pending until the hub invokes them one at a time.
    loop.setInvokePending(noop);
    loop.handleError = (err: unknown, watcher: unknown) => this.handleError(watcher, err);
    (this as any)._run = hubBody;
    setRedirect(this as unknown as CoreGreenlet, this._handOff as () => CoreGreenlet | null);
  }

  /**
   * @internal The direct hand-off (@g/greenlet's `_redirect` hook). A greenlet that waits
   * switches to the hub; when the hub is suspended delivering a run-queue entry and would
   * at once deliver the next one (no watcher wake-up or pending watcher first, no poll
   * due, no blocking monitor timing each delivery), the switch goes straight to the run
   * queue's head greenlet instead: the same order, one resume of the hub's body saved per
   * hand-off. Anything else (a callback entry, a throw, an entry that turns out stale)
   * returns null: the hub runs and deals with it.
   */
  _handOff(): CoreGreenlet | null {
    const rq = this._rq;
    if (
      !this._delivering ||
      rq.size === 0 ||
      this.destroyed ||
      this._rqd.size > 0 ||
      this._sincePoll >= BATCH ||
      this._monitor !== null ||
      this.loop.pendingCount > 0
    ) {
      return null;
    }
    const kind = rq.headKind();
    const g = rq.headTarget() as HubGreenlet;
    if ((kind !== WAKE && kind !== START) || !claimEntry(g, kind, rq.headSeq())) return null;
    this._redirectValue = rq.headValue();
    rq.shift();
    this._sincePoll++;
    return g;
  }

  /**
   * Runs `fn(...args)` in a new greenlet of this hub (or runs an Op: `hub.run(g.join())`)
   * and resolves with its result, or rejects with its error. The normal entry from async
   * code: `const v = await hub.run(function* () { ... })`. A greenlet run this way that
   * waits on something nothing can wake fails with LoopExit.
   */
  run<A extends unknown[], R>(fn: ((...args: A) => R) | Op<R>, ...args: A): Promise<ResultOf<R>> {
    return runIn(this, fn, args);
  }

  /** @internal queues a run-queue entry and schedules the hub if it is parked. */
  _push(kind: number, target: unknown, value: unknown, seq: number): void {
    (this._inWatcher ? this._rqd : this._rq).push(kind, target, value, seq);
    if (this._parked && !this.kickPending) {
      this.kickPending = true;
      queueMicrotask(this.kickCb);
    }
  }

  /** @internal the Op switching the running greenlet to this hub. */
  _switchOp(): Op<any> {
    return coreSwitch.call(this);
  }

  /** @internal switches from main into the hub (Node callbacks). */
  _resume(): void {
    if (getcurrent() !== getmain()) {
      // Inside some greenlet (another hub's): come back from a microtask.
      if (!this.kickPending) {
        this.kickPending = true;
        queueMicrotask(this.kickCb);
      }
      return;
    }
    coreSwitch.call(this);
  }

  /**
   * Calls `fn(arg)` from the hub, after what is already queued (gevent's
   * `loop.run_callback`). `fn` must not wait; its error is reported with handleError.
   */
  runCallback<A>(fn: (arg: A) => void, arg?: A): void {
    if (typeof fn !== 'function') {
      throw new TypeError('runCallback(fn, arg): fn must be a function');
    }
    this._push(CALLBACK, fn, arg, 0);
  }

  /** @internal runs an iterator (a link callback's generator) in a new raw greenlet. */
  _spawnIterator(it: Iterator<unknown>): void {
    const g = new HubGreenlet(this, () => it, []);
    g._spawner = getcurrent();
    this._push(START, g, undefined, 0);
  }

  /**
   * Reports an error that no caller will see: a greenlet that died of it (context: the
   * greenlet), a watcher or link callback that threw (context: the callback or watcher).
   * Override to send reports elsewhere; the default prints gevent's report to
   * `exceptionStream`. GreenletExit is never reported. An error thrown by an override is
   * printed and otherwise ignored.
   */
  handleError(context: unknown, error: unknown): void {
    if (isGreenletExit(error)) return;
    this.printException(context, error);
  }

  /** Prints the report of `handleError` to `exceptionStream`. */
  printException(context: unknown, error: unknown): void {
    const stream = this.exceptionStream;
    if (stream === null) return;
    stream.write(formatReport(context, error));
  }

  /** @internal handleError that survives a throwing override. */
  _report(context: unknown, error: unknown): void {
    try {
      this.handleError(context, error);
    } catch (e) {
      try {
        Hub.prototype.printException.call(this, this, e);
      } catch {
        // nowhere left to report
      }
    }
  }

  /**
   * Resolves with true when the hub has nothing left to do (no runnable greenlet, no
   * active referenced watcher), or with false after `timeout` seconds of loop time.
   * Call it from async code (gevent's `hub.join()` from main).
   */
  join(timeout?: number | null): Promise<boolean> {
    if (timeout !== undefined && timeout !== null) checkSeconds(timeout, 'hub.join(timeout)');
    return new Promise<boolean>((resolve) => {
      if (this._parked && this._rq.size === 0 && !this.loop.alive && this.loop.pendingCount === 0) {
        resolve(true);
        return;
      }
      let timer: any = null;
      const done = (idle: boolean) => {
        if (timer !== null) timer.stop();
        resolve(idle);
      };
      (this.joiners ??= []).push(done);
      if (timeout !== undefined && timeout !== null && timeout !== Infinity) {
        this.loop.nowUpdate();
        timer = this.loop.timer(timeout, 0);
        timer.ref = false;
        timer.start(() => {
          const j = this.joiners;
          if (j !== null) {
            const i = j.indexOf(done);
            if (i >= 0) j.splice(i, 1);
          }
          resolve(false);
        });
      }
      this._recheck();
    });
  }

  /** @internal a parked hub runs once more (to see whether it is idle, say). */
  _recheck(): void {
    if (this._parked) this._push(CALLBACK, noop, undefined, 0);
  }

  /**
   * Stops this hub: it never runs again and its waiting greenlets stay suspended forever
   * (their `finally` blocks do not run). Pending `hub.join()` promises resolve with true;
   * a `run()` on it afterwards rejects. The loop is destroyed if `destroyLoop` is true, by
   * default unless it is @g/ev's default loop (gevent's rule). The default hub is replaced
   * by a new one at the next getHub() (on a new default loop if this one was destroyed).
   * Calling it again does nothing.
   */
  destroy(destroyLoop?: boolean): void {
    if (this.destroyed) return;
    if (destroyLoop === undefined) destroyLoop = (this.loop as any).isDefault !== true;
    this.destroyed = true;
    this.loop.cancelWake();
    this._rq.clear();
    this._rqd.clear();
    this._awaited.clear();
    const j = this.joiners;
    this.joiners = null;
    if (j !== null) for (const done of j) done(true);
    if (destroyLoop) this.loop.destroy();
  }

  /** True once destroy() was called. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** @internal at park time: resolve joiners and raise LoopExit in awaited greenlets. */
  _idle(): boolean {
    const j = this.joiners;
    if (j !== null) {
      this.joiners = null;
      for (const done of j) done(true);
    }
    let raised = false;
    if (this._idleWaiters.length > 0) {
      for (const w of this._idleWaiters.splice(0)) if (w()) raised = true;
      if (raised) return true;
    }
    for (const g of this._awaited) {
      if (g._wstate !== W_OPEN) continue;
      const r = rare(g);
      if (r.loopExit !== null && g._seq - r.loopExitSeq <= 2) {
        // It swallowed a LoopExit and, within its next two waits, waits on nothing again:
        // end it (forced end), failing with that LoopExit, rather than spinning on it.
        if (r.killExc === undefined) r.killExc = r.loopExit;
        forceEnd(g);
        raised = true;
        continue;
      }
      const err = new LoopExit(loopExitMessage(this, g));
      if (wakeThrow(g, g._seq, err)) {
        r.loopExit = err;
        r.loopExitSeq = g._seq;
        raised = true;
      }
    }
    return raised;
  }

  /** @internal the park step: gives control back to Node; returns when resumed. */
  _parkOp(): Op<any> {
    return coreSwitch.call(getmain());
  }

  /** @internal lets Node run one macrotask turn, then resumes. */
  _yieldToNode(): void {
    nativeSetImmediate(this.yieldCb);
  }

  /** @internal for the hub body. */
  get _destroyed(): boolean {
    return this.destroyed;
  }
}

Hub.prototype.toString = function (this: Hub): string {
  return `<Hub #${this.id} ${this.loop.backend}>`;
};

function noop(): void {}

/** The hub's body: see the module comment. `this` is the hub. */
function* hubBody(this: Hub): Generator<unknown, void, any> {
  const rq = this._rq;
  const rqd = this._rqd;
  const loop = this.loop;
  let sliceStart = perfNow();
  // The entry being delivered. Cleared after each delivery: the hub's generator frame
  // must not keep the last greenlet or error (and what its stack trace holds) alive
  // while it is parked.
  let g: any;
  let value: any;
  this._parked = false;
  for (;;) {
    // Which entry next: the wake-ups of the watcher callback just invoked, then the next
    // pending watcher callback, then the run queue (BATCH entries between two polls).
    let q: RunQueue | null = null;
    if (rqd.size > 0) q = rqd;
    else if (loop.pendingCount > 0) {
      const mon = this._monitor;
      const t0 = mon === null ? 0 : perfNow();
      this._inWatcher = true;
      try {
        loop.invokePending(1);
      } finally {
        this._inWatcher = false;
      }
      if (mon !== null) {
        const dt = perfNow() - t0;
        if (dt > mon.threshold) mon.onSwitch('a watcher callback', dt);
      }
      hygiene(this, loop);
      continue;
    } else if (rq.size > 0 && this._sincePoll < BATCH) {
      this._sincePoll++;
      q = rq;
    }
    if (q !== null) {
      const kind = q.headKind();
      g = q.headTarget();
      value = q.headValue();
      const seq = q.headSeq();
      q.shift();
      if (kind === CALLBACK) {
        const mon = this._monitor;
        const t0 = mon === null ? 0 : perfNow();
        try {
          g(value);
        } catch (e) {
          this._report(g, e);
        }
        if (mon !== null) {
          const dt = perfNow() - t0;
          if (dt > mon.threshold) mon.onSwitch(g, dt);
        }
        hygiene(this, g);
        g = value = undefined;
        continue;
      }
      if (!claimEntry(g, kind, seq)) {
        g = value = undefined;
        continue;
      }
      if (kind !== WAKE && kind !== START && g._timer !== null) g._timer.stop();
      const mon = this._monitor;
      let t0 = 0;
      let spawner: unknown = null;
      let args: unknown[] | null = null;
      if (mon !== null) {
        // What the report needs, taken now: a greenlet that ends in this run drops them.
        spawner = g._spawner;
        args = g._args;
        t0 = perfNow();
      }
      // While suspended here, a greenlet that switches back may hand off to the next entry
      // directly (Hub#_handOff): the hub resumes only when it has something else to do.
      this._delivering = true;
      try {
        if (kind === WAKE || kind === START) yield* coreSwitch.call(g, value);
        else if (kind === THROW) yield* coreThrow.call(g, value);
        else if (kind === RETURN) yield* coreUnwind.call(g);
      } catch (e) {
        // Only raw greenlets that are not hub greenlets can raise into the hub.
        this._report(g, e);
      }
      this._delivering = false;
      if (mon !== null) {
        const dt = perfNow() - t0;
        if (dt > mon.threshold) mon.onSwitch(g, dt, spawner, args!);
      }
      g = value = undefined;
      continue;
    }
    // Nothing pending: poll the loop once (and give Node a turn when we ran long).
    const now = perfNow();
    if (now - sliceStart >= this.switchInterval * 1000) {
      this._parked = true;
      this._yieldToNode();
      yield* this._parkOp();
      this._parked = false;
      sliceStart = perfNow();
    }
    this._sincePoll = 0;
    loop.run(1 /* NOWAIT */);
    if (rq.size > 0 || loop.pendingCount > 0) continue;
    // Idle: nothing runnable, nothing pending.
    if (this._destroyed) {
      this._parked = true;
      yield* this._parkOp();
      continue;
    }
    if (!loop.alive && this._idle()) continue;
    // Parked until the loop has work. With only unreferenced watchers left the loop's
    // Node timer is unreferenced too: they fire if something else keeps the process alive.
    rq.shrink();
    this._parked = true;
    loop.wake(wakeOf(this));
    yield* this._parkOp();
    this._parked = false;
    sliceStart = perfNow();
  }
}

/**
 * Whether a run-queue entry for greenlet `g` (not a callback) is still to be delivered, and
 * if so, claims it: a START whose greenlet was not killed before it ran, or a wake-up, throw
 * or unwind for the wait `seq` that is still claimed (its wait state is then cleared).
 * Stale entries are dropped by the caller.
 */
function claimEntry(g: HubGreenlet, kind: number, seq: number): boolean {
  if (kind === START) return g._state === 0; // UNSTARTED: not killed before it ran
  if (g._seq !== seq || (g._wstate !== W_CLAIMED && g._wstate !== W_YIELD)) return false;
  g._wstate = W_NONE;
  return true;
}

function wakeOf(hub: Hub): () => void {
  return (hub as any).wakeCb;
}

/**
 * After a callback run in the hub: a blocking call made there left an unrun Op on the hub
 * (or an armed switch). Clear it so the hub can go on, and report it.
 */
function hygiene(hub: Hub, where: unknown): void {
  const h = hub as any;
  if (h._unrun !== 0 || (h._op !== null && h._op.state === 1)) {
    const name = h._unrunName ?? 'switch';
    h._unrun = 0;
    h._unrunName = null;
    if (h._op !== null) {
      h._op.state = 0;
      h._op.target = null;
      h._op.value = undefined;
    }
    hub._report(
      where,
      new BlockingSwitchOutError(
        `${name}(): impossible to call a blocking function in the event loop callback ` +
          '(a watcher, link or runCallback callback runs in the hub and cannot wait). Spawn ' +
          'a greenlet for work that waits.',
      ),
    );
  }
}

function loopExitMessage(hub: Hub, g: HubGreenlet): string {
  const others: string[] = [];
  let count = 0;
  for (const other of hub._awaited) {
    if (other !== g) {
      count++;
      if (others.length < 5) others.push(other._describeWait());
    }
  }
  const live = hub._live - 1;
  return (
    `This operation would block forever: ${g._describeWait()}, and nothing can wake it ` +
    `(${hub} has no active referenced watcher, no pending promise and nothing runnable; ` +
    `${live} other greenlet${live === 1 ? ' is' : 's are'} alive, all waiting).` +
    `${count > 0 ? ` Also awaited: ${others.join('; ')}${count > others.length ? '; ...' : ''}.` : ''} ` +
    'If something outside the hub (a plain setTimeout, a Node callback) would wake it, wait ' +
    "on it with until()/once(), hold the loop with hub.loop.externalWait(), or patch Node's " +
    'timers with @g/monkey.'
  );
}

export { checkSeconds };
