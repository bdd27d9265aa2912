/**
 * Timeout arguments of the blocking Ops, and running a user body inline.
 *
 * A `timeout` is seconds (a number >= 0; `Infinity`, null or undefined: no limit). NaN or a
 * non-number is a TypeError and a negative number a RangeError, thrown when the Op is made
 * (nothing has happened yet). The Ops that raise on expiry (`get`, `put`, `peek`) also accept
 * a `Timeout` instance: it is started if it is not pending and raised itself (gevent's
 * `get(timeout=Timeout(...))`).
 *
 * A numeric timeout costs no allocation: it uses the greenlet's reusable wait timer.
 */
import { armWaitTimer, disarmWaitTimer, type HubGreenlet, isTimeout, Timeout, until } from '@g/hub';

/** Validates a numeric timeout; returns null for "no limit". */
export function checkTimeout(t: unknown, what: string): number | null {
  if (t === undefined || t === null) return null;
  if (typeof t !== 'number' || Number.isNaN(t)) {
    throw new TypeError(`${what} must be a number of seconds or null, got ${describe(t)}`);
  }
  if (t < 0) {
    throw new RangeError(`${what} must not be negative, got ${t} (use 0 to wait no longer)`);
  }
  return t === Infinity ? null : t;
}

/** Validates a timeout that may also be a Timeout instance. */
export function checkTimeoutOrTimeout(t: unknown, what: string): number | Timeout | null {
  if (isTimeout(t)) return t;
  return checkTimeout(t, what);
}

/** Arms what `timeout` asks for on `g`'s current wait; returns the Timeout to cancel, if any. */
export function arm(g: HubGreenlet, timeout: number | Timeout): Timeout | null {
  if (typeof timeout === 'number') {
    armWaitTimer(g, timeout);
    return null;
  }
  return Timeout.startNew(timeout);
}

/** Undoes `arm` when the wait ends. */
export function disarm(g: HubGreenlet, t: Timeout | null): void {
  if (t !== null) t.cancel();
  else disarmWaitTimer(g);
}

/** The seconds of a timeout argument, for the error raised at expiry. */
export function secondsOf(timeout: number | Timeout): number | null {
  return typeof timeout === 'number' ? timeout : timeout.seconds;
}

/**
 * Runs `fn(...args)` in the calling greenlet: a generator is run with `yield*`, a promise is
 * waited for with `until`, any other value is returned as is.
 */
export function* callInline(
  fn: (...args: any[]) => unknown,
  args: readonly unknown[],
): Generator<unknown, any, any> {
  const r = fn(...args);
  if (r !== null && typeof r === 'object') {
    if (typeof (r as any).next === 'function' && typeof (r as any).throw === 'function') {
      return yield* r as Generator<unknown, unknown, unknown>;
    }
    if (typeof (r as any).then === 'function') return yield* until(r as PromiseLike<unknown>);
  }
  return r;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  if (typeof x === 'function') return `the function ${x.name || '(anonymous)'}`;
  return `${typeof x} ${String(x)}`;
}
