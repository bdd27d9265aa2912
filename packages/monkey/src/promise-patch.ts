/**
 * The promises patch (opt-in): `yield*` works on any promise inside a greenlet.
 *
 * ```ts
 * import '@g/monkey/promises';            // applies the patch and its TypeScript types
 * run(function* () {
 *   const res = yield* fetch(url);        // the greenlet waits; the hub runs others
 *   const body: string = yield* res.text();
 * });
 * ```
 *
 * `patchPromises()` defines `Promise.prototype[Symbol.iterator]` (not enumerable): inside
 * a greenlet of a hub, `yield* promise` is `yield* waitFor(promise)` (wait-for.ts; @g/hub's
 * `until` on a Node-backend hub): the greenlet waits for the promise, killable, and gets
 * its value or its rejection thrown. Every promise-returning library can then be called
 * in blocking style. On a virtual-clock hub the wait lets virtual time move (a promise of
 * a patched timer settles); wait on real I/O there with `until(promise)`.
 *
 * Outside a greenlet (plain code, or iterating a promise with `for...of`, spread or
 * `Array.from`) the iterator throws a MonkeyError that says to `await` instead. Risk:
 * promises become iterable, so code that tests `Symbol.iterator in x` before treating x
 * as a promise (some deep-equality helpers do) takes them for iterables and meets that
 * error. Hence opt-in. Undo with `unpatchAll()`.
 */
import { getcurrent } from '@g/greenlet';
import { hubOf } from '@g/hub';
import { MonkeyError } from './errors.js';
import { applyPatch } from './patch-core.js';
import { patchItem } from './registry.js';
import { waitFor } from './wait-for.js';

function promiseIterator(this: PromiseLike<unknown>): Iterator<unknown, unknown, any> {
  const hub = hubOf(getcurrent());
  if (hub === null) {
    throw new MonkeyError(
      '`yield* promise` works inside a greenlet body (the promises patch of @g/monkey); here ' +
        'no greenlet of a hub is running: use `await promise`, or run the code with ' +
        'run(function* () { ... })',
    );
  }
  return waitFor(this)[Symbol.iterator]();
}

/** The modules the promises patch changes. */
export const PROMISE_MODULES = ['Promise.prototype'] as const;

/** Applies the promises patch (see the module comment). False when vetoed. */
export function patchPromises(): boolean {
  return applyPatch('promises', true, null, PROMISE_MODULES, () => {
    patchItem('Promise.prototype', Symbol.iterator, promiseIterator);
  });
}
