/**
 * Calls a user handler from a greenlet: a generator function is run with `yield*`, a
 * function returning a promise is awaited with `until()` (killable), a plain function just
 * returns.
 */
import { until } from '@g/hub';

export function* callHandler<R>(
  fn: (...args: any[]) => unknown,
  thisArg: unknown,
  args: unknown[],
): Generator<unknown, R, any> {
  const r: any = fn.apply(thisArg, args);
  if (r !== null && typeof r === 'object') {
    if (typeof r.next === 'function' && typeof r[Symbol.iterator] === 'function') {
      return (yield* r) as R;
    }
    if (typeof r.then === 'function') return (yield* until(r)) as R;
  }
  return r as R;
}
