/**
 * `import '@g/monkey/promises'`: applies the promises patch (promise-patch.ts) and brings
 * its TypeScript declaration: inside a generator, `yield* promise` has the promise's
 * value type.
 *
 * ```ts
 * import '@g/monkey/promises';
 * function* body() {
 *   const n: number = yield* Promise.resolve(1);
 * }
 * ```
 *
 * The declaration alone (for a patch applied with `patchAll({ promises: true })` or
 * `G_MONKEY=...,promises`): `import type {} from '@g/monkey/promises'`, or
 * `"types": ["@g/monkey/promises"]` in tsconfig.json.
 */
import { patchPromises } from './promise-patch.js';

declare global {
  interface Promise<T> {
    /**
     * Inside a greenlet of a hub (with @g/monkey's promises patch): `yield* promise` waits
     * for the promise and gives its value, or throws its rejection.
     */
    [Symbol.iterator](): Iterator<unknown, Awaited<T>, any>;
  }
}

patchPromises();

export { patchPromises };
