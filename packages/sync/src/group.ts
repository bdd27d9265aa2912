/**
 * Group: a set of running greenlets that can be joined, killed and mapped over
 * (gevent.pool.Group), and used as a scope (a nursery).
 *
 * ```ts
 * const group = new Group();
 * yield* group.spawn(fetch, 'a');
 * yield* group.spawn(fetch, 'b');
 * yield* group.join();                               // both done
 * const pages = yield* group.map(fetch, urls);       // results in the order of urls
 *
 * // As a scope: whatever is still running when the block is left is killed and joined.
 * yield* new Group().scope(function* (g) {
 *   yield* g.spawn(heartbeat);                        // runs while the scope is open
 *   return yield* work();
 * });
 * ```
 *
 * ## Membership
 *
 * - `spawn(fn, ...args)` makes a greenlet, adds it and starts it; an Op (a Pool's may wait
 *   for a free slot; a Group's never waits) resolving the greenlet. `add(g)` and `start(g)`
 *   add an existing greenlet (and start it). A greenlet leaves the group when it dies (the
 *   group is told from the hub, right after the death) or with `discard(g)`.
 *   `new Group(greenlets)` adopts greenlets already made.
 * - `length`, `has(g)`, iteration and `greenlets` show the members.
 *
 * ## Waiting and killing
 *
 * - `join({ timeout, raiseError })` waits until the group is empty (at once if it is) and
 *   resolves true, or false after `timeout` seconds. With `raiseError`, it then throws
 *   the error of the first member (of those present when join began) that failed.
 * - `kill({ exception, block, timeout })` kills every member (each at most once: a member
 *   already being killed is not shot again), then with `block` (default) waits until they
 *   are dead, killing members added meanwhile too, at most `timeout` seconds (then it
 *   returns; members may still be alive). `killone(g, options)` does the same for one
 *   member. Running `imap` feeders of the group are closed first.
 * - `[Symbol.dispose]` is a kill that does not wait (for `using group = new Group()`).
 *
 * ## Scope (structured concurrency)
 *
 * `yield* group.scope(fn)` runs `fn(group)` in the calling greenlet; when it is left, by
 * return or by error (or a kill), every greenlet still in the group is killed and joined
 * before `scope` returns or throws. With `{ cancelOnError: true }`, the first member that
 * dies of an error makes the scope kill its siblings and raise that error in the scope's
 * greenlet at its current wait; `scope` then throws it (unless the body threw another
 * error of its own, which wins). Without it, members' errors are reported by the hub as
 * usual and do not end the scope. A scope's exit waits, so it is a generator helper, not
 * `using`.
 *
 * ## Mapping
 *
 * `apply`, `applyAsync`, `applyCb`, `map`, `mapAsync`, `imap`, `imapUnordered`: see each
 * method; the bodies may be generator functions, plain functions or functions returning
 * promises. `imap`/`imapUnordered` are OpIterators (see imap.ts).
 */
import { type Op, trackOp } from '@g/greenlet';
import {
  beginWait,
  currentHubGreenlet,
  Greenlet,
  getcurrent,
  type OpIterator,
  type ResultOf,
  requestThrow,
  spawn,
  Timeout,
  toHub,
  withdrawThrow,
} from '@g/hub';
import { IMap, type IMapOptions, type MapSource } from './imap.js';
import { type Names, nameOps } from './names.js';
import { arm, callInline, checkTimeout, describe, disarm } from './timeouts.js';
import { WaitList } from './wait-list.js';

export interface GroupJoinOptions {
  /** Seconds to wait at most (null: no limit); then join resolves false. */
  timeout?: number | null;
  /** Throw the error of a member that failed (see Group#join). */
  raiseError?: boolean;
}

export interface GroupKillOptions {
  /** What to raise in each member (an Error instance or class; default GreenletExit). */
  exception?: unknown;
  /** Wait until the members are dead (default true). */
  block?: boolean;
  /** With block: seconds to wait at most (then kill returns). */
  timeout?: number | null;
}

export interface GroupAddOptions {
  /** Wait for a free slot (Pool; default true); false raises PoolFull when full. */
  blocking?: boolean;
  /** Seconds to wait for a slot (Pool); then PoolFull. */
  timeout?: number | null;
}

export interface ScopeOptions {
  /** The first member to fail kills its siblings and fails the scope (default false). */
  cancelOnError?: boolean;
}

type AnyGreenlet = Greenlet<any, any>;

const NO_ERROR = Symbol('no error');

export class Group implements Iterable<AnyGreenlet> {
  /** @internal names of the Ops (per class). */
  declare readonly _n: Names;
  /** @internal */
  readonly _members = new Set<AnyGreenlet>();
  /** @internal members killed and not dead yet. */
  readonly _dying = new Set<AnyGreenlet>();
  /** @internal greenlets waiting in join(). */
  readonly _emptyWaiters = new WaitList();
  /** @internal running imap iterators. */
  readonly _feeders = new Set<{ close(): void }>();
  /** @internal scope watchers of member failures. */
  _failWatchers: Array<(g: AnyGreenlet) => void> | null = null;
  /** @internal the link every member carries. */
  readonly _onDeath: (g: AnyGreenlet) => void;

  constructor(greenlets?: Iterable<AnyGreenlet>) {
    this._onDeath = (g) => this._died(g);
    if (greenlets !== undefined && greenlets !== null) {
      for (const g of greenlets) {
        checkGreenlet(g, `${new.target.name}(greenlets)`);
        if (!g.dead) this._track(g);
      }
    }
  }

  /** Number of members. */
  get length(): number {
    return this._members.size;
  }

  /** The members (a live read-only view). */
  get greenlets(): ReadonlySet<AnyGreenlet> {
    return this._members;
  }

  /** True when `g` is a member. */
  has(g: unknown): boolean {
    return this._members.has(g as AnyGreenlet);
  }

  [Symbol.iterator](): Iterator<AnyGreenlet> {
    return this._members.values();
  }

  /** A Group is never full. */
  full(): boolean {
    return false;
  }

  /** Slots free for spawn without waiting: Infinity for a Group. */
  freeCount(): number {
    return Infinity;
  }

  /** Waits until spawn would not wait; resolves freeCount() (a Group: at once). */
  waitAvailable(timeout?: number | null): Op<number> {
    checkTimeout(timeout, 'waitAvailable(timeout)');
    return trackOp(valueOp(this.freeCount()), this._n.waitAvailable!);
  }

  /** Adds `g` (a no-op if it is dead or a member already). A Pool's may wait for a slot. */
  add(g: AnyGreenlet, options?: GroupAddOptions): Op<void> {
    checkGreenlet(g, 'add(greenlet)');
    const blocking = options?.blocking ?? true;
    const timeout = checkTimeout(options?.timeout, 'add(greenlet, { timeout })');
    return trackOp(this._addBody(g, blocking, timeout), this._n.add!);
  }

  /** Adds the unstarted `g` (as add) and starts it. */
  start(g: AnyGreenlet, options?: GroupAddOptions): Op<void> {
    checkGreenlet(g, 'start(greenlet)');
    const blocking = options?.blocking ?? true;
    const timeout = checkTimeout(options?.timeout, 'start(greenlet, { timeout })');
    return trackOp(this._startBody(g, blocking, timeout), this._n.start!);
  }

  /** Makes a greenlet running `fn(...args)`, adds it and starts it; resolves the greenlet. */
  spawn<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Op<Greenlet<ResultOf<R>, A>> {
    checkFn(fn, 'spawn(fn, ...args)');
    return trackOp(this._spawnBody(fn, args), this._n.spawn!);
  }

  /** Stops tracking `g` (its slot, in a Pool, is free at once). Never waits. */
  discard(g: AnyGreenlet): void {
    if (!this._members.delete(g)) return;
    g.unlink(this._onDeath);
    this._dying.delete(g);
    this._left();
  }

  /** Waits until the group is empty; see the class comment. */
  join(options?: GroupJoinOptions): Op<boolean> {
    const timeout = checkTimeout(options?.timeout, 'join({ timeout })');
    return trackOp(this._joinBody(timeout, options?.raiseError ?? false), this._n.join!);
  }

  /** Kills every member; see the class comment. */
  kill(options?: GroupKillOptions): Op<void> {
    const timeout = checkTimeout(options?.timeout, 'kill({ timeout })');
    return trackOp(
      this._killBody(options?.exception, options?.block ?? true, timeout),
      this._n.kill!,
    );
  }

  /** Kills `g` if it is a member not already being killed; with `block`, waits for it. */
  killone(g: AnyGreenlet, options?: GroupKillOptions): Op<void> {
    checkGreenlet(g, 'killone(greenlet)');
    const timeout = checkTimeout(options?.timeout, 'killone(greenlet, { timeout })');
    return trackOp(
      this._killoneBody(g, options?.exception, options?.block ?? true, timeout),
      this._n.killone!,
    );
  }

  /** A kill that does not wait: every member gets GreenletExit. */
  [Symbol.dispose](): void {
    for (const f of [...this._feeders]) f.close();
    for (const g of [...this._members]) this._shoot(g, undefined);
  }

  /**
   * Runs `fn(...args)` in a member and resolves its result (or throws its error). Called
   * from a member of this group, it runs `fn` inline (no new greenlet, no slot: no
   * deadlock in a full Pool).
   */
  apply<A extends unknown[], R>(fn: (...args: A) => R, args?: A): Op<ResultOf<R>> {
    checkFn(fn, 'apply(fn, args)');
    return trackOp(this._applyBody(fn, args ?? ([] as unknown as A)), this._n.apply!);
  }

  /**
   * Starts `fn(...args)` and returns its greenlet without waiting, even when the group is
   * full (then an extra greenlet, not a member, waits for the slot). `callback(result)` is
   * called with the result on success.
   */
  applyAsync<A extends unknown[], R>(
    fn: (...args: A) => R,
    args?: A,
    callback?: (result: ResultOf<R>) => unknown,
  ): Greenlet<ResultOf<R>, any> {
    checkFn(fn, 'applyAsync(fn, args, callback)');
    if (callback !== undefined && callback !== null) checkFn(callback, 'applyAsync callback');
    const a = args ?? ([] as unknown as A);
    if (this._tryReserve()) {
      const g = new Greenlet<ResultOf<R>, A>(fn as any, ...a);
      this._trackReserved(g);
      g.start();
      if (callback)
        g.link((gr) => (gr.successful() ? callback(gr.value as ResultOf<R>) : undefined));
      return g;
    }
    return spawn(applyAsyncWaiting, this, fn, a, callback) as Greenlet<ResultOf<R>, any>;
  }

  /** apply(), then `callback(result)` in a new greenlet; resolves the result. */
  applyCb<A extends unknown[], R>(
    fn: (...args: A) => R,
    args?: A,
    callback?: (result: ResultOf<R>) => unknown,
  ): Op<ResultOf<R>> {
    checkFn(fn, 'applyCb(fn, args, callback)');
    return trackOp(
      applyCbBody(this, fn, args ?? ([] as unknown as A), callback),
      this._n.applyCb!,
    ) as Op<ResultOf<R>>;
  }

  /**
   * `fn` applied to each item, in members (a Pool: at most `size` at once); resolves the
   * results in the order of `items`. The first error raised (in item order) is thrown and
   * the calls still running are killed.
   */
  map<A, R>(fn: (item: A) => R, items: MapSource<A>, options?: IMapOptions): Op<ResultOf<R>[]> {
    const it = new IMap<A, R>(this, fn, items, true, options, 'map');
    return trackOp(it.collect(), this._n.map!);
  }

  /** map() in a new greenlet (not a member); `callback(results)` on success. */
  mapAsync<A, R>(
    fn: (item: A) => R,
    items: MapSource<A>,
    callback?: (results: ResultOf<R>[]) => unknown,
  ): Greenlet<ResultOf<R>[], any> {
    checkFn(fn, 'mapAsync(fn, items, callback)');
    return spawn(mapAsyncBody, this, fn, items, callback) as Greenlet<ResultOf<R>[], any>;
  }

  /** Results of `fn` over `items` in their order, as they are ready (see imap.ts). */
  imap<A, R>(
    fn: (item: A) => R,
    items: MapSource<A>,
    options?: IMapOptions,
  ): OpIterator<ResultOf<R>> {
    return new IMap<A, R>(this, fn, items, true, options, 'imap');
  }

  /** Results of `fn` over `items` in the order they finish (see imap.ts). */
  imapUnordered<A, R>(
    fn: (item: A) => R,
    items: MapSource<A>,
    options?: IMapOptions,
  ): OpIterator<ResultOf<R>> {
    return new IMap<A, R>(this, fn, items, false, options, 'imapUnordered');
  }

  /** Runs `fn(group)` as a scope; see the class comment. */
  scope<R>(fn: (group: this) => R): Op<ResultOf<R>>;
  scope<R>(options: ScopeOptions, fn: (group: this) => R): Op<ResultOf<R>>;
  scope(a: unknown, b?: unknown): Op<unknown> {
    let options: ScopeOptions = {};
    let fn = a;
    if (typeof a !== 'function') {
      if (a === null || typeof a !== 'object') checkFn(a, 'scope([options,] fn)');
      options = a as ScopeOptions;
      fn = b;
    }
    checkFn(fn, 'scope([options,] fn)');
    return trackOp(
      this._scopeBody(options.cancelOnError ?? false, fn as (g: this) => unknown),
      this._n.scope!,
    );
  }

  toString(): string {
    return `<${this.constructor.name} members=${this._members.size}>`;
  }

  // ------------------------------------------------------------------ slots (Pool overrides)

  /** @internal takes a slot if one is free (a Group: always). */
  _tryReserve(): boolean {
    return true;
  }

  /** @internal waits for a slot; resolves whether it got one. */
  // biome-ignore lint/correctness/useYield: a Group never waits
  *_waitSlot(_blocking: boolean, _timeout: number | null): Generator<unknown, boolean, any> {
    return true;
  }

  /** @internal gives a slot back (a member left). */
  _releaseSlot(): void {}

  // ------------------------------------------------------------------ internals

  /** @internal tracks `g` without a slot check (constructor adoption). */
  _track(g: AnyGreenlet): void {
    if (!this._members.has(g)) this._trackReserved(g);
  }

  /** @internal tracks `g` with a slot already taken for it. */
  _trackReserved(g: AnyGreenlet): void {
    this._members.add(g);
    g.rawlink(this._onDeath);
  }

  /** @internal a member died (from the hub). */
  _died(g: AnyGreenlet): void {
    if (!this._members.delete(g)) return;
    this._dying.delete(g);
    const w = this._failWatchers;
    if (w !== null && g.exception !== null) for (const f of w.slice()) f(g);
    this._left();
  }

  /** @internal a member left: free its slot; wake joiners when empty. */
  _left(): void {
    this._releaseSlot();
    if (this._members.size === 0 && this._emptyWaiters.length > 0) this._emptyWaiters.wakeAll();
  }

  /** @internal kills `g` without waiting, once. */
  _shoot(g: AnyGreenlet, exception: unknown): void {
    if (this._dying.has(g)) return;
    this._dying.add(g);
    killNoWait(g, exception);
  }

  /** @internal drops members that died but whose death notice has not run yet. */
  _reap(): void {
    for (const g of [...this._members]) {
      if (g.dead) {
        g.unlink(this._onDeath);
        this._died(g);
      }
    }
  }

  /** @internal */
  *_addBody(
    g: AnyGreenlet,
    blocking: boolean,
    timeout: number | null,
  ): Generator<unknown, void, any> {
    if (g.dead || this._members.has(g)) return;
    if (!this._tryReserve() && !(yield* this._waitSlot(blocking, timeout))) {
      throw this._fullError(blocking, timeout);
    }
    if (g.dead || this._members.has(g)) {
      this._releaseSlot();
      return;
    }
    this._trackReserved(g);
  }

  /** @internal the error of an add that got no slot (Pool). */
  _fullError(_blocking: boolean, _timeout: number | null): Error {
    return new Error('unreachable');
  }

  /** @internal */
  *_startBody(
    g: AnyGreenlet,
    blocking: boolean,
    timeout: number | null,
  ): Generator<unknown, void, any> {
    yield* this._addBody(g, blocking, timeout);
    g.start();
  }

  /** @internal */
  *_spawnBody<A extends unknown[], R>(
    fn: (...args: A) => R,
    args: A,
  ): Generator<unknown, Greenlet<ResultOf<R>, A>, any> {
    const g = new Greenlet<ResultOf<R>, A>(fn as any, ...args);
    if (!this._tryReserve() && !(yield* this._waitSlot(true, null))) {
      throw this._fullError(true, null);
    }
    this._trackReserved(g);
    g.start();
    return g;
  }

  /** @internal */
  *_joinBody(timeout: number | null, raiseError: boolean): Generator<unknown, boolean, any> {
    const snapshot = raiseError ? [...this._members] : null;
    let ok = true;
    if (this._members.size > 0) {
      const g = currentHubGreenlet(this._n['join()']!);
      const seq = beginWait(g, 'Group.join');
      const w = this._emptyWaiters.add(g, seq, undefined);
      if (timeout !== null) arm(g, timeout);
      try {
        ok = (yield* toHub(g)) === w;
      } finally {
        if (timeout !== null) disarm(g, null);
        this._emptyWaiters.done(w);
      }
    }
    if (snapshot !== null) {
      for (const m of snapshot) if (m.exception !== null) throw m.exception;
    }
    return ok;
  }

  /** @internal */
  *_killBody(
    exception: unknown,
    block: boolean,
    timeout: number | null,
  ): Generator<unknown, void, any> {
    for (const f of [...this._feeders]) f.close();
    const t = block && timeout !== null ? Timeout.startNew(timeout) : null;
    try {
      for (;;) {
        this._reap();
        if (this._members.size === 0) return;
        for (const g of [...this._members]) this._shoot(g, exception);
        if (!block) return;
        yield* this._joinBody(null, false);
      }
    } catch (e) {
      if (t === null || e !== t) throw e;
    } finally {
      if (t !== null) t.cancel();
    }
  }

  /** @internal */
  *_killoneBody(
    g: AnyGreenlet,
    exception: unknown,
    block: boolean,
    timeout: number | null,
  ): Generator<unknown, void, any> {
    if (this._dying.has(g) || !this._members.has(g)) return;
    this._shoot(g, exception);
    if (block) yield* g.join(timeout);
  }

  /** @internal */
  *_applyBody<A extends unknown[], R>(
    fn: (...args: A) => R,
    args: A,
  ): Generator<unknown, ResultOf<R>, any> {
    if (this._members.has(getcurrent() as AnyGreenlet)) {
      return yield* callInline(fn as (...a: unknown[]) => unknown, args);
    }
    const g = yield* this._spawnBody(fn, args);
    return yield* g.get();
  }

  /** @internal */
  *_scopeBody(cancelOnError: boolean, fn: (g: this) => unknown): Generator<unknown, any, any> {
    const me = currentHubGreenlet(this._n['scope()']!);
    let failure: { error: unknown } | null = null;
    let watcher: ((g: AnyGreenlet) => void) | null = null;
    if (cancelOnError) {
      watcher = (g) => {
        if (failure !== null) return;
        failure = { error: g.exception };
        for (const f of [...this._feeders]) f.close();
        for (const other of [...this._members]) if (other !== g) this._shoot(other, undefined);
        requestThrow(me, g.exception);
      };
      (this._failWatchers ??= []).push(watcher);
    }
    let result: unknown;
    let error: unknown = NO_ERROR;
    let failed: { error: unknown } | null = null;
    try {
      result = yield* callInline(fn, [this]);
    } catch (e) {
      error = e;
    } finally {
      // Leaving the block, however (a forced end of this greenlet skips the catch above).
      if (watcher !== null) {
        // Members that died of an error before the body ended count, announced or not.
        this._reap();
        const ws = this._failWatchers!;
        ws.splice(ws.indexOf(watcher), 1);
        if (ws.length === 0) this._failWatchers = null;
      }
      // A failure raised after the body ended must not hit a later, unrelated wait.
      failed = failure as { error: unknown } | null;
      if (failed !== null) withdrawThrow(me, failed.error);
      // Shoot first (no wait): effective even if the wait below is cut short.
      for (const f of [...this._feeders]) f.close();
      for (const g of [...this._members]) this._shoot(g, undefined);
      yield* this._killBody(undefined, true, null);
    }
    if (error !== NO_ERROR) throw error;
    if (failed !== null) throw (failed as { error: unknown }).error;
    return result;
  }
}

const GROUP_OPS = [
  'waitAvailable',
  'add',
  'start',
  'spawn',
  'join',
  'kill',
  'killone',
  'apply',
  'applyCb',
  'map',
  'scope',
];
nameOps(Group, ...GROUP_OPS);

/** Kills `g` without waiting (for GreenletExit, its non-waiting dispose). */
export { GROUP_OPS };

export function killNoWait(g: AnyGreenlet, exception: unknown): void {
  if (exception === undefined || exception === null) {
    g[Symbol.dispose]();
    return;
  }
  const it = g.kill({ exception, block: false })[Symbol.iterator]();
  it.next();
}

function checkGreenlet(g: unknown, what: string): asserts g is AnyGreenlet {
  if (!(g instanceof Greenlet)) {
    throw new TypeError(`${what}: expected a Greenlet of @g/hub, got ${describe(g)}`);
  }
}

export function checkFn(fn: unknown, what: string): asserts fn is (...args: any[]) => unknown {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `${what}: expected a function, got ${describe(fn)}. Pass the function and its ` +
        'arguments separately: spawn(f, x), not spawn(f(x)).',
    );
  }
}

// biome-ignore lint/correctness/useYield: an Op that returns at once
function* valueOp<T>(v: T): Generator<unknown, T, any> {
  return v;
}
// Shared generator functions, not a closure per call: V8 gives each fresh generator closure
// its own object map (about 2.5 µs at its first call), which keeps the closure and what it
// holds alive for as long as V8 caches the map.
function* applyAsyncWaiting(
  group: Group,
  fn: (...args: any[]) => unknown,
  args: unknown[],
  callback: ((result: any) => unknown) | undefined,
): Generator<unknown, unknown, any> {
  return yield* group.applyCb(fn, args, callback);
}

function* applyCbBody(
  group: Group,
  fn: (...args: any[]) => unknown,
  args: unknown[],
  callback: ((result: any) => unknown) | undefined | null,
): Generator<unknown, unknown, any> {
  const r = yield* group._applyBody(fn, args);
  if (callback !== undefined && callback !== null) spawn(callback, r);
  return r;
}

function* mapAsyncBody(
  group: Group,
  fn: (item: any) => unknown,
  items: MapSource<any>,
  callback: ((results: any[]) => unknown) | undefined | null,
): Generator<unknown, unknown, any> {
  const r = yield* group.map(fn, items);
  if (callback !== undefined && callback !== null) callback(r);
  return r;
}
