/**
 * withTimeout: run a function with a time limit.
 *
 * ```ts
 * const page = yield* withTimeout(5, fetchPage, url);                     // raises Timeout
 * const page = yield* withTimeout(5, { timeoutValue: null }, fetchPage, url); // null on expiry
 * ```
 *
 * Runs `fn(...args)` (a generator function, a plain function or one returning a promise)
 * in the calling greenlet under a Timeout of `seconds`. On expiry it raises that Timeout,
 * or returns `timeoutValue` when one is given (gevent's quiet timeout). Only its own
 * Timeout is caught: an enclosing Timeout or a kill passes through. Options come before
 * `fn` (never after `...args`).
 */
import { type Op, trackOp } from '@g/greenlet';
import { Timeout } from './timeout.js';
import { untilBody } from './until-body.js';

export interface WithTimeoutOptions<V> {
  /** Returned instead of raising when the time runs out. */
  timeoutValue?: V;
}

export function withTimeout<A extends unknown[], R>(
  seconds: number | null,
  fn: (...args: A) => R,
  ...args: A
): Op<Result<R>>;
export function withTimeout<A extends unknown[], R, V>(
  seconds: number | null,
  options: WithTimeoutOptions<V>,
  fn: (...args: A) => R,
  ...args: A
): Op<Result<R> | V>;
export function withTimeout(seconds: number | null, a: unknown, ...rest: unknown[]): Op<unknown> {
  let options: WithTimeoutOptions<unknown> = {};
  let fn: unknown = a;
  let args = rest;
  if (typeof a !== 'function') {
    if (a === null || typeof a !== 'object') {
      throw new TypeError('withTimeout(seconds, [options,] fn, ...args): fn must be a function');
    }
    options = a as WithTimeoutOptions<unknown>;
    fn = rest[0];
    args = rest.slice(1);
  }
  if (typeof fn !== 'function') {
    throw new TypeError('withTimeout(seconds, [options,] fn, ...args): fn must be a function');
  }
  // Validate seconds now (a TypeError at the call, not at expiry).
  void new Timeout(seconds);
  return trackOp(
    body(seconds, 'timeoutValue' in options, options.timeoutValue, fn as any, args),
    'withTimeout',
  );
}

type Result<R> =
  R extends Generator<any, infer T, any> ? T : R extends PromiseLike<infer U> ? U : R;

function* body(
  seconds: number | null,
  quiet: boolean,
  timeoutValue: unknown,
  fn: (...args: unknown[]) => unknown,
  args: unknown[],
): Generator<unknown, unknown, any> {
  const t = Timeout.startNew(seconds);
  try {
    const r = fn(...args);
    if (r !== null && typeof r === 'object') {
      if (typeof (r as any).next === 'function' && typeof (r as any).throw === 'function') {
        return yield* r as Generator<unknown, unknown, unknown>;
      }
      if (typeof (r as any).then === 'function') return yield* untilBody(r as PromiseLike<unknown>);
    }
    return r;
  } catch (e) {
    if (quiet && e === t) return timeoutValue;
    throw e;
  } finally {
    t.cancel();
  }
}
