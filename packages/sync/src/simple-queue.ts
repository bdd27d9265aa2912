/**
 * SimpleQueue: an unbounded FIFO queue (gevent.queue.SimpleQueue, Python's
 * queue.SimpleQueue): `put` never waits; `get` waits for an item. No task tracking.
 * Everything else is Queue's (hand-off to waiting getters in FIFO order, Empty, timeouts,
 * iteration, shutdown). Its maxsize cannot be set.
 */
import { nameOps } from './names.js';
import { Queue } from './queue.js';

export class SimpleQueue<T> extends Queue<T> {
  constructor(items?: Iterable<T>) {
    super(null, items);
  }

  override get maxsize(): number | null {
    return null;
  }

  override set maxsize(_n: number | null) {
    throw new TypeError('SimpleQueue has no maxsize (it is unbounded); use Queue(maxsize)');
  }
}

nameOps(SimpleQueue, 'put', 'get', 'peek');
