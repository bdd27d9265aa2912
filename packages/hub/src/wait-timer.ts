/**
 * The per-greenlet timer behind timed waits (sleep, join/get/acquire with a timeout).
 *
 * A greenlet waits on at most one thing at a time, so one timer watcher per greenlet,
 * created at its first timed wait and reused for every later one, serves them all: no
 * watcher is allocated per sleep. `armWaitTimer(g, seconds, seq, value)` starts it for wait
 * `seq`; when it fires it wakes the greenlet with `value` (unless something else woke it
 * first). The wait must call `disarmWaitTimer(g)` when it ends, however it ends, or the
 * timer would keep the loop alive for its full delay.
 */
import type { HubGreenlet } from './hub-greenlet.js';
import { wake } from './waiting.js';

function onWaitTimer(w: any): void {
  const g = w.data as HubGreenlet;
  wake(g, g._timerSeq, g._timerValue);
}

export function armWaitTimer(
  g: HubGreenlet,
  seconds: number,
  seq: number,
  value: unknown,
  ref = true,
  priority = 0,
): void {
  let t = g._timer;
  if (t === null) {
    t = g._timer = g._hub.loop.timer(seconds, 0);
    t.data = g;
  } else {
    t.stop();
    t.set(seconds, 0);
  }
  g._timerSeq = seq;
  g._timerValue = value;
  if (t.priority !== priority) t.priority = priority;
  t.ref = ref;
  t.start(onWaitTimer);
}

export function disarmWaitTimer(g: HubGreenlet): void {
  const t = g._timer;
  if (t !== null) {
    t.stop();
    g._timerValue = undefined;
  }
}
