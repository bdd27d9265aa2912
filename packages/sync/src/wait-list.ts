/**
 * WaitList: the FIFO of greenlets blocked on one primitive (a lock's acquirers, a queue's
 * getters or putters, an event's waiters), built on @g/hub's wait protocol.
 *
 * A blocking Op adds a `Waiter` (its greenlet and wait sequence number) and switches to the
 * hub. Whoever can let it proceed calls `wakeFirst()`: the first waiter whose wait is still
 * open is removed and woken with the Waiter itself as the wake value, which tells the Op
 * "you were served" (anything else it resumes with is its timer). The server then fills
 * `waiter.value` (the item, for a getter) before anything else can run. Waiters whose wait
 * ended meanwhile (killed, timed out) are dropped on the way: `wake()` refuses them, so
 * nothing is handed to a greenlet that will not take it.
 *
 * Every Op removes its Waiter in a `finally` (a no-op if it was served), so a greenlet that
 * leaves a wait by a kill or a Timeout leaves no waiter behind.
 *
 * Costs: O(1) add, remove and wakeFirst (a doubly linked list); one small object per wait
 * that blocks; nothing for Ops that do not block.
 */
import { type HubGreenlet, isWaiting, wake } from '@g/hub';

export class Waiter<V = any> {
  /** What a server handed over (an item), or what a putter offers. */
  value: V;
  /** The waiting greenlet. */
  g: HubGreenlet;
  /** Its wait's sequence number. */
  seq: number;
  /** @internal */
  prev: Waiter | null = null;
  /** @internal */
  next: Waiter | null = null;
  /** @internal true while in a list. */
  linked = false;

  constructor(g: HubGreenlet, seq: number, value: V) {
    this.g = g;
    this.seq = seq;
    this.value = value;
  }
}

// Waiters are recycled: a wait that blocked returns its Waiter with `done(w)` when it ends
// (after removing it from its list), and the next wait reuses it. Nothing else keeps a
// Waiter after its wait ended (a late wake-up for that wait is refused by the hub).
const free: Waiter[] = [];
const FREE_MAX = 256;

export class WaitList {
  private head: Waiter | null = null;
  private tail: Waiter | null = null;
  /** Number of waiters in the list (some may have just left their wait: see wakeFirst). */
  length = 0;

  /** Appends a waiter for greenlet `g` at its wait `seq`. */
  add<V>(g: HubGreenlet, seq: number, value: V): Waiter<V> {
    let w = free.pop() as Waiter<V> | undefined;
    if (w === undefined) w = new Waiter<V>(g, seq, value);
    else {
      w.g = g;
      w.seq = seq;
      w.value = value;
    }
    w.linked = true;
    const t = this.tail;
    if (t === null) this.head = w;
    else {
      t.next = w;
      w.prev = t;
    }
    this.tail = w;
    this.length++;
    return w;
  }

  /** Removes `w` if it is still in the list. */
  remove(w: Waiter): void {
    if (!w.linked) return;
    w.linked = false;
    const p = w.prev;
    const n = w.next;
    if (p === null) this.head = n;
    else p.next = n;
    if (n === null) this.tail = p;
    else n.prev = p;
    w.prev = w.next = null;
    this.length--;
  }

  /**
   * The wait of `w` ended: removes it if it is still in the list and recycles it. Call it
   * once, in the Op's `finally`, after the last use of `w`.
   */
  done(w: Waiter): void {
    if (w.linked) this.remove(w);
    w.value = undefined;
    w.g = undefined as unknown as HubGreenlet;
    if (free.length < FREE_MAX) free.push(w);
  }

  /**
   * Removes and wakes the first waiter whose wait is still open; returns it (the caller
   * fills its `value` at once), or null if there is none. Waiters found stale are dropped.
   */
  wakeFirst(): Waiter | null {
    for (let w = this.head; w !== null; w = this.head) {
      this.remove(w);
      if (wake(w.g, w.seq, w)) return w;
    }
    return null;
  }

  /** True when some waiter's wait is still open (stale waiters at the head are dropped). */
  hasLive(): boolean {
    for (let w = this.head; w !== null; w = this.head) {
      if (isWaiting(w.g, w.seq)) return true;
      this.remove(w);
    }
    return false;
  }

  /**
   * Removes and wakes every waiter, in order, each with `value` in its `value` field.
   * Returns how many accepted.
   */
  wakeAll(value?: unknown): number {
    let n = 0;
    for (let w = this.head; w !== null; w = this.head) {
      this.remove(w);
      if (wake(w.g, w.seq, w)) {
        w.value = value;
        n++;
      }
    }
    return n;
  }

  /** Calls `fn` on each waiter, in order (for shutdown and diagnostics). */
  drain(fn: (w: Waiter) => void): void {
    for (let w = this.head; w !== null; w = this.head) {
      this.remove(w);
      fn(w);
    }
  }
}
