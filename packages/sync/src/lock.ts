/**
 * Lock: a mutual-exclusion lock (a BoundedSemaphore of one permit), like `threading.Lock`
 * under gevent's monkey patching.
 *
 * ```ts
 * const lock = new Lock();
 * using _held = yield* lock.hold();          // released when the block is left
 * // without `using`:
 * yield* lock.acquire();
 * try { ... } finally { lock.release(); }
 * ```
 *
 * Everything is Semaphore's (FIFO, direct hand-off, `acquire({ blocking, timeout })`,
 * `wait`, `rawlink`); the lock has no owner: any greenlet may release it (use RLock for an
 * owned, re-entrant lock). `release()` of an unlocked lock throws a RangeError.
 */
import { BoundedSemaphore } from './semaphore.js';

export class Lock extends BoundedSemaphore {
  constructor() {
    super(1);
  }

  override release(): void {
    if (this._counter >= 1) {
      throw new RangeError(
        'Lock.release(): the lock is not locked (release only what you acquired)',
      );
    }
    super.release();
  }
}
