/**
 * sleep and idle.
 *
 * ```ts
 * yield* sleep(0.5);   // this greenlet waits half a second; others run
 * yield* sleep();      // 0: let every other runnable greenlet run first
 * ```
 *
 * - `sleep(0)` (or negative) puts the greenlet at the end of the hub's run queue and
 *   switches to the hub: every greenlet that was already runnable runs before it resumes,
 *   in FIFO order (two greenlets doing `A; sleep(0); B` print `1A 2A 1B 2B`). It does not
 *   poll for I/O by itself: the hub polls the loop every 64 run-queue entries.
 * - `sleep(s)` with `s > 0` updates the loop time once and waits on a loop timer (one per
 *   greenlet, reused). `ref: false` lets the loop end while the greenlet sleeps.
 * - NaN or a non-number raises TypeError.
 * - `idle(priority)` waits until the loop has nothing of the same or a higher priority to
 *   do (a libev idle watcher).
 */
import { getcurrent, labelSwitchOp, type Op, trackOp } from '@g/greenlet';
import type { HubGreenlet } from './hub-greenlet.js';
import { checkSeconds } from './seconds.js';
import { armSleepTimer, disarmWaitTimer } from './wait-timer.js';
import { beginWait, current, toHub, W_NONE, wake, yieldWait } from './waiting.js';

/** Waits `seconds` (default 0: yield to the other runnable greenlets). */
export function sleep(seconds = 0, options?: { ref?: boolean }): Op<void> {
  checkSeconds(seconds, 'sleep(seconds)');
  const g = getcurrent() as HubGreenlet;
  if (g._hub !== undefined && (g as unknown) !== g._hub) {
    // The fast path, inside a hub greenlet: open the wait now and return the switch to the
    // hub itself (no generator). A timed wait ended by a kill or a Timeout has its timer
    // stopped by the hub when it delivers the error.
    const seq = beginWait(g, 'sleep');
    if (seconds > 0) {
      g._hub.loop.nowUpdate();
      armSleepTimer(g, seconds, options?.ref ?? true);
    } else {
      yieldWait(g, seq);
    }
    let op: unknown;
    try {
      op = g._hub._switchOp();
    } catch (e) {
      // A previous switch was never run (a forgotten yield*): leave no wait open.
      g._wstate = W_NONE;
      disarmWaitTimer(g);
      throw e;
    }
    // Name the call in a forgotten-yield* report.
    labelSwitchOp(op, 'sleep');
    return op as unknown as Op<void>;
  }
  return trackOp(sleepBody(seconds, options?.ref ?? true), 'sleep');
}

function* sleepBody(seconds: number, ref: boolean): Generator<unknown, void, any> {
  const g = current('sleep()');
  const seq = beginWait(g, 'sleep');
  if (seconds <= 0) {
    yieldWait(g, seq);
    yield* toHub(g);
    return;
  }
  g._hub.loop.nowUpdate();
  armSleepTimer(g, seconds, ref);
  try {
    yield* toHub(g);
  } finally {
    disarmWaitTimer(g);
  }
}

/** Waits until the loop is idle at `priority` (default 0). */
export function idle(priority = 0): Op<void> {
  if (!Number.isInteger(priority) || priority < -2 || priority > 2) {
    throw new RangeError(
      `idle(priority): priority must be an integer from -2 to 2, got ${priority}`,
    );
  }
  return trackOp(idleBody(priority), 'idle');
}

function onIdle(w: any): void {
  w.stop();
  wake(w.data.g, w.data.seq);
}

function* idleBody(priority: number): Generator<unknown, void, any> {
  const g = current('idle()');
  const seq = beginWait(g, 'idle');
  const w = g._hub.loop.idle();
  w.priority = priority;
  w.data = { g, seq };
  w.start(onIdle);
  try {
    yield* toHub(g);
  } finally {
    w.stop();
  }
}
