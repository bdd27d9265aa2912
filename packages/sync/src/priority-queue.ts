/**
 * PriorityQueue: a JoinableQueue that gives the smallest item first
 * (gevent.queue.PriorityQueue, a binary heap).
 *
 * ```ts
 * const q = new PriorityQueue<[number, string]>();
 * yield* q.put([2, 'later']); yield* q.put([1, 'first']);
 * (yield* q.get())[1];                          // 'first'
 * ```
 *
 * Order: `compare(a, b)` (negative: a first); the default compares numbers, strings and
 * bigints with `<` and arrays element by element, like Python's tuples: `[priority, data]`.
 * Items of equal priority come out in no set order. put and get are O(log n). A waiting
 * getter is handed the item put at once (there is nothing smaller in an empty queue).
 */
import { JoinableQueue } from './joinable-queue.js';
import { nameOps } from './names.js';
import { defaultCompare, Heap } from './store.js';

export class PriorityQueue<T> extends JoinableQueue<T> {
  constructor(
    maxsize?: number | null,
    items?: Iterable<T>,
    compare: (a: T, b: T) => number = defaultCompare,
  ) {
    super(maxsize);
    if (typeof compare !== 'function') {
      throw new TypeError('PriorityQueue(maxsize, items, compare): compare must be a function');
    }
    this._items = new Heap<T>(compare);
    if (items !== undefined && items !== null) for (const x of items) this._items.push(x);
    this._unfinished = this._items.size;
  }
}

nameOps(PriorityQueue, 'put', 'get', 'peek', 'join');
