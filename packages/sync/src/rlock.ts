/**
 * RLock: a re-entrant lock with an owner (gevent.lock.RLock).
 *
 * ```ts
 * const lock = new RLock();
 * function* outer() { using _h = yield* lock.hold(); yield* inner(); }
 * function* inner() { using _h = yield* lock.hold(); ... }   // same owner: no deadlock
 * ```
 *
 * ## Rules
 *
 * - The greenlet that acquires it owns it. The owner may acquire it again without waiting:
 *   each acquire adds one to the count and each release takes one off; at 0 the lock is
 *   free and passes to the next waiter (FIFO, direct hand-off, as Semaphore).
 * - `release()` by a greenlet that does not own it throws an Error ("cannot release
 *   un-acquired lock") and changes nothing.
 * - `acquire({ blocking, timeout })` resolves whether the lock was taken; kills and
 *   Timeouts follow Semaphore's rules. Code outside greenlets (main) can own it too.
 * - `locked()` is true while someone owns it (or it is being handed to a waiter);
 *   `isOwned()` is true when the running greenlet owns it; `count` is the re-entrancy count.
 */
import { type Greenlet as CoreGreenlet, getcurrent, trackOp } from '@g/greenlet';
import { type Op, Timeout, type Waitable } from '@g/hub';
import {
  type AcquireOptions,
  acquireBody,
  type HoldOptions,
  releaser,
  Semaphore,
} from './semaphore.js';
import { checkTimeout } from './timeouts.js';

export class RLock implements Waitable {
  private readonly block = new Semaphore(1);
  private owner: CoreGreenlet | null = null;
  private depth = 0;

  /** Re-entrancy count of the owner (0 when free). */
  get count(): number {
    return this.depth;
  }

  /** True while the lock is held (or being handed to the next owner). */
  locked(): boolean {
    return this.block.locked();
  }

  /** True when the lock is free. */
  ready(): boolean {
    return this.block.ready();
  }

  /** True when the running greenlet owns the lock. */
  isOwned(): boolean {
    return this.owner !== null && this.owner === getcurrent();
  }

  acquire(options?: AcquireOptions): Op<boolean> {
    const blocking = options?.blocking ?? true;
    const timeout = blocking ? checkTimeout(options?.timeout, 'acquire({ timeout })') : null;
    return trackOp(this.acquireBody(blocking, timeout), 'RLock.acquire');
  }

  /** Takes one level off; at 0 the lock passes on. Throws if the caller does not own it. */
  release(): void {
    if (this.owner === null || this.owner !== getcurrent()) {
      throw new Error(
        'RLock.release(): cannot release un-acquired lock (only the greenlet that acquired ' +
          'it can release it)',
      );
    }
    if (--this.depth === 0) {
      this.owner = null;
      this.block.release();
    }
  }

  /** Acquires (re-entrantly) and returns a Disposable that releases once. */
  hold(options?: HoldOptions): Op<Disposable> {
    const timeout = checkTimeout(options?.timeout, 'hold({ timeout })');
    return trackOp(this.holdBody(timeout), 'RLock.hold');
  }

  /** Waits until the lock is free (without taking it); resolves the free count (0 or 1). */
  wait(timeout?: number | null): Op<number> {
    return this.block.wait(timeout);
  }

  /** Calls `cb(this)` from the hub once the lock is free (once). */
  rawlink(cb: (lock: this) => void): void {
    if (typeof cb !== 'function') {
      throw new TypeError(`RLock.rawlink(callback): expected a function, got ${String(cb)}`);
    }
    const wrapper = () => {
      this.wrappers?.delete(cb);
      cb(this);
    };
    (this.wrappers ??= new Map()).set(cb, wrapper);
    this.block.rawlink(wrapper);
  }

  /** Removes a rawlink callback not yet called. */
  unlink(cb: unknown): void {
    const wrapper = this.wrappers?.get(cb);
    if (wrapper === undefined) return;
    this.wrappers!.delete(cb);
    this.block.unlink(wrapper);
  }

  /** Waiting greenlets plus rawlink callbacks. */
  linkcount(): number {
    return this.block.linkcount();
  }

  toString(): string {
    return `<RLock owner=${this.owner === null ? 'none' : String(this.owner)} count=${this.depth}>`;
  }

  private wrappers: Map<unknown, () => void> | null = null;

  private *acquireBody(
    blocking: boolean,
    timeout: number | null,
  ): Generator<unknown, boolean, any> {
    const me = getcurrent();
    if (this.owner === me) {
      this.depth++;
      return true;
    }
    const ok = yield* acquireBody(
      this.block,
      blocking,
      timeout,
      'RLock.acquire',
      'RLock.acquire()',
    );
    if (ok) {
      this.owner = me;
      this.depth = 1;
    }
    return ok;
  }

  private *holdBody(timeout: number | null): Generator<unknown, Disposable, any> {
    if (!(yield* this.acquireBody(true, timeout))) throw new Timeout(timeout);
    return releaser(this);
  }
}
