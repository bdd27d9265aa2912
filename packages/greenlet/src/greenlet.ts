/**
 * The Greenlet: a coroutine that switches to other greenlets instead of calling them.
 *
 * ```ts
 * const gr2 = new Greenlet(function* () {
 *   console.log('enter func2');
 *   return 'return from func2';   // goes to the parent: main
 * });
 * const gr1 = new Greenlet(function* () {
 *   console.log('enter func1');
 *   yield* gr2.switch();          // switch, not call
 *   console.log('out func1');     // never runs
 * });
 * gr1.switch();                   // 'return from func2'
 * ```
 *
 * ## States
 *
 * A greenlet is *unstarted* until the first switch into it, then *active* (started and
 * not dead) until its body returns or throws, then *dead*. The main greenlet (code outside
 * every body) is always active and has no parent.
 *
 * ## Switching from main and from a body
 *
 * In main, `g.switch(...)` runs the greenlets at once and returns the value that comes
 * back to main (or throws the error that does). Inside a body, `g.switch(...)` returns an
 * Op that the body must run with `yield*`; the `yield*` expression takes the value of the
 * next switch back into this greenlet. Forgetting `yield*` is reported (see op.ts).
 *
 * ## Arguments
 *
 * The first switch into a greenlet passes all its arguments to `run`. A later switch into
 * a suspended greenlet (or into main) delivers zero arguments as `undefined`, one as
 * itself and several as an array.
 *
 * ## Death
 *
 * When a body returns, its value goes to its parent's pending switch; when it throws, the
 * error is raised in the parent; a GreenletExit that escapes is returned to the parent as
 * a value. Switching to a dead greenlet switches to its nearest living ancestor instead.
 */
import { GreenletError, GreenletExit } from './errors.js';
import { ARGS_MANY, ARGS_ONE, ARMED, IDLE, K_RETURN, K_SWITCH, K_THROW, SwitchOp } from './op.js';
import { RT } from './runtime.js';
import { trampoline } from './trampoline.js';

export const UNSTARTED = 0;
export const ACTIVE = 1;
export const DEAD = 2;

const GREENLET_BRAND = Symbol.for('@g/Greenlet');

/** A greenlet body: a generator function (may switch) or a plain function (cannot). */
export type GreenletRun = (...args: any[]) => any;

/** What `_scope` must offer: node:async_hooks' AsyncResource does. */
export interface ResumeScope {
  runInAsyncScope<R>(fn: (...args: any[]) => R, thisArg?: unknown, ...args: any[]): R;
}

export class Greenlet {
  declare readonly [GREENLET_BRAND]: true;

  /** @internal run function until started. */
  _run: GreenletRun | null;
  /** @internal */
  _parent: Greenlet | null;
  /** @internal the body's iterator once started. */
  _gen: Iterator<unknown, unknown, unknown> | null = null;
  /** @internal UNSTARTED, ACTIVE or DEAD. */
  _state: number = UNSTARTED;
  /** @internal this greenlet's reusable switch op (created at its first switch). */
  _op: SwitchOp | null = null;
  /** @internal number of tracked Ops created and not yet run. */
  _unrun = 0;
  /** @internal name of the first of them, for the error message. */
  _unrunName: string | null = null;
  /**
   * @internal An async context to run this greenlet's start and every resume in (an
   * AsyncResource: the trampoline calls `_scope.runInAsyncScope(step, null, ...)`), or null.
   * Null on the prototype: a greenlet without a scope pays no field for it. Set by @g/hub
   * so a spawned greenlet keeps its spawner's AsyncLocalStorage context across switches.
   */
  declare _scope: ResumeScope | null;
  /**
   * @internal A scheduler's hand-off hook, or null (on the prototype); set it with
   * `setRedirect`. When a body switches into this greenlet (a plain switch, no tracing on)
   * or ends with it as parent, the trampoline first calls `_redirect()`: a greenlet it
   * returns is resumed instead, with `_redirectValue`, as if this greenlet had been resumed
   * and had at once switched there. @g/hub sets it on its hub so that a greenlet that waits
   * hands control straight to the next one in the run queue (one resume instead of two).
   * The hook must not switch, and must return null unless this greenlet is suspended at a
   * point where doing so is the same as running it.
   */
  declare _redirect: (() => Greenlet | null) | null;
  /** @internal the value for the greenlet `_redirect()` returned. */
  declare _redirectValue: unknown;

  /**
   * Makes a greenlet that runs `run` at its first switch, with `parent` (by default the
   * greenlet that is running now) as the greenlet that gets its result.
   *
   * `run` may be a generator function (its body can switch with `yield*`) or a plain
   * function (it runs to its end without switching; it is a body that cannot switch).
   * A plain function that returns an iterator (e.g. `() => work(x)`) runs that iterator as
   * the body. `run` may be left out and set later with `g.run = fn`, until the first switch.
   */
  constructor(run?: GreenletRun | null, parent?: Greenlet | null) {
    if (run !== undefined && run !== null) checkRun(run, 'new Greenlet(run): run');
    this._run = run ?? null;
    if (parent === undefined || parent === null) {
      this._parent = RT.current as Greenlet;
    } else {
      checkParent(this, parent);
      this._parent = parent;
    }
  }

  /**
   * The function the greenlet runs at its first switch. Settable until then; `undefined`
   * once the greenlet has started (the greenlet no longer holds it).
   */
  get run(): GreenletRun | undefined {
    return this._run ?? undefined;
  }

  set run(fn: GreenletRun | undefined) {
    if (this._state !== UNSTARTED) {
      throw new GreenletError('run cannot be set once the greenlet has started');
    }
    if (fn !== undefined && fn !== null) checkRun(fn, 'greenlet.run');
    this._run = fn ?? null;
  }

  /**
   * The greenlet that gets this one's result (its return value or error) when it ends.
   * Assignable to another greenlet; a value that is not a greenlet is refused with a
   * TypeError and a cycle with a GreenletError. The main greenlet's parent is `null` and
   * cannot be set.
   */
  get parent(): Greenlet | null {
    return this._parent;
  }

  set parent(p: Greenlet) {
    if (this._parent === null && this === RT.main) {
      throw new GreenletError('cannot set the parent of the main greenlet');
    }
    checkParent(this, p);
    this._parent = p;
  }

  /** True once the body has returned or thrown (never for the main greenlet). */
  get dead(): boolean {
    return this._state === DEAD;
  }

  /** True when started and not dead (greenlet's `bool(g)`). */
  get active(): boolean {
    return this._state === ACTIVE;
  }

  /** True once the greenlet has been switched into (it may be dead since). */
  get started(): boolean {
    return this._state !== UNSTARTED;
  }

  /** True for the main greenlet. */
  get isMain(): boolean {
    return this === RT.main;
  }

  /**
   * Switches to this greenlet with the given arguments.
   *
   * In main: runs greenlets now and returns the value that comes back to main.
   * In a body: returns an Op; run it with `yield* g.switch(...)`, whose value is what the
   * next switch back into the caller carries.
   */
  switch(...args: any[]): any;
  switch(): any {
    // biome-ignore lint/complexity/noArguments: avoids a rest array on the hot path
    const a = arguments;
    const argc = a.length;
    return transfer(
      this,
      K_SWITCH,
      argc === 1 ? a[0] : argc === 0 ? undefined : Array.prototype.slice.call(a),
      argc,
      'g.switch',
    );
  }

  /**
   * Raises `err` (an Error instance or an Error class; GreenletExit by default) in this
   * greenlet at the point where it is suspended, and switches to it.
   *
   * Into an unstarted greenlet: it dies without running and the error goes to its parent
   * (a GreenletExit is returned to the parent as a value). Into a dead one: the error goes
   * to its nearest living ancestor (a GreenletExit is returned there as a value).
   * Like `switch`, it returns an Op inside a body and runs at once in main.
   */
  throw(err?: unknown): any {
    return transfer(this, K_THROW, toThrowable(err), 1, 'g.throw');
  }

  /**
   * Ends this suspended greenlet with its generator's `return()`: every `finally` block
   * runs (and may still switch), no `catch` sees it. Its parent then gets `value`.
   * The forced end that gevent-style kills escalate to; most code wants `throw()`.
   */
  unwind(value?: unknown): any {
    if (this === RT.main) throw new GreenletError('the main greenlet cannot be unwound');
    return transfer(this, K_RETURN, value, 1, 'g.unwind');
  }

  /**
   * @internal Called by the trampoline when this greenlet's body has ended, before control
   * goes to the parent. `failed` tells whether `result` is an error. Return true to keep
   * the error from being raised in the parent (the parent then gets `undefined`).
   * Subclasses (the hub's Greenlet) record results here; it must not switch.
   */
  _finish(_result: unknown, _failed: boolean): boolean {
    return false;
  }

  /**
   * @internal Starts the body: calls run with the first switch's arguments (`this` is the
   * greenlet) and returns what it returned. An iterator is then driven as the body; any
   * other value is the result of a body that ended at once. Subclasses may adapt other
   * kinds of bodies (the hub turns a returned promise into a wait).
   */
  _start(run: GreenletRun, argc: number, value: any): unknown {
    return argc === 0
      ? run.call(this)
      : argc === 1
        ? run.call(this, value)
        : run.apply(this, value);
  }

  toString(): string {
    return `<${this.constructor.name} ${stateWords(this)}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
(Greenlet.prototype as any)._scope = null;
(Greenlet.prototype as any)._redirect = null;
(Greenlet.prototype as any)._redirectValue = undefined;
Object.defineProperty(Greenlet.prototype, GREENLET_BRAND, { value: true });

/** True for a greenlet of any loaded copy of @g/greenlet. */
export function isGreenlet(x: unknown): x is Greenlet {
  return x !== null && typeof x === 'object' && (x as any)[GREENLET_BRAND] === true;
}

/** The greenlet that is running now (the main greenlet outside every body). */
export function getcurrent(): Greenlet {
  return RT.current as Greenlet;
}

/** The main greenlet of this thread. */
export function getmain(): Greenlet {
  return RT.main as Greenlet;
}

/** Number of switches between greenlets so far in this process (cheap; for rates). */
export function switchCount(): number {
  return RT.switches;
}

/** @internal True for an object the trampoline can drive as a body (a generator). */
export function isIterator(r: any): r is Iterator<unknown> {
  return (
    r !== null &&
    typeof r === 'object' &&
    typeof r.next === 'function' &&
    typeof r.throw === 'function' &&
    typeof r.return === 'function'
  );
}

const AsyncGeneratorFunction = async function* () {}.constructor;

/** Refuses a run that is not a function, or that is an async generator function. */
function checkRun(fn: unknown, what: string): void {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `${what} must be a function (a generator function to be able to switch), got ${describe(fn)}`,
    );
  }
  if (fn.constructor === AsyncGeneratorFunction) throw asyncBody(what);
}

/** @internal True for an async iterator that is not also a sync one (an async generator). */
export function isAsyncOnlyIterator(r: any): boolean {
  return (
    r !== null &&
    typeof r === 'object' &&
    typeof r[Symbol.asyncIterator] === 'function' &&
    typeof r[Symbol.iterator] !== 'function'
  );
}

/** @internal */
export function asyncBody(what: string): TypeError {
  return new TypeError(
    `${what} is an async generator (async function*): a greenlet body is a generator ` +
      'function (function*), whose switches are run with yield*, or a plain function. To ' +
      "wait for a promise inside a greenlet, use @g/hub's `yield* until(promise)`.",
  );
}

function checkParent(g: Greenlet, p: unknown): void {
  if (!isGreenlet(p)) {
    throw new TypeError(`a greenlet's parent must be a greenlet, got ${describe(p)}`);
  }
  for (let q: Greenlet | null = p; q !== null; q = q._parent) {
    if (q === g)
      throw new GreenletError('cyclic parent chain: a greenlet cannot be its own ancestor');
  }
}

function toThrowable(err: unknown): unknown {
  if (err === undefined) return new GreenletExit();
  if (typeof err === 'function') {
    if (err === Error || err.prototype instanceof Error) {
      return new (err as new () => Error)();
    }
    throw new TypeError(
      `throw() takes an Error instance or an Error class, not the function ${err.name || '(anonymous)'}`,
    );
  }
  if (err instanceof Error || isErrorLike(err)) return err;
  throw new TypeError(`throw() takes an Error instance or an Error class, not ${describe(err)}`);
}

function isErrorLike(x: unknown): boolean {
  return Object.prototype.toString.call(x) === '[object Error]';
}

/** Short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'string')
    return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x)}`;
  if (typeof x === 'function') return `the function ${x.name || '(anonymous)'}`;
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return `${typeof x} ${String(x)}`;
}

function stateWords(g: Greenlet): string {
  const words: string[] = [];
  if (g === RT.current) words.push('current');
  else if (g._state === ACTIVE) words.push('suspended');
  if (g._state === ACTIVE) words.push('active', 'started');
  else if (g._state === UNSTARTED) words.push('pending');
  else words.push('dead');
  if (g === RT.main) words.push('main');
  return words.join(' ');
}

/**
 * The one entry point of switch/throw/unwind. In main it runs the trampoline now; in a
 * body it arms and returns the running greenlet's switch op.
 */
function transfer(target: Greenlet, kind: number, value: any, argc: number, name: string): any {
  const rt = RT;
  if (!rt.running) {
    // Main mode: code outside every body.
    if (kind !== K_RETURN && target._state === UNSTARTED && target._run === null) {
      throw noRun(target, name);
    }
    return trampoline(target, kind, value, argc);
  }
  const cur = rt.current as Greenlet;
  if (cur === rt.main) {
    throw new GreenletError(
      `${name}() from the main greenlet while greenlets are running (for instance from a ` +
        'settrace callback) would re-enter the trampoline; switch from a greenlet body instead',
    );
  }
  let op = cur._op;
  if (op === null) op = cur._op = new SwitchOp();
  else if (op.state !== IDLE) {
    if (op.state === ARMED) {
      // The previous switch was never run: report it once and drop it, so that a body that
      // catches the error can go on switching.
      const err = forgotten(op.name);
      op.state = IDLE;
      op.target = null;
      op.value = undefined;
      throw err;
    }
    // Only a settrace callback runs while the current greenlet is still suspended.
    throw new GreenletError(
      `a settrace callback cannot switch: ${name}() while ${cur} is being switched into. ` +
        'Record the event and switch from a greenlet body instead.',
    );
  }
  op.state = ARMED;
  op.instr = argc === 0 ? kind : argc === 1 ? kind | ARGS_ONE : kind | ARGS_MANY;
  op.target = target;
  op.value = value;
  return op;
}

export function noRun(g: Greenlet, name: string): GreenletError {
  return new GreenletError(
    `cannot ${name}() into ${g}: it has no run function. Pass one to new Greenlet(run) or ` +
      'set g.run before the first switch.',
  );
}

export function forgotten(name: string): GreenletError {
  return new GreenletError(
    `${name}() made an Op that was never run. Inside a greenlet body write \`yield* ` +
      `${name}(...)\`; plain (non-generator) code running inside a body cannot switch: make ` +
      'it a generator function and call it with yield*. Outside greenlets, run an Op with ' +
      "a hub's run(op).",
  );
}

/** Creates the main greenlet of this thread, once for every loaded copy. */
function ensureMain(): void {
  if (RT.main !== null) return;
  const main = Object.create(Greenlet.prototype) as Greenlet;
  main._run = null;
  main._parent = null;
  main._gen = null;
  main._state = ACTIVE;
  main._op = null;
  main._unrun = 0;
  main._unrunName = null;
  RT.main = main;
  RT.current = main;
}
ensureMain();
