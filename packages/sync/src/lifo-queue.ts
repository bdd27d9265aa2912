/**
 * LifoQueue: a JoinableQueue that gives the most recently put item first
 * (gevent.queue.LifoQueue). Everything else is Queue's; a waiting getter is handed the
 * item put at once.
 */
import { JoinableQueue } from './joinable-queue.js';
import { nameOps } from './names.js';
import { Lifo } from './store.js';

export class LifoQueue<T> extends JoinableQueue<T> {
  constructor(maxsize?: number | null, items?: Iterable<T>) {
    super(maxsize);
    this._items = new Lifo<T>();
    if (items !== undefined && items !== null) for (const x of items) this._items.push(x);
    this._unfinished = this._items.size;
  }
}

nameOps(LifoQueue, 'put', 'get', 'peek', 'join');
