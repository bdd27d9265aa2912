/**
 * The body of `until(promise)`: waits in a greenlet for a promise without blocking the hub.
 *
 * The wait holds the loop (`loop.externalWait()`): the promise counts as a referenced
 * watcher, so the hub does not report LoopExit and a virtual clock stands still while it
 * is pending. Killed or timed out while waiting, the greenlet leaves at once; the
 * promise's later settlement is ignored (its rejection is handled, never unhandled).
 */
import { beginWait, current, toHub, wake, wakeThrow } from './waiting.js';

export function* untilBody<T>(promise: PromiseLike<T>): Generator<unknown, T, any> {
  const g = current('until()');
  const seq = beginWait(g, 'until');
  const release = g._hub.loop.externalWait();
  try {
    promise.then(
      (v) => {
        wake(g, seq, v);
      },
      (e) => {
        wakeThrow(g, seq, e);
      },
    );
    return yield* toHub(g);
  } finally {
    release();
  }
}
