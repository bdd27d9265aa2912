/**
 * The per-greenlet timer behind timed waits (sleep, join/get/acquire with a timeout).
 *
 * A greenlet waits on at most one thing at a time, so one timer watcher per greenlet,
 * created at its first timed wait and reused for every later one, serves them all: no
 * watcher is allocated per sleep. `armWaitTimer(g, seconds)` starts it for the current wait;
 * when it fires it wakes the greenlet with TIMED_OUT (unless something else woke it first).
 * The wait must call `disarmWaitTimer(g)` when it ends, however it ends, or the timer would
 * keep the loop alive for its full delay.
 *
 * `armWaitTimer` updates the loop time first (so the timeout counts from now, not from the
 * time cached at the last loop iteration); sleep() updates it itself.
 *
 * `seconds` 0 or negative: the timer is due at once (it fires at the next loop poll, after
 * what is already runnable). `Infinity`: no timer is armed (no time limit). NaN is refused by
 * the callers (checkSeconds).
 */
import type { HubGreenlet } from './hub-greenlet.js';
import { wake } from './waiting.js';

/** What a wait timer wakes its greenlet with. */
export const TIMED_OUT: unique symbol = Symbol('timed out') as any;

// A wait timer is always stopped when its wait ends (stop also clears a pending event), so
// when it fires the greenlet is still in the wait it was armed for: its current one.
function onWaitTimer(w: any): void {
  const g = w.data as HubGreenlet;
  wake(g, g._seq, TIMED_OUT);
}

function onSleepTimer(w: any): void {
  const g = w.data as HubGreenlet;
  wake(g, g._seq, undefined);
}

export function armWaitTimer(g: HubGreenlet, seconds: number, ref = true, priority = 0): void {
  // Measured from the present, not from the loop time cached at the last iteration.
  g._hub.loop.nowUpdate();
  arm(g, seconds, ref, priority, onWaitTimer);
}

/** @internal sleep's timer: wakes with undefined (the value a sleeping body returns). */
export function armSleepTimer(g: HubGreenlet, seconds: number, ref: boolean): void {
  arm(g, seconds, ref, 0, onSleepTimer);
}

function arm(
  g: HubGreenlet,
  seconds: number,
  ref: boolean,
  priority: number,
  cb: (w: any) => void,
): void {
  let t = g._timer;
  if (seconds === Infinity) {
    // No deadline: nothing to arm (a wait without a time limit).
    if (t !== null) t.stop();
    return;
  }
  if (t === null) {
    t = g._timer = g._hub.loop.timer(seconds, 0);
    t.data = g;
  } else {
    t.stop();
    t.set(seconds, 0);
  }
  if (t.priority !== priority) t.priority = priority;
  t.ref = ref;
  t.start(cb);
}

export function disarmWaitTimer(g: HubGreenlet): void {
  const t = g._timer;
  if (t !== null) t.stop();
}
