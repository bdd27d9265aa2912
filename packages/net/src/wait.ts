/**
 * The waiting machinery shared by sockets, UDP sockets, servers and HTTP bodies.
 *
 * A `Slot` is one place a greenlet can wait on an object: a socket has a read slot and a
 * write slot (so one greenlet can read while another writes), a server has an accept slot.
 * Node's listeners (which run synchronously inside `emit` and must never switch) call
 * `slot.wake()` or `slot.fail(err)`: that only queues the waiting greenlet on its hub's
 * run queue (the wait protocol of @g/hub); the greenlet re-checks its condition when it runs.
 *
 * `slot.wait(what, timeout)` is the one place a greenlet switches out:
 * 1. it refuses a second waiter (gevent's ConcurrentObjectUseError);
 * 2. it opens a wait, holds the loop (a socket being waited on keeps the hub from reporting
 *    LoopExit: `loop.ref()`, or `externalWait()` on a virtual clock so time stands still),
 *    arms the greenlet's wait timer when there is a timeout;
 * 3. switches to the hub; on return it disarms and unholds whatever the wake-up was.
 * It returns true when woken, false when the timeout expired. A kill or an outer Timeout
 * raises through it; nothing is left registered either way (no listener is added per wait).
 *
 * Cost per wait: a few field writes, one ref/unref of the loop, the switch to the hub and
 * back; no allocation on the Node backend apart from the Op's generator.
 */
import {
  armWaitTimer,
  beginWait,
  currentHubGreenlet,
  disarmWaitTimer,
  toHub,
  wake,
  wakeThrow,
} from '@g/hub';

/** The value a slot wakes its greenlet with (a wait timer wakes with something else). */
const READY = 1;

type HubG = ReturnType<typeof currentHubGreenlet>;

export class ConcurrentObjectUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentObjectUseError';
  }
}

export class Slot {
  /** The greenlet waiting here, or null. */
  g: HubG | null = null;
  seq = 0;

  /** Wakes the waiting greenlet, if any (it re-checks its condition when it runs). */
  wake(): void {
    const g = this.g;
    if (g !== null) wake(g, this.seq, READY);
  }

  /** Raises `err` in the waiting greenlet, if any. */
  fail(err: unknown): void {
    const g = this.g;
    if (g !== null) wakeThrow(g, this.seq, err);
  }

  get busy(): boolean {
    return this.g !== null;
  }

  /**
   * Waits until woken (true) or `timeout` seconds passed (false). `what` names the call
   * for the blocking monitor and for errors.
   */
  *wait(what: string, timeout: number | null, owner: string): Generator<unknown, boolean, any> {
    const g = currentHubGreenlet(what);
    if (this.g !== null) {
      throw new ConcurrentObjectUseError(
        `${what}: ${owner} is already waited on by ${String(this.g)}; two greenlets cannot ` +
          `wait on the same side of one object at once (use a lock or one reader greenlet)`,
      );
    }
    const seq = beginWait(g, what);
    this.g = g;
    this.seq = seq;
    const loop = g._hub.loop as any;
    let release: (() => void) | null = null;
    if (loop.backend === 'virtual') release = loop.externalWait();
    else loop.ref();
    if (timeout !== null) armWaitTimer(g, timeout);
    try {
      const v = yield* toHub(g);
      return v === READY;
    } finally {
      if (timeout !== null) disarmWaitTimer(g);
      if (release !== null) release();
      else loop.unref();
      this.g = null;
    }
  }
}
