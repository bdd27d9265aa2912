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
 * - `start()` arms a loop timer (priority -1, as gevent's) for the greenlet running now.
 *   When it expires, the error is raised in that greenlet at the wait it is in (or at its
 *   next wait if it is running or a wake-up is already on its way). The error is the
 *   Timeout itself, unless the Timeout was made with another exception: an Error instance
 *   (raised as is) or an Error class (instantiated). A string is appended to the message.
 * - `seconds` null or undefined: never fires (`start()` arms nothing). 0 or negative: fires
 *   as soon as control reaches the loop. NaN or a non-number: TypeError.
 * - `pending` is true from `start()` until expiry or `cancel()`. Starting a pending Timeout
 *   throws; cancel it first. A Timeout can be started again after expiry or cancel.
 * - `cancel()` (and `[Symbol.dispose]`, `close()`) disarms it and withdraws an error not
 *   yet raised. Cancelling twice, or an unstarted Timeout, does nothing.
 * - Nested Timeouts are independent: each raises only itself; test `e === t` to know
 *   whether an error is yours.
 * - `exception = false` (gevent's quiet timeout) cannot be honoured by `using` (a disposer
 *   cannot swallow the block's error): the Timeout is raised, and its message ends with
 *   "(silent)". For a quiet expiry use `withTimeout(seconds, { timeoutValue }, fn)`.
 *
 * ## A Timeout caught and ignored inside its own block
 *
 * In JavaScript every `catch` catches a Timeout. A Timeout that expired must be cancelled
 * (its block left) within the hub's `killGrace` (1 s by default): if the greenlet is still
 * inside the block after that, it is ended as a kill that was ignored is (see kill()): its
 * generators are `return()`ed at every later wait, `finally` blocks run, and the greenlet
 * dies with the Timeout as its exception.
 */
import { type HubGreenlet, rare } from './hub-greenlet.js';
import { current, forceEnd, requestThrow, withdrawThrow } from './waiting.js';

const TIMEOUT_BRAND = Symbol.for('@g/Timeout');

function onExpire(w: any): void {
  const t = w.data as Timeout;
  t._expire();
}

export class Timeout extends Error {
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
    super(describeTimeout(seconds ?? null, exception));
    this.name = 'Timeout';
    this.seconds = seconds ?? null;
    this.exception = exception;
    this.refd = ref;
    this.priority = priority;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
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
    if (this.seconds === null) return this;
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

  /** @internal the timer fired: raise, or escalate after the grace period. */
  _expire(): void {
    const g = this.target;
    if (g === null) return;
    if (this.state === 1) {
      this.state = 2;
      const err = this.toRaise();
      this.raised = err;
      requestThrow(g, err);
      // Grace period: if the block is not left by then, end the greenlet.
      const w = this.timer;
      w.set(g._hub.killGrace, 0);
      w.start(onExpire);
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
    if (typeof exc === 'function') {
      if (exc === Error || exc.prototype instanceof Error) return new (exc as new () => Error)();
      return new TypeError(
        `Timeout exception must be an Error class or instance, got the function ${exc.name}`,
      );
    }
    if (exc instanceof Error) return exc;
    return new TypeError(
      `Timeout exception must be an Error class or instance, got ${String(exc)}`,
    );
  }
}
Object.defineProperty(Timeout.prototype, TIMEOUT_BRAND, { value: true });

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
