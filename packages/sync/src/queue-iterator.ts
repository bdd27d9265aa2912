/**
 * Iterating a queue or channel: `q.iter(stop?)`.
 *
 * ```ts
 * const it = q.iter();                                   // inside a greenlet
 * for (let r; !(r = yield* it.next()).done; ) use(r.value);
 * for await (const x of q) use(x);                       // from async code
 * ```
 *
 * `next()` gets the next item, waiting as needed. The iteration ends (done) when the item
 * got is the stop value (default `StopIteration`, gevent's convention), when the queue is
 * shut down and empty, or after `close()`. `close()` during a waiting `next()` (from
 * another greenlet or a callback) ends that wait: it returns done, and no item is taken.
 * An item already handed to it before the close is returned first (nothing is lost).
 */
import { getcurrent, type Op, trackOp } from '@g/greenlet';
import { asyncIteratorOf, defaultHub, hubOf, type OpIterator, wake } from '@g/hub';
import { ShutDown } from './errors.js';
import { CLOSED, getBody, type Source } from './get.js';
import type { Waiter } from './wait-list.js';

/** The default stop value of queue iteration (put it to end a `for` over the queue). */
export const StopIteration: unique symbol = Symbol.for('@g/sync/StopIteration') as any;

const DONE: IteratorResult<any, undefined> = Object.freeze({ done: true, value: undefined });

export class QueueIterator<T> implements OpIterator<T> {
  /** @internal the waiter of a next() that waits. */
  waiting: Waiter | null = null;
  private closed = false;

  constructor(
    private readonly source: Source<unknown>,
    private readonly stop: unknown,
  ) {}

  next(): Op<IteratorResult<T, undefined>> {
    return trackOp(this.nextBody(), 'Queue.iter().next');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const w = this.waiting;
    if (w?.linked) {
      this.source._getters.remove(w);
      wake(w.g, w.seq, CLOSED);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    const hub = hubOf(getcurrent()) ?? defaultHub();
    return asyncIteratorOf(this, (op) => hub.run(op) as Promise<any>);
  }

  private *nextBody(): Generator<unknown, IteratorResult<T, undefined>, any> {
    if (this.closed) return DONE;
    let v: unknown;
    try {
      v = yield* getBody(this.source, true, null, this);
    } catch (e) {
      if (e instanceof ShutDown) {
        this.closed = true;
        return DONE;
      }
      throw e;
    }
    if (v === CLOSED || v === this.stop) {
      this.closed = true;
      return DONE;
    }
    return { done: false, value: v as T };
  }
}
