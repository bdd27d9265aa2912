/**
 * JoinableQueue: a Queue that counts unfinished tasks (gevent.queue.JoinableQueue).
 *
 * ```ts
 * const jobs = new JoinableQueue<Job>();
 * for (let i = 0; i < 4; i++) spawn(function* () {
 *   for (;;) { const job = yield* jobs.get(); try { yield* run(job); } finally { jobs.taskDone(); } }
 * });
 * for (const j of list) yield* jobs.put(j);
 * yield* jobs.join();                           // every job got and done
 * ```
 *
 * - Every item that enters the queue (put, or handed to a getter) adds one to
 *   `unfinishedTasks`; `taskDone()` takes one off. `taskDone()` with nothing unfinished
 *   throws a RangeError and changes nothing.
 * - `join(timeout?)` waits until `unfinishedTasks` is 0 and returns true (at once if it
 *   is); false after `timeout` seconds.
 * - Items given to the constructor count as unfinished unless `unfinishedTasks` is given.
 * - `shutdown(true)` drops the remaining items and marks each as done.
 */
import { trackOp } from '@g/greenlet';
import { beginWait, currentHubGreenlet, type Op, toHub } from '@g/hub';
import { nameOps } from './names.js';
import { Queue } from './queue.js';
import { arm, checkTimeout, disarm } from './timeouts.js';
import { WaitList } from './wait-list.js';

export class JoinableQueue<T> extends Queue<T> {
  /** @internal */
  _unfinished = 0;
  private readonly joiners = new WaitList();

  constructor(maxsize?: number | null, items?: Iterable<T>, unfinishedTasks?: number) {
    super(maxsize, items);
    if (unfinishedTasks !== undefined) {
      if (!Number.isInteger(unfinishedTasks) || unfinishedTasks < 0) {
        throw new RangeError(
          `${new.target.name}(maxsize, items, unfinishedTasks): unfinishedTasks must be an integer >= 0, got ${unfinishedTasks}`,
        );
      }
      this._unfinished = unfinishedTasks;
    } else {
      this._unfinished = this._items.size;
    }
  }

  /** Items put and not yet marked done. */
  get unfinishedTasks(): number {
    return this._unfinished;
  }

  /** Marks one task done; at 0 wakes the joiners. Never waits. */
  taskDone(): void {
    if (this._unfinished <= 0) {
      throw new RangeError(
        `${this.constructor.name}.taskDone() called too many times (more than items were put)`,
      );
    }
    if (--this._unfinished === 0 && this.joiners.length > 0) this.joiners.wakeAll();
  }

  /** Waits until every task is done; resolves true, or false after `timeout` seconds. */
  join(timeout?: number | null): Op<boolean> {
    const t = checkTimeout(timeout, 'join(timeout)');
    return trackOp(this.joinBody(t), this._n.join!);
  }

  /** @internal */
  override _count(): void {
    this._unfinished++;
  }

  /** @internal */
  override _dropAll(): void {
    while (this._items.size > 0) {
      this._items.take();
      this.taskDone();
    }
  }

  private *joinBody(timeout: number | null): Generator<unknown, boolean, any> {
    if (this._unfinished === 0) return true;
    const g = currentHubGreenlet(this._n['join()']!);
    const seq = beginWait(g, 'JoinableQueue.join');
    const w = this.joiners.add(g, seq, undefined);
    if (timeout !== null) arm(g, timeout);
    try {
      return (yield* toHub(g)) === w;
    } finally {
      if (timeout !== null) disarm(g, null);
      this.joiners.done(w);
    }
  }
}

nameOps(JoinableQueue, 'put', 'get', 'peek', 'join');
