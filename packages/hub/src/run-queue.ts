/**
 * The hub's run queue: what the hub does next, in FIFO order.
 *
 * Watcher callbacks, promise reactions and event listeners cannot switch greenlets: they
 * put an entry here instead, and the hub (a greenlet) performs it when it next runs. An
 * entry is one of:
 *
 * - WAKE:     resume greenlet `g` at its suspension `seq` with `value`;
 * - THROW:    raise `value` in `g` at its suspension `seq`;
 * - RETURN:   end `g` at its suspension `seq` with the generator's `return()`;
 * - START:    switch into `g` for the first time (spawn, start());
 * - CALLBACK: call `value(arg)` in the hub (link notifications, runCallback).
 *
 * The data structure is a ring buffer of 4-slot records in one array that doubles when
 * full: push and shift are O(1) with no allocation (Array#shift is O(n) on large arrays).
 */

export const WAKE = 0;
export const THROW = 1;
export const RETURN = 2;
export const START = 3;
export const CALLBACK = 4;

export class RunQueue {
  private buf: unknown[] = new Array(64 * 4);
  private mask = 64 * 4 - 1;
  private head = 0;
  private tail = 0;
  size = 0;

  push(kind: number, target: unknown, value: unknown, seq: number): void {
    if ((this.size + 1) * 4 > this.buf.length) this.grow();
    const t = this.tail;
    const buf = this.buf;
    buf[t] = kind;
    buf[t + 1] = target;
    buf[t + 2] = value;
    buf[t + 3] = seq;
    this.tail = (t + 4) & this.mask;
    this.size++;
  }

  /** Fields of the entry at the head (valid until shift()). */
  headKind(): number {
    return this.buf[this.head] as number;
  }
  headTarget(): any {
    return this.buf[this.head + 1];
  }
  headValue(): any {
    return this.buf[this.head + 2];
  }
  headSeq(): number {
    return this.buf[this.head + 3] as number;
  }

  /** Drops the head entry (clearing its references). */
  shift(): void {
    const h = this.head;
    const buf = this.buf;
    buf[h + 1] = undefined;
    buf[h + 2] = undefined;
    this.head = (h + 4) & this.mask;
    this.size--;
  }

  /** Calls fn on each queued target (for diagnostics: LoopExit reports, hub.destroy). */
  forEachTarget(fn: (kind: number, target: unknown) => void): void {
    for (let i = 0, p = this.head; i < this.size; i++, p = (p + 4) & this.mask) {
      fn(this.buf[p] as number, this.buf[p + 1]);
    }
  }

  /** Gives back a buffer grown by a burst (called when the queue is empty, at park time). */
  shrink(): void {
    if (this.size === 0 && this.buf.length > 1024 * 4) this.clear();
  }

  clear(): void {
    this.buf = new Array(64 * 4);
    this.mask = 64 * 4 - 1;
    this.head = this.tail = this.size = 0;
  }

  private grow(): void {
    const old = this.buf;
    const n = old.length;
    const next = new Array(n * 2);
    for (let i = 0, p = this.head; i < this.size * 4; i++, p = (p + 1) & this.mask) {
      next[i] = old[p];
    }
    this.buf = next;
    this.mask = n * 2 - 1;
    this.head = 0;
    this.tail = this.size * 4;
  }
}
