/**
 * until: wait for a promise inside a greenlet.
 *
 * ```ts
 * function* handler(id: string) {
 *   const row = yield* until(db.query('select ...', [id]));  // killable while waiting
 *   return row;
 * }
 * ```
 *
 * The greenlet waits; the hub and the other greenlets run. A kill or a Timeout ends the
 * wait at once (the promise goes on; its result is then ignored, a rejection included).
 * The pending promise holds the loop: it counts as a referenced watcher (no LoopExit) and
 * on a virtual clock time stands still until it settles. A non-thenable is returned as is.
 */
import { type Op, trackOp } from '@g/greenlet';
import { untilBody } from './until-body.js';

export function until<T>(promise: PromiseLike<T> | T): Op<Awaited<T>> {
  if (
    promise === null ||
    (typeof promise !== 'object' && typeof promise !== 'function') ||
    typeof (promise as any).then !== 'function'
  ) {
    return trackOp(valueBody(promise as Awaited<T>), 'until');
  }
  return trackOp(untilBody(promise as PromiseLike<Awaited<T>>), 'until');
}

// biome-ignore lint/correctness/useYield: an Op that returns at once
function* valueBody<T>(v: T): Generator<unknown, T, any> {
  return v;
}
