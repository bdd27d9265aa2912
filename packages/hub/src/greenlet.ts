/**
 * gevent's Greenlet: a greenlet with a result, links, join/get and kill.
 *
 * ```ts
 * import { run, spawn, sleep } from '@g/hub';
 * await run(function* () {
 *   const g = spawn(function* (n: number) { yield* sleep(0.1); return n * 2; }, 21);
 *   console.log(yield* g.get());          // 42
 * });
 * ```
 *
 * ## Life cycle
 *
 * `new Greenlet(fn, ...args)` makes it; `start()` schedules it: it runs when the spawner
 * next waits (spawn only schedules); `startLater(s)` schedules it after `s` seconds. Its
 * body `fn(...args)` may be a generator function (it can wait with `yield*`), a plain
 * function, a function returning a promise (awaited without blocking the hub) or one
 * returning an Op it made (`spawn(() => other.join())`). It runs in the AsyncLocalStorage
 * context of the code that made it (hub-greenlet.ts). Before the end `value` is undefined
 * and `exception` null.
 *
 * | state                 | started | dead  | ready() | successful() |
 * |-----------------------|---------|-------|---------|--------------|
 * | made, not started     | false   | false | false   | false        |
 * | scheduled or running  | true    | false | false   | false        |
 * | returned `v`          | false   | true  | true    | true (`value` is v) |
 * | threw `e`             | false   | true  | true    | false (`exception` is e) |
 * | killed (GreenletExit) | false   | true  | true    | true (`value` is the exit) |
 *
 * ## Kill: GreenletExit first, then a forced end
 *
 * `kill()` raises GreenletExit (or `exception`) in the greenlet at the wait it is in:
 * `catch` and `finally` blocks see it and may wait to clean up. A greenlet never started
 * is dead at once and never runs. Because a JavaScript `catch` catches everything, a body
 * may swallow the kill and carry on: if it is still alive after the grace period (the
 * kill's `timeout`, else `hub.killGrace`, 1 s), it is ended with its generator's
 * `return()` at that wait and at every later one: `finally` blocks run, no `catch` sees
 * it, no code after an unwound `yield*` runs. `kill({ block: true })` (the default) returns
 * when the greenlet is dead; a greenlet killing itself that way raises the exit at once.
 * Killing a dead greenlet does nothing; `exception` must be an Error instance or class
 * (TypeError at the call otherwise); negative `timeout` means no grace, Infinity never
 * forces, NaN is a TypeError. The exit a kill raises carries no stack trace.
 *
 * ## join and get
 *
 * `join(timeout)` resolves true when dead, false after `timeout` (no error); an enclosing
 * Timeout still raises through it. `get()` returns the value or raises the stored error
 * (the same instance every time); `get({ timeout })` raises a Timeout (the given Timeout
 * instance, or its exception), `get({ block: false })` raises one at once if not dead. A
 * greenlet cannot join or get itself (Error).
 *
 * ## Links
 *
 * `link(cb)` calls `cb(greenlet)` once, from the hub, after the greenlet dies (soon after,
 * never inside link(), if it is dead already), in the order links were added; linking the
 * same callback twice
 * calls it twice. A callback that returns an iterator (a generator function) runs in a new
 * greenlet; other callbacks must not wait. `linkValue` fires only on success,
 * `linkException` only on failure (a kill with GreenletExit is a success). An error thrown
 * by a callback is reported with `hub.handleError` and the others still run; a callback
 * may unlink callbacks not yet called. `rawlink` is `link` for callbacks that never wait.
 */
import {
  GreenletExit,
  getcurrent,
  isGreenlet,
  isGreenletExit,
  type Op,
  trackOp,
} from '@g/greenlet';
import type { Hub } from './hub.js';
import { HubGreenlet, rare } from './hub-greenlet.js';
import { LINK_TARGET } from './protocols.js';
import { getHub } from './registry.js';
import { LinkFailure } from './report.js';
import { CALLBACK, START } from './run-queue.js';
import { checkSeconds } from './seconds.js';
import { isTimeout, Timeout } from './timeout.js';
import { armWaitTimer, disarmWaitTimer, TIMED_OUT } from './wait-timer.js';
import { beginWait, current, forceEnd, requestThrow, toHub, wake } from './waiting.js';

/** What a body may return: a generator (run), a promise (awaited) or a value. */
export type ResultOf<R> =
  R extends Generator<any, infer T, any>
    ? T
    : R extends Iterator<any, infer T, any>
      ? T
      : R extends PromiseLike<infer U>
        ? U
        : R;

// `_hstate`: the life-cycle state in the low two bits, two flags once DEAD.
const NEW = 0;
const SCHEDULED = 1;
const RUNNING = 2;
const DEAD = 3;
/** DEAD with an error (`_result` is the error). */
const FAILED = 4;
/** DEAD with a link notification queued. */
const NOTIFYING = 8;

const LINK_ALL = 0;
const LINK_VALUE = 1;
const LINK_EXCEPTION = 2;

class LinkEntry {
  constructor(
    readonly cb: (g: any) => unknown,
    readonly mode: number,
  ) {}
}

type Link = ((g: any) => unknown) | LinkEntry | { [LINK_TARGET](g: any): void };

/** The hub that `new Greenlet` binds to (set by Hub.spawn / hub.run). */
let bindingHub: Hub | null = null;
export function withHub<T>(hub: Hub, make: () => T): T {
  const prev = bindingHub;
  bindingHub = hub;
  try {
    return make();
  } finally {
    bindingHub = prev;
  }
}

let spawnCallbacks: Array<(g: Greenlet<any>) => void> | null = null;

/** Arguments spawn() hands to the next `new Greenlet` (see the constructor). */
let handedArgs: unknown[] | null = null;

/** @internal `new Greenlet(fn, ...args)` with `args` given as the array itself. */
export function makeGreenlet<T, A extends unknown[]>(
  fn: (...args: A) => unknown,
  args: A,
): Greenlet<T, A> {
  const G = Greenlet as unknown as new (f: unknown) => Greenlet<T, A>;
  if (typeof fn !== 'function') return new G(fn); // the TypeError
  handedArgs = args;
  try {
    return new G(fn);
  } finally {
    handedArgs = null;
  }
}

export interface KillOptions {
  /** What to raise: an Error instance or class (default GreenletExit). */
  exception?: unknown;
  /** Wait until the greenlet is dead (default true). */
  block?: boolean;
  /** Grace period in seconds before the forced end (default hub.killGrace). */
  timeout?: number | null;
}

export interface GetOptions {
  /** Wait for the result (default true); false raises Timeout if not ready. */
  block?: boolean;
  /** Seconds (or a Timeout) after which Timeout is raised. */
  timeout?: number | null | Timeout;
}

export class Greenlet<T = unknown, A extends unknown[] = any[]> extends HubGreenlet {
  /** @internal NEW, SCHEDULED, RUNNING or DEAD. */
  _hstate = NEW;
  /** @internal the return value, or the error when FAILED. */
  _result: unknown = undefined;
  /** @internal links not yet called: one stored as is (the usual case), several in an array. */
  _links: Link | Link[] | null = null;
  /** @internal the body function, for reports (its name is read only then). */
  _fn: ((...args: any[]) => unknown) | null;

  /**
   * Makes a greenlet that will run `fn(...args)` when started. It belongs to the hub of the
   * running greenlet (or the default hub outside greenlets).
   */
  constructor(fn?: ((...args: A) => unknown) | null, ...args: A) {
    if (fn !== undefined && fn !== null && typeof fn !== 'function') {
      throw new TypeError(
        `Greenlet(fn): fn must be a function, got ${describeValue(fn)}. Pass the function ` +
          'and its arguments separately: spawn(f, x), not spawn(f(x)).',
      );
    }
    const hub = bindingHub ?? getHub();
    // spawn() hands its argument array over (no second copy for the rest parameter).
    const a = handedArgs ?? args;
    handedArgs = null;
    super(hub, fn ?? returnUndefined, a);
    this._fn = fn ?? null;
    const cur = getcurrent();
    this._spawner = cur;
    if (hub.spawnStacks) rare(this).spawnStack = new Error().stack ?? null;
  }

  /** Schedules a greenlet: it starts when the hub next runs. No-op unless new. */
  start(): void {
    if (this._hstate !== NEW) return;
    this._hstate = SCHEDULED;
    this._hub._push(START, this, undefined, 0);
    if (spawnCallbacks !== null) callSpawnCallbacks(this);
  }

  /** Schedules the greenlet to start after `seconds`. No-op unless new. */
  startLater(seconds: number): void {
    checkSeconds(seconds, 'startLater(seconds)');
    if (seconds === Infinity) {
      throw new RangeError(
        'startLater(seconds): seconds must be finite (a greenlet that never starts needs no start)',
      );
    }
    if (this._hstate !== NEW) return;
    this._hstate = SCHEDULED;
    this._hub.loop.nowUpdate();
    const t = this._hub.loop.timer(Math.max(0, seconds), 0);
    t.data = this;
    rare(this).laterTimer = t;
    t.start(onStartLater);
    if (spawnCallbacks !== null) callSpawnCallbacks(this);
  }

  /** True while scheduled or running (gevent's `bool(g)` / `started`). */
  override get started(): boolean {
    const st = this._hstate;
    return st === SCHEDULED || st === RUNNING;
  }

  /** True once finished, failed or killed (a greenlet killed before it ran is dead). */
  override get dead(): boolean {
    return this._hstate >= DEAD;
  }

  /** True once the greenlet has a result: dead. */
  ready(): boolean {
    return this._hstate >= DEAD;
  }

  /** True when dead without an error (a kill with GreenletExit counts as success). */
  successful(): boolean {
    return this._hstate >= DEAD && (this._hstate & FAILED) === 0;
  }

  /** The return value (or the GreenletExit that killed it); undefined until then. */
  get value(): T | undefined {
    return (this._hstate & FAILED) === 0 ? (this._result as T | undefined) : undefined;
  }

  /** The error the body threw (or the kill exception that was not GreenletExit), or null. */
  get exception(): unknown {
    return (this._hstate & FAILED) !== 0 ? this._result : null;
  }

  /** `Greenlet-N` unless set. Reading it fixes it. */
  get name(): string {
    const r = rare(this);
    if (r.name === null) r.name = `Greenlet-${this.minimalIdent}`;
    return r.name;
  }

  set name(v: string) {
    rare(this).name = String(v);
  }

  /** A small number identifying this greenlet within its hub, assigned on first read. */
  get minimalIdent(): number {
    const r = rare(this);
    if (r.ident === 0) r.ident = ++this._hub._idents;
    return r.ident;
  }

  /** The arguments the body is called with (emptied when it dies). */
  get args(): A {
    return this._args as A;
  }

  /**
   * Waits until the greenlet is dead or `timeout` seconds passed. Resolves true if it is
   * dead (gevent returns None either way). A Timeout from an enclosing block still raises.
   */
  join(timeout?: number | null): Op<boolean> {
    if (timeout !== undefined && timeout !== null) checkSeconds(timeout, 'join(timeout)');
    return trackOp(joinBody(this, timeout ?? null), 'Greenlet.join');
  }

  /**
   * The result: the return value, or the error raised again. With `block: false`, or
   * after `timeout` seconds, raises Timeout (the given Timeout if `timeout` is one).
   */
  get(options?: GetOptions): Op<T> {
    const block = options?.block ?? true;
    const timeout = options?.timeout ?? null;
    if (timeout !== null && !isTimeout(timeout)) checkSeconds(timeout, 'get({ timeout })');
    return trackOp(getBody(this, block, timeout), 'Greenlet.get');
  }

  /** See the class comment. Never raises; resolves when dead if `block` (default). */
  kill(options?: KillOptions): Op<void> {
    const timeout = options?.timeout;
    if (timeout !== undefined && timeout !== null) checkSeconds(timeout, 'kill({ timeout })');
    checkKillException(options?.exception, 'kill({ exception })');
    return trackOp(
      killBody(this, options?.exception, options?.block ?? true, timeout ?? null),
      'Greenlet.kill',
    );
  }

  /** A non-waiting kill (for `using`): the same as `kill({ block: false })`, run now. */
  [Symbol.dispose](): void {
    killNow(this, undefined, null);
  }

  /** Calls `cb(this)` (from the hub) when the greenlet dies. See the class comment. */
  link(cb: ((g: this) => unknown) | { [LINK_TARGET](g: any): void }): void {
    if (typeof cb === 'function') this._addLink(new LinkEntry(cb, LINK_ALL));
    else if (
      cb !== null &&
      typeof cb === 'object' &&
      typeof (cb as any)[LINK_TARGET] === 'function'
    )
      this._addLink(cb);
    else
      throw new TypeError(
        `link(callback): expected a function or a link target, got ${describeValue(cb)}`,
      );
  }

  /** Like link, only when the greenlet succeeds. */
  linkValue(cb: (g: this) => unknown): void {
    checkCallable(cb, 'linkValue');
    this._addLink(new LinkEntry(cb, LINK_VALUE));
  }

  /** Like link, only when the greenlet fails. */
  linkException(cb: (g: this) => unknown): void {
    checkCallable(cb, 'linkException');
    this._addLink(new LinkEntry(cb, LINK_EXCEPTION));
  }

  /** Calls `cb(this)` from the hub when the greenlet dies; `cb` must not wait. */
  rawlink(cb: (g: this) => void): void {
    checkCallable(cb, 'rawlink');
    this._addLink(cb);
  }

  /** Removes the first link of `cb` (a no-op if there is none). */
  unlink(cb: unknown): void {
    const links = this._links;
    if (links === null) return;
    if (!Array.isArray(links)) {
      if (links === cb || (links instanceof LinkEntry && links.cb === cb)) this._links = null;
      return;
    }
    for (let i = 0; i < links.length; i++) {
      const l = links[i];
      if (l === cb || (l instanceof LinkEntry && l.cb === cb)) {
        links.splice(i, 1);
        return;
      }
    }
  }

  /** Removes every link. */
  unlinkAll(): void {
    this._links = null;
  }

  /** Number of links not yet called. */
  hasLinks(): number {
    const links = this._links;
    return links === null ? 0 : Array.isArray(links) ? links.length : 1;
  }

  /** Runs `cb(g)` synchronously whenever a greenlet is started with start/spawn. */
  static addSpawnCallback(cb: (g: Greenlet<any>) => void): void {
    checkCallable(cb, 'addSpawnCallback');
    if (spawnCallbacks === null) spawnCallbacks = [];
    if (!spawnCallbacks.includes(cb)) spawnCallbacks.push(cb);
  }

  static removeSpawnCallback(cb: (g: Greenlet<any>) => void): void {
    if (spawnCallbacks === null) return;
    const i = spawnCallbacks.indexOf(cb);
    if (i >= 0) spawnCallbacks.splice(i, 1);
    if (spawnCallbacks.length === 0) spawnCallbacks = null;
  }

  override toString(): string {
    return this._describe(this._args);
  }

  /** @internal toString with the given arguments (the monitor's, taken before it ran). */
  _describe(args: unknown[]): string {
    const r = this._rare;
    const name = r === null || r.name === null ? '' : ` "${r.name}"`;
    const ident = r === null || r.ident === 0 ? '' : ` #${r.ident}`;
    const f = this._fn;
    const fn =
      f !== null ? `: ${f.name || '(anonymous)'}(${args.map(describeArg).join(', ')})` : '';
    return `<Greenlet${name}${ident}${fn}>`;
  }

  /** @internal */
  _addLink(link: Link): void {
    const links = this._links;
    if (links === null) this._links = link;
    else if (Array.isArray(links)) links.push(link);
    else this._links = [links, link];
    if (this._hstate >= DEAD) this._scheduleLinks();
  }

  /** @internal */
  _scheduleLinks(): void {
    if ((this._hstate & NOTIFYING) !== 0 || this.hasLinks() === 0) return;
    this._hstate |= NOTIFYING;
    this._hub._push(CALLBACK, notifyLinks, this, 0);
  }

  /** @internal the core starts the body: mark running. */
  override _start(run: (...args: any[]) => unknown): unknown {
    this._hstate = RUNNING;
    stopLaterTimer(this);
    return super._start(run);
  }

  /** @internal the body ended. */
  override _finish(result: unknown, failed: boolean): boolean {
    this._hub._live--;
    const r = this._rare;
    if (r?.forceEnd && r.killExc !== undefined) {
      result = r.killExc;
      failed = true;
    }
    this._settle(result, failed);
    return true;
  }

  /** @internal records the result, reports an error, schedules links. */
  _settle(result: unknown, failed: boolean): void {
    let st = DEAD;
    if (failed && !isGreenletExit(result)) {
      st |= FAILED;
      // A greenlet whose result a promise awaits (run, toPromise) surfaces its error there.
      if (!this._hub._awaited.has(this)) this._hub._report(this, result);
    }
    this._result = result;
    this._hstate = st;
    stopLaterTimer(this);
    this._hub._awaited.delete(this);
    this._release();
    this._scheduleLinks();
  }
}

function returnUndefined(): undefined {
  return undefined;
}

function stopLaterTimer(g: Greenlet<any, any>): void {
  const r = g._rare;
  if (r !== null && r.laterTimer !== null) {
    r.laterTimer.stop();
    r.laterTimer = null;
  }
}

function onStartLater(w: any): void {
  const g = w.data as Greenlet;
  g._rare!.laterTimer = null;
  if (g._hstate === SCHEDULED) g._hub._push(START, g, undefined, 0);
}

function onKillGrace(w: any): void {
  const g = w.data as Greenlet;
  g._rare!.laterTimer = null;
  if (g._hstate < DEAD) forceEnd(g);
}

function callSpawnCallbacks(g: Greenlet<any>): void {
  for (const cb of spawnCallbacks!.slice()) cb(g);
}

/** Calls the links of `g`, in order; each once. Runs in the hub. */
function notifyLinks(g: Greenlet<any>): void {
  g._hstate &= ~NOTIFYING;
  const hub = g._hub;
  for (;;) {
    const links = g._links;
    let link: Link;
    if (links === null) return;
    if (Array.isArray(links)) {
      if (links.length === 0) return;
      link = links.shift()!;
    } else {
      link = links;
      g._links = null;
    }
    try {
      if (typeof link === 'function') {
        link(g);
      } else if (link instanceof LinkEntry) {
        const ok = (g._hstate & FAILED) === 0;
        if (link.mode === LINK_ALL || (link.mode === LINK_VALUE) === ok) {
          const r = link.cb(g);
          if (
            r !== null &&
            typeof r === 'object' &&
            typeof (r as any).next === 'function' &&
            typeof (r as any).throw === 'function'
          ) {
            hub._spawnIterator(r as Iterator<unknown>);
          }
        }
      } else {
        (link as any)[LINK_TARGET](g);
      }
    } catch (e) {
      hub._report(new LinkFailure(link instanceof LinkEntry ? link.cb : link, g), e);
    }
  }
}

/** Kills `g` without waiting: before it ran it dies at once; else GreenletExit is raised. */
export function killNow(g: HubGreenlet, exception: unknown, timeout: number | null): boolean {
  const exc = toKillException(exception);
  if (g instanceof Greenlet) {
    if (g._hstate >= DEAD) return true;
    if (g._hstate === NEW || g._hstate === SCHEDULED) {
      killBeforeStart(g, exc);
      return true;
    }
  } else if (g._state === 2) {
    return true;
  } else if (g._state === 0) {
    // A raw greenlet never switched into: it dies without running.
    (g as any)._state = 2;
    (g as any)._run = null;
    g._release();
    return true;
  }
  requestThrow(g, exc);
  if (g instanceof Greenlet) {
    const r = rare(g);
    if (r.killExc === undefined) r.killExc = exc;
    const grace = timeout ?? g._hub.killGrace;
    if (r.laterTimer === null && grace !== Infinity) {
      g._hub.loop.nowUpdate();
      const t = g._hub.loop.timer(grace, 0);
      t.data = g;
      r.laterTimer = t;
      t.start(onKillGrace);
    }
  }
  return false;
}

function killBeforeStart(g: Greenlet<any>, exc: unknown): void {
  (g as any)._state = 2; // core DEAD: the START entry is skipped, run is never called
  (g as any)._run = null;
  g._settle(exc, true);
}

/**
 * Checks a kill's `exception` at the call (nothing is killed when it is refused): absent,
 * an Error class or an Error instance. Anything else (a number, a string, a plain function)
 * is a TypeError: gevent wraps such values in a BaseException; here the caller learns at once.
 */
export function checkKillException(exception: unknown, what: string): void {
  if (exception === undefined || exception === null) return;
  if (typeof exception === 'function') {
    if (exception === Error || exception.prototype instanceof Error) return;
    throw new TypeError(
      `${what}: expected an Error instance or class, got the function ${exception.name || '(anonymous)'}`,
    );
  }
  if (exception instanceof Error || isErrorLike(exception)) return;
  throw new TypeError(
    `${what}: expected an Error instance or class, got ${describeValue(exception)}. ` +
      'Wrap a reason in an error: kill({ exception: new Error(reason) }).',
  );
}

function isErrorLike(x: unknown): boolean {
  return Object.prototype.toString.call(x) === '[object Error]';
}

/**
 * The error a kill raises. Made without a stack trace: it would only show where kill() was
 * called, costs a few µs per greenlet (killall of many), and V8's structured stack keeps the
 * killer's frames (and what they reference) alive as long as the error lives.
 */
function toKillException(exception: unknown): unknown {
  if (exception !== undefined && exception !== null && typeof exception !== 'function') {
    return exception;
  }
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    if (exception === undefined || exception === null) return new GreenletExit();
    return new (exception as new () => Error)();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function* joinBody(g: Greenlet<any>, timeout: number | null): Generator<unknown, boolean, any> {
  if (g._hstate >= DEAD) return true;
  const me = current('Greenlet.join()');
  if ((me as unknown) === g)
    throw new Error('Greenlet.join(): a greenlet cannot join itself (it would wait forever)');
  const seq = beginWait(me, 'Greenlet.join');
  me._waitingOn = g; // names what it joins in LoopExit reports
  const waker = () => {
    wake(me, seq, true);
  };
  g.rawlink(waker);
  if (timeout !== null) armWaitTimer(me, timeout);
  try {
    const v = yield* toHub(me);
    return v !== TIMED_OUT;
  } finally {
    if (timeout !== null) disarmWaitTimer(me);
    g.unlink(waker);
  }
}

function* getBody<T>(
  g: Greenlet<T>,
  block: boolean,
  timeout: number | Timeout | null,
): Generator<unknown, T, any> {
  if (g._hstate < DEAD) {
    if (!block) throw new Timeout(0);
    const me = current('Greenlet.get()');
    if ((me as unknown) === g)
      throw new Error('Greenlet.get(): a greenlet cannot wait for its own result');
    const seq = beginWait(me, 'Greenlet.get');
    me._waitingOn = g;
    const waker = () => {
      wake(me, seq, true);
    };
    g.rawlink(waker);
    let t: Timeout | null = null;
    if (timeout !== null) {
      if (isTimeout(timeout)) t = Timeout.startNew(timeout);
      else armWaitTimer(me, timeout);
    }
    try {
      const v = yield* toHub(me);
      if (v === TIMED_OUT) throw new Timeout(timeout as number);
    } finally {
      if (t !== null) t.cancel();
      else if (timeout !== null) disarmWaitTimer(me);
      g.unlink(waker);
    }
  }
  if ((g._hstate & FAILED) !== 0) throw g._result;
  return g._result as T;
}

function* killBody(
  g: Greenlet<any>,
  exception: unknown,
  block: boolean,
  timeout: number | null,
): Generator<unknown, void, any> {
  if (killNow(g, exception, timeout)) return;
  if (!block) return;
  if ((getcurrent() as unknown) === g) {
    // Killing itself: the exit is raised here and now (beginWait raises what is due).
    beginWait(g, 'Greenlet.kill');
    yield* toHub(g); // reached only by a forced end, which unwinds from here
    return;
  }
  yield* joinBody(g, null);
}

function checkCallable(cb: unknown, what: string): void {
  if (typeof cb !== 'function') {
    throw new TypeError(`${what}(callback): expected a function, got ${describeValue(cb)}`);
  }
}

function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  if (isGreenlet(x)) return String(x);
  return `${typeof x} ${String(x)}`;
}

function describeArg(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x);
  if (typeof x === 'function') return x.name || 'function';
  if (x !== null && typeof x === 'object') return (x as object).constructor?.name ?? 'Object';
  return String(x);
}
