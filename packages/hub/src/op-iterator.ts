/**
 * OpIterator: a blocking sequence (iwait, Pool#imap, queue iteration, readline...).
 *
 * ```ts
 * const it = iwait(greenlets);
 * for (let r; !(r = yield* it.next()).done; ) use(r.value);   // inside a greenlet
 * for await (const g of iwait(greenlets)) use(g);             // in async code
 * ```
 *
 * `next()` is an Op of an IteratorResult; `close()` unlinks whatever the iterator waits
 * on (a plain call). Outside greenlets it is also an AsyncIterable: each step runs its
 * Op with the hub's `run`, and leaving a `for await` early closes it.
 */
import type { Op } from '@g/greenlet';

export interface OpIterator<T> extends AsyncIterable<T> {
  next(): Op<IteratorResult<T, undefined>>;
  close(): void;
}

/** Makes the AsyncIterator of an OpIterator, running each step with `runOp`. */
export function asyncIteratorOf<T>(
  it: OpIterator<T>,
  runOp: <R>(op: Op<R>) => Promise<R>,
): AsyncIterator<T> {
  return {
    next: () => runOp(it.next()) as Promise<IteratorResult<T>>,
    return: async (value?: unknown) => {
      it.close();
      return { done: true, value: value as T };
    },
  };
}
