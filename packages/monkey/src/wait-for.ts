/**
 * waitFor: wait in a greenlet for a promise, letting a virtual clock move meanwhile.
 *
 * ```ts
 * const hub = createHub({ backend: 'virtual' });
 * patchAll({ hub });
 * yield* waitFor(pRetry(flakyCall, { minTimeout: 60_000 }));   // its back-off is virtual
 * ```
 *
 * @g/hub's `until(promise)` holds a virtual clock still while it waits: right for a
 * promise of real I/O (a Timeout around a fetch must not expire in virtual time), but a
 * promise that the patched timers settle (a delay, a retry back-off) then never settles.
 * `waitFor(promise)` is `until` without that hold:
 *
 * - on a virtual-clock hub it keeps the loop alive (`loop.ref()`, so no LoopExit while the
 *   promise is pending) but lets time jump to the next timer as usual;
 * - on a Node-backend hub it is exactly `until(promise)`.
 *
 * Killable and cancellable by a Timeout like any wait; a later settlement of the promise
 * is ignored (a rejection included). A non-thenable is returned as is. `yield* promise`
 * under the promises patch is `waitFor(promise)`.
 */

import type { Loop } from '@g/ev';
import { type Op, trackOp } from '@g/greenlet';
import { beginWait, currentHubGreenlet, toHub, until, wake, wakeThrow } from '@g/hub';

function* waitBody<T>(promise: PromiseLike<T>, what: string): Generator<unknown, T, any> {
  const g = currentHubGreenlet(what);
  const hub = g._hub;
  const loop = hub.loop as unknown as Loop;
  const seq = beginWait(g, what);
  loop.ref();
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
    // Runs in this greenlet, in the hub: the hub sees whether the loop is still alive at
    // its next idle check.
    loop.unref();
  }
}

/** Waits for `promise` (see the module comment). */
export function waitFor<T>(promise: PromiseLike<T> | T): Op<Awaited<T>> {
  if (
    promise === null ||
    (typeof promise !== 'object' && typeof promise !== 'function') ||
    typeof (promise as any).then !== 'function'
  ) {
    return until(promise);
  }
  const g = currentHubGreenlet('waitFor()');
  if (g._hub.loop.backend !== 'virtual') return until(promise);
  return trackOp(waitBody(promise as PromiseLike<Awaited<T>>, 'waitFor'), 'waitFor');
}
