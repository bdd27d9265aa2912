/**
 * Timeout: raise an error in a greenlet if it is still inside a block after some seconds.
 *
 * ```ts
 * function* fetchWithDeadline(conn: Conn) {
 *   using _deadline = Timeout.startNew(2);   // cancelled when the block is left
 *   return yield* conn.request('GET /');     // raises the Timeout after 2 s
 * }
 * // without `using`:
 * const t = Timeout.startNew(2);
 * try { return yield* conn.request('GET /'); } finally { t.cancel(); }
 * ```
 *
 * ## Rules
 *
 * - `start()` updates the loop time once and arms a loop timer (priority -1, as gevent's:
 *   a wait due at the same instant is woken first) for the greenlet running now. When it
 *   expires, the error is raised in that greenlet at the wait it is in (or at its next wait
 *   if it is running or a wake-up is already on its way). The error is the Timeout itself,
 *   unless the Timeout was made with another exception: an Error instance (raised as is) or
 *   an Error class (instantiated). A string is appended to the message. Any other
 *   `exception` is a TypeError at construction.
 * - `seconds` null, undefined or Infinity: never fires (`start()` arms nothing, `pending`
 *   stays false). 0 or negative: fires as soon as control reaches the loop. NaN or a
 *   non-number: TypeError.
 * - `pending` is true from `start()` until expiry or `cancel()`. Starting a pending Timeout
 *   throws; cancel it first. A Timeout can be started again after expiry or cancel.
 * - `cancel()` (and `[Symbol.dispose]`, `close()`) disarms it and withdraws an error not
 *   yet raised. Cancelling twice, or an unstarted Timeout, does nothing.
 * - Nested Timeouts are independent: each raises only itself; test `e === t` to know
 *   whether an error is yours.
 * - `exception = false` (gevent's quiet timeout) cannot be honoured by `using` (a disposer
 *   cannot swallow the block's error): the Timeout is raised, and its message ends with
 *   "(silent)". For a quiet expiry use `withTimeout(seconds, { timeoutValue }, fn)` or the
 *   generator helper `yield* new Timeout(s, false).scope(fn)` (gevent's `with Timeout(s, False)`).
 * - Outside a hub greenlet (main, a callback run by the hub) `start()` throws
 *   BlockingSwitchOutError: there is no greenlet to raise the Timeout in.
 *
 * ## A Timeout caught and ignored inside its own block
 *
 * In JavaScript every `catch` catches a Timeout. A Timeout that expired must be cancelled
 * (its block left) within the hub's `killGrace` (1 s by default): if the greenlet is still
 * inside the block after that, it is ended as a kill that was ignored is (see kill()): its
 * generators are `return()`ed at every later wait, `finally` blocks run, and the greenlet
 * dies with the Timeout as its exception.
 */
import { type Op, trackOp } from '@g/greenlet';
import type { ResultOf } from './greenlet.js';
import { type HubGreenlet, rare } from './hub-greenlet.js';
import { untilBody } from './until-body.js';
import { current, forceEnd, requestThrow, withdrawThrow } from './waiting.js';

const TIMEOUT_BRAND = Symbol.for('@g/Timeout');
let captureStacks = false;

function onExpire(w: any): void {
  const t = w.data as Timeout;
  t._expire();
}

/**
 * A Timeout is an Error (`instanceof Error`, Error.prototype in its chain, printed as one)
 * made without the Error constructor, which costs about 1 µs even without a stack trace:
 * Timeouts are made and cancelled at a high rate (one per timed call).
 */
export class Timeout implements Error {
  /** 'Timeout' (on the prototype). */
  declare name: string;
  /** The delay in seconds, or null (never). */
  readonly seconds: number | null;
  /** What is raised at expiry: undefined (this Timeout), false (quiet), a string, an Error. */
  readonly exception: unknown;
  private readonly refd: boolean;
  private readonly priority: number;
  private timer: any = null;
  private target: HubGreenlet | null = null;
  private state = 0; // 0 idle, 1 pending, 2 expired (grace running)
  private raised: unknown = undefined;

  constructor(seconds?: number | null, exception?: unknown, ref = true, priority = -1) {
    if (
      seconds !== undefined &&
      seconds !== null &&
      (typeof seconds !== 'number' || Number.isNaN(seconds))
    ) {
      throw new TypeError(
        `Timeout(seconds): seconds must be a number or null, got ${String(seconds)}`,
      );
    }
    checkTimeoutException(exception);
    this.seconds = seconds ?? null;
    this.exception = exception;
    this.refd = ref;
    this.priority = priority;
    // No stack trace unless asked for (Timeout.captureStacks): where a Timeout fires is the
    // wait it interrupts, not where it was made. The message is a prototype getter.
    if (captureStacks) Error.captureStackTrace(this, Timeout);
  }

  /**
   * Record where each Timeout is made, in its `stack` (default false: a Timeout is cheap,
   * about 0.1 µs, without one; with one about 2 µs). For debugging "which Timeout fired".
   */
  static get captureStacks(): boolean {
    return captureStacks;
  }
  static set captureStacks(v: boolean) {
    captureStacks = v === true;
  }

  /** "N seconds", "N seconds (silent)", "N seconds: <text>" or "Timeout (never)". */
  get message(): string {
    return describeTimeout(this.seconds, this.exception);
  }

  /** "Timeout: <message>", plus where it was made when Timeout.captureStacks was on. */
  get stack(): string {
    return `${this.name}: ${this.message}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const state = this.state === 1 ? 'pending' : this.state === 2 ? 'expired' : 'idle';
    return `${this.stack} [${state}]`;
  }

  static [Symbol.hasInstance](x: unknown): boolean {
    if (this === Timeout) {
      return x !== null && typeof x === 'object' && (x as any)[TIMEOUT_BRAND] === true;
    }
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }

  /**
   * Makes a Timeout and starts it for the running greenlet. `seconds` may also be a
   * Timeout, which is started (if not pending) and returned.
   */
  static startNew(seconds?: number | null | Timeout, exception?: unknown, ref = true): Timeout {
    if (seconds instanceof Timeout) {
      if (!seconds.pending) seconds.start();
      return seconds;
    }
    const t = new Timeout(seconds, exception, ref);
    t.start();
    return t;
  }

  /** True between start() and expiry or cancel(). */
  get pending(): boolean {
    return this.state === 1;
  }

  /**
   * Arms the Timeout for the greenlet running now. Throws if it is pending (cancel it
   * first) or if no hub greenlet is running.
   */
  start(): this {
    if (this.state === 1) {
      throw new Error(`${this.message}: Timeout already started; to restart it, cancel() it first`);
    }
    this.cancel();
    if (this.seconds === null || this.seconds === Infinity) return this;
    const g = current('Timeout.start()');
    this.target = g;
    const loop = g._hub.loop;
    loop.nowUpdate();
    let w = this.timer;
    if (w === null) {
      w = this.timer = loop.timer(Math.max(0, this.seconds), 0);
      w.data = this;
      w.priority = this.priority;
      w.ref = this.refd;
    } else {
      w.set(Math.max(0, this.seconds), 0);
      w.ref = this.refd;
    }
    this.state = 1;
    w.start(onExpire);
    return this;
  }

  /** Disarms the Timeout and withdraws its error if not raised yet. Idempotent. */
  cancel(): void {
    const w = this.timer;
    if (w !== null) w.stop();
    const g = this.target;
    if (g !== null && this.raised !== undefined) withdrawThrow(g, this.raised);
    this.raised = undefined;
    this.state = 0;
    this.target = null;
  }

  /** cancel(), and drop the timer watcher. */
  close(): void {
    this.cancel();
    this.timer = null;
  }

  [Symbol.dispose](): void {
    this.cancel();
  }

  /**
   * gevent's `with Timeout(...) as t:` as a generator helper: starts this Timeout (unless it
   * is pending), runs `fn(t)` (a generator function, a plain function or one returning a
   * promise) and cancels the Timeout however `fn` ends. If this Timeout expires inside and
   * was made with `exception = false`, the expiry is quiet: `scope` returns undefined.
   * Any other error, an enclosing Timeout's included, passes through.
   *
   * ```ts
   * const page = yield* new Timeout(5, false).scope(function* () { return yield* fetch(u); });
   * // page is undefined if 5 s passed
   * ```
   */
  scope<R>(fn: (timeout: this) => R): Op<ResultOf<R> | undefined> {
    if (typeof fn !== 'function') {
      throw new TypeError('timeout.scope(fn): fn must be a function');
    }
    return trackOp(scopeBody(this, fn), 'Timeout.scope');
  }

  /** @internal the timer fired: raise, or escalate after the grace period. */
  _expire(): void {
    const g = this.target;
    if (g === null) return;
    if (this.state === 1) {
      this.state = 2;
      const err = this.toRaise();
      this.raised = err;
      requestThrow(g, err);
      // Grace period: if the block is not left by then, end the greenlet. The grace timer
      // does not hold the loop (a greenlet that swallowed the Timeout and then waits on a
      // referenced watcher keeps it alive anyway; one that ended needs no forced end).
      const grace = g._hub.killGrace;
      if (grace !== Infinity) {
        const w = this.timer;
        w.set(grace, 0);
        w.ref = false;
        w.start(onExpire);
      }
      return;
    }
    if (this.state === 2 && g._state !== 2 /* DEAD */) {
      this.state = 0;
      const r = rare(g);
      if (r.killExc === undefined) r.killExc = this.raised ?? this;
      forceEnd(g);
    }
  }

  private toRaise(): unknown {
    const exc = this.exception;
    if (exc === undefined || exc === null || exc === false || typeof exc === 'string') return this;
    if (typeof exc === 'function') return new (exc as new () => Error)();
    return exc;
  }
}

function* scopeBody<T extends Timeout, R>(
  t: T,
  fn: (timeout: T) => R,
): Generator<unknown, any, any> {
  if (!t.pending) t.start();
  try {
    const r = fn(t) as any;
    if (r !== null && typeof r === 'object') {
      if (typeof r.next === 'function' && typeof r.throw === 'function') return yield* r;
      if (typeof r.then === 'function') return yield* untilBody(r);
    }
    return r;
  } catch (e) {
    if (e === t && t.exception === false) return undefined;
    throw e;
  } finally {
    t.cancel();
  }
}

/**
 * What a Timeout may raise: nothing given (itself), false (itself, "silent"), a string (itself,
 * with the string in its message), an Error class (instantiated at expiry) or an Error
 * instance. Anything else is a TypeError at construction (gevent raises it at expiry).
 */
function checkTimeoutException(exc: unknown): void {
  if (exc === undefined || exc === null || exc === false || typeof exc === 'string') return;
  if (typeof exc === 'function') {
    if (exc === Error || exc.prototype instanceof Error) return;
    throw new TypeError(
      `Timeout(seconds, exception): exceptions must be an Error class or instance, got the function ${exc.name || '(anonymous)'}`,
    );
  }
  if (exc instanceof Error || Object.prototype.toString.call(exc) === '[object Error]') return;
  throw new TypeError(
    `Timeout(seconds, exception): exceptions must be an Error class or instance, false or a string, got ${String(exc)}`,
  );
}
Object.setPrototypeOf(Timeout.prototype, Error.prototype);
Object.defineProperty(Timeout.prototype, TIMEOUT_BRAND, { value: true });
Object.defineProperty(Timeout.prototype, 'name', {
  value: 'Timeout',
  writable: true,
  configurable: true,
});
// Object.prototype.toString gives "[object Error]": util.inspect and error reports print it
// as an error (its stack).
Object.defineProperty(Timeout.prototype, Symbol.toStringTag, { value: 'Error' });

function describeTimeout(seconds: number | null, exception: unknown): string {
  if (seconds === null) return 'Timeout (never)';
  const base = `${seconds} second${seconds === 1 ? '' : 's'}`;
  if (exception === false) return `${base} (silent)`;
  if (typeof exception === 'string') return `${base}: ${exception}`;
  return base;
}

/** True for a Timeout of any loaded copy of @g/hub. */
export function isTimeout(x: unknown): x is Timeout {
  return x !== null && typeof x === 'object' && (x as any)[TIMEOUT_BRAND] === true;
}
