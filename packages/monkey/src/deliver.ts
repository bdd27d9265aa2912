/**
 * Delivery of patched callbacks: out of the hub, one Node macrotask each.
 *
 * A patched timer, immediate or signal fires as a watcher of the hub's loop, inside the
 * hub. Its callback is not called there: it is queued here and called from a real
 * `setImmediate`, outside every greenlet, one callback per macrotask. So:
 *
 * - Node's order holds: the microtasks a callback queues (promise reactions, `await`
 *   continuations, however deep) all run before the next patched callback, as between two
 *   of Node's own timers.
 * - The callback runs as Node runs it: in main (not in the hub greenlet), and an error it
 *   throws is an uncaught exception (`process.on('uncaughtException')`), not a hub report.
 * - Callbacks are delivered in the order their watchers fired (the loop's order: earliest
 *   deadline first, equal deadlines in start order).
 * - While referenced deliveries are queued the loop is held (`loop.externalWait()`):
 *   `hub.join()` does not resolve and a virtual clock does not move. The hold ends when
 *   the last queued callback returns; the loop acts on that only from a later macrotask,
 *   after the callback's promise continuations (which may start the next timers). When
 *   nothing else keeps the loop alive then, @g/ev's `wake` calls the parked hub, which sees
 *   it idle, so `hub.join()` resolves.
 *
 * - The delivery of an unreferenced immediate is an unreferenced `setImmediate`: as with
 *   Node's, it runs if something else keeps the process alive, and does not keep it alive.
 *   (An unreferenced timeout is delivered like any other: its watcher fired at its time,
 *   so the process was alive then, and Node would run it.)
 *
 * Cost per delivery: one queue slot and one Node `setImmediate`.
 */
import type { Hub } from '@g/hub';
import { loopOf } from './hub-ref.js';
import { NATIVE } from './natives.js';

/** Something a delivery calls: `target.deliver(token)`. */
export interface Deliverable {
  deliver(token: number): void;
  /** False: the delivery does not keep Node alive (an unreferenced immediate). */
  deliverRef?(): boolean;
}

class Deliveries {
  private readonly hub: Hub;
  private targets: Array<Deliverable | null> = [];
  private tokens: number[] = [];
  private head = 0;
  private release: (() => void) | null = null;
  private readonly runOne: () => void;

  constructor(hub: Hub) {
    this.hub = hub;
    this.runOne = () => {
      const i = this.head++;
      const target = this.targets[i]!;
      const token = this.tokens[i]!;
      this.targets[i] = null;
      let last = false;
      if (this.head === this.targets.length) {
        this.head = 0;
        this.targets.length = 0;
        this.tokens.length = 0;
        last = true;
      } else if (this.head >= 1024 && this.head * 2 >= this.targets.length) {
        // Drop the delivered front, so that a queue that never empties stays small.
        this.targets.splice(0, this.head);
        this.tokens.splice(0, this.head);
        this.head = 0;
      }
      try {
        target.deliver(token);
      } finally {
        if (last && this.targets.length === 0) this.endHold();
      }
    };
  }

  /**
   * After the last queued callback returned. The loop decides anything (advancing a
   * virtual clock, waking the hub because it is no longer alive) only from a later
   * macrotask, after this callback's microtasks, which may start the next timers; so the
   * hold can end now.
   */
  private endHold(): void {
    const r = this.release;
    if (r === null) return;
    this.release = null;
    r();
  }

  push(target: Deliverable, token: number): void {
    const ref = target.deliverRef?.() !== false;
    if (ref && this.release === null && !this.hub.isDestroyed) {
      this.release = loopOf(this.hub).externalWait();
    }
    this.targets.push(target);
    this.tokens.push(token);
    const im = NATIVE.setImmediate(this.runOne);
    if (!ref) im.unref();
  }
}

const byHub = new WeakMap<Hub, Deliveries>();

/** Queues `target.deliver(token)` for a Node macrotask (see the module comment). */
export function deliver(hub: Hub, target: Deliverable, token: number): void {
  let d = byHub.get(hub);
  if (d === undefined) {
    d = new Deliveries(hub);
    byHub.set(hub, d);
  }
  d.push(target, token);
}
