// Must typecheck: with the promises patch's declaration (`import '@g/monkey/promises'`),
// `yield* promise` inside a generator has the promise's value type. Checked by the
// package's typecheck (tsc -p tsconfig.json) and by promises.os.test.ts.
import '../../src/promises.js';

export function* body(): Generator<unknown, number, any> {
  const n: number = yield* Promise.resolve(1);
  const s: string = yield* Promise.resolve('x');
  // Awaited: a promise of a promise gives the inner value.
  const nested: number = yield* Promise.resolve(Promise.resolve(3));
  const fetched: { ok: boolean } = yield* (async () => ({ ok: true }))();
  // @ts-expect-error the value is a number, not a string
  const wrong: string = yield* Promise.resolve(2);
  return n + s.length + nested + Number(fetched.ok) + wrong.length;
}
