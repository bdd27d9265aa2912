/**
 * The greenlet the hub schedules: the base of gevent's Greenlet and what `spawnRaw` makes.
 *
 * It is a @g/greenlet Greenlet whose parent is its hub, plus the fields of the wait
 * protocol (waiting.ts). Its body may be a generator function (it can wait with `yield*`),
 * a plain function (it runs to its end without waiting), a function returning a promise
 * (awaited as `until(promise)`: the greenlet waits for it without blocking the hub) or a
 * function returning an Op it made (`spawn(() => other.join())`: the Op is the body).
 *
 * Hub-managed greenlets are switched into only by their hub. A raw `g.switch()` or
 * `g.throw()` from anywhere else throws InvalidSwitchError: it would bypass the hub's
 * bookkeeping (wait sequence numbers, links, kills). Use kill(), an Event, a Queue...
 *
 * When the body ends, `_finish` runs (before control returns to the hub): the greenlet's
 * timers are released, its locals dropped, and an error is reported through
 * `hub.handleError` (a GreenletExit is not an error). The error is not raised in the hub.
 */
import { AsyncResource } from 'node:async_hooks';
import { Greenlet as CoreGreenlet, isGreenletExit } from '@g/greenlet';
import { InvalidSwitchError } from './errors.js';
import type { Hub } from './hub.js';
import { untilBody } from './until-body.js';
import { W_NONE } from './waiting.js';

/**
 * The fields of a hub greenlet that most greenlets never use, kept out of the greenlet
 * object (a blocked greenlet should cost well under 1 KB of heap).
 */
export class GreenletRare {
  /** A kill escalated: every wait is answered with return(). */
  forceEnd = false;
  /** Kills and Timeouts to raise at the next wait (waiting.ts). */
  throws: unknown[] | null = null;
  /** Greenlet-local values (Local). */
  locals: WeakMap<object, unknown> | null = null;
  /** The kill (or Timeout) whose grace period ran out (forced end). */
  killExc: unknown = undefined;
  /** gevent's name, minimal ident, startLater/grace timer, spawn-site stack. */
  name: string | null = null;
  ident = 0;
  laterTimer: any = null;
  spawnStack: string | null = null;
  /** The last LoopExit raised in it and at which wait (see Hub#_idle). */
  loopExit: unknown = null;
  loopExitSeq = 0;
}

/** The rare fields of `g`, made on first use. */
export function rare(g: HubGreenlet): GreenletRare {
  let r = g._rare;
  if (r === null) r = g._rare = new GreenletRare();
  return r;
}

export class HubGreenlet extends CoreGreenlet {
  /** @internal the hub that schedules this greenlet. */
  _hub: Hub;
  /** @internal arguments for the body's first call. */
  _args: unknown[];
  /** @internal wait sequence number (waiting.ts). */
  _seq = 0;
  /** @internal W_NONE, W_OPEN, W_CLAIMED or W_YIELD (waiting.ts). */
  _wstate = W_NONE;
  /**
   * @internal what the greenlet waits on, for `waitingOn` and LoopExit reports: a name
   * ('sleep'), or the greenlet it joins (join/get).
   */
  _waitingOn: string | HubGreenlet | null = null;
  /** @internal reusable timer of sleep() and friends (wait-timer.ts). */
  _timer: any = null;
  /** @internal fields most greenlets never use, made on first use (memory). */
  _rare: GreenletRare | null = null;
  /** @internal the spawning greenlet (cleared at death). */
  _spawner: CoreGreenlet | null;

  /** @internal use spawnRaw / Greenlet. */
  constructor(hub: Hub, fn: ((...args: any[]) => unknown) | null, args: unknown[]) {
    super(fn, hub);
    this._hub = hub;
    this._args = args.length === 0 ? EMPTY : args; // a spawn without arguments keeps no array
    this._spawner = null;
    // The spawner's async context (AsyncLocalStorage): every run of this greenlet's code
    // happens in it. See the module comment.
    // @g/greenlet's trampoline runs the start and every resume through `_scope`.
    if (hub.asyncContext) this._scope = new AsyncResource('Greenlet');
  }

  /** The hub that schedules this greenlet. */
  get hub(): Hub {
    return this._hub;
  }

  /** The greenlet that spawned this one (main is the main greenlet); null once it is dead. */
  get spawningGreenlet(): CoreGreenlet | null {
    return this._spawner;
  }

  /** What the greenlet is waiting on right now ('sleep', 'Greenlet.join', ...), or null. */
  get waitingOn(): string | null {
    const w = this._waitingOn;
    return this._wstate === W_NONE
      ? null
      : typeof w === 'string' || w === null
        ? w
        : 'Greenlet.join';
  }

  /** @internal "what it waits on" for reports: the chain of joins, to the last wait. */
  _describeWait(): string {
    const parts: string[] = [];
    const seen = new Set<HubGreenlet>();
    let g: HubGreenlet | null = this;
    while (g !== null && !seen.has(g) && parts.length < 6) {
      seen.add(g);
      const what: string | HubGreenlet | null = g._wstate === W_NONE ? null : g._waitingOn;
      if (what === null) {
        parts.push(g._state === 0 ? `${g} (never started)` : `${g} (not waiting)`);
        break;
      }
      if (typeof what === 'string') {
        parts.push(`${g} waits on ${what}`);
        break;
      }
      parts.push(`${g} waits on Greenlet.join of`);
      g = what;
    }
    return parts.join(' ');
  }

  /**
   * Refused: a hub-managed greenlet is switched into only by its hub (which uses the
   * @g/greenlet switch directly). Wake it through what it waits on, or kill() it.
   */
  override switch(..._args: any[]): any {
    throw new InvalidSwitchError(
      `${this} is scheduled by its hub: switching into it directly would bypass the hub. ` +
        'Wake it through what it waits on (an Event, a Queue, ...) or stop it with kill().',
    );
  }

  /** Refused, as switch(): use kill({ exception }) to raise an error in it. */
  override throw(_err?: unknown): any {
    throw new InvalidSwitchError(
      `${this} is scheduled by its hub: throw() into it directly would bypass the hub. ` +
        'Use kill({ exception }) instead.',
    );
  }

  /** @internal runs the body with the spawn arguments; a returned promise is awaited. */
  override _start(run: (...args: any[]) => unknown): unknown {
    this._hub._live++;
    const args = this._args;
    const r: any = args.length === 0 ? run() : run(...args);
    if (r !== null && typeof r === 'object' && typeof r.next !== 'function') {
      if (typeof r.then === 'function') return untilBody(r as PromiseLike<unknown>);
      // A plain function that returned an Op it made (`spawn(() => g.join())`,
      // `spawn(threadpool.apply, url, name)`): run the Op as the body. An iterable it did
      // not make here (an array, a Map) is a result, not a body.
      if (this._unrun > 0 && typeof r[Symbol.iterator] === 'function') {
        return r[Symbol.iterator]();
      }
    }
    return r;
  }

  /** @internal called by the trampoline when the body ends; never switches. */
  override _finish(result: unknown, failed: boolean): boolean {
    this._hub._live--;
    if (failed && !isGreenletExit(result)) this._hub._report(this, result);
    this._release();
    return true;
  }

  /** @internal frees what a dead greenlet no longer needs. */
  _release(): void {
    this._wstate = W_NONE;
    this._waitingOn = null;
    if (this._rare !== null) this._rare.throws = null;
    if (this._rare !== null) this._rare.locals = null;
    this._args = EMPTY;
    this._spawner = null;
    if (this._scope !== null) this._scope = null;
    const t = this._timer;
    if (t !== null) {
      t.stop();
      this._timer = null;
    }
  }
}

const EMPTY: unknown[] = [];
