/**
 * DummySemaphore: a Semaphore that never blocks (gevent.lock.DummySemaphore), for code that
 * takes an optional limit: `new Pool(null)` uses one.
 *
 * `acquire()` always resolves true at once, `release()` does nothing, `wait()` resolves 1,
 * `locked()` is false, `ready()` true, `counter` is Infinity. `rawlink`/`unlink` do nothing
 * (it is always ready, so `wait([dummy])` returns it at once without linking). `hold()`
 * returns a Disposable whose dispose does nothing.
 */
import { trackOp } from '@g/greenlet';
import type { Op, Waitable } from '@g/hub';
import type { AcquireOptions, HoldOptions } from './semaphore.js';
import { checkTimeout } from './timeouts.js';

export class DummySemaphore implements Waitable {
  /** Accepted for signature compatibility with Semaphore; ignored. */
  // biome-ignore lint/complexity/noUselessConstructor: declares the ignored argument
  constructor(_value?: number | null) {}

  get counter(): number {
    return Infinity;
  }

  locked(): boolean {
    return false;
  }

  ready(): boolean {
    return true;
  }

  acquire(options?: AcquireOptions): Op<boolean> {
    checkTimeout(options?.timeout, 'acquire({ timeout })');
    return trackOp(valueOp(true), 'DummySemaphore.acquire');
  }

  release(): void {}

  wait(timeout?: number | null): Op<number> {
    checkTimeout(timeout, 'wait(timeout)');
    return trackOp(valueOp(1), 'DummySemaphore.wait');
  }

  hold(options?: HoldOptions): Op<Disposable> {
    checkTimeout(options?.timeout, 'hold({ timeout })');
    return trackOp(valueOp(NOTHING), 'DummySemaphore.hold');
  }

  rawlink(cb: (sem: this) => void): void {
    if (typeof cb !== 'function') {
      throw new TypeError(
        `DummySemaphore.rawlink(callback): expected a function, got ${String(cb)}`,
      );
    }
  }

  unlink(_cb: unknown): void {}

  linkcount(): number {
    return 0;
  }

  toString(): string {
    return '<DummySemaphore>';
  }
}

const NOTHING: Disposable = { [Symbol.dispose]() {} };

// biome-ignore lint/correctness/useYield: an Op that returns at once
function* valueOp<T>(v: T): Generator<unknown, T, any> {
  return v;
}
