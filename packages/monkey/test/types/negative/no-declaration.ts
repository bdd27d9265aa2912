// Must NOT typecheck (TS2488): without the promises patch's declaration a promise is not
// iterable. Excluded from the package's typecheck; promises.os.test.ts checks the error.
export function* body(): Generator<unknown, number, any> {
  const n: number = yield* Promise.resolve(1);
  return n;
}
