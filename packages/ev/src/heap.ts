/**
 * The timer heap: a d-ary min-heap of watchers keyed by their expiry time.
 *
 * Rules:
 * - Ordered by `at` only, with libev's rule that an element stops sifting at an equal key,
 *   so equal keys (many timeouts started in one iteration share `now + after`) cost
 *   nothing to insert or remove. Each element also carries an insertion sequence number
 *   (given at every insert or re-key) that the heap does not order by: the loop uses it to
 *   invoke timers that expire together with equal deadlines in the order they were started.
 * - Each watcher stores its heap position in `_active` (0 = not in the heap; positions start
 *   at HEAP0 > 0), so removing or re-keying an arbitrary watcher costs O(log n) and needs
 *   no search.
 * - Keys live next to each other in one Float64Array, `[at, seq]` per position (libev's "at
 *   cache"); with libev's HEAP0 offset the four children of a node are four consecutive
 *   positions starting at a multiple of four, 64 bytes of keys: one cache line when the
 *   buffer is aligned. Insert, remove and re-key are O(log_d n), top is O(1); nothing is
 *   allocated except when the arrays grow (doubling).
 * - The arity is 4, as in libev: measured against 2 in bench/heap-arity.mjs (see
 *   BENCHMARKS.md).
 */

declare const __EV_HEAP_ARITY__: number | undefined;

/** Children per node (4, as libev; a build-time define lets the arity benchmark try 2). */
const D: number = typeof __EV_HEAP_ARITY__ === 'number' ? __EV_HEAP_ARITY__ : 4;
/** Position of the root (libev's HEAP0): aligns each group of children. */
const HEAP0 = D - 1 > 0 ? D - 1 : 1;

/** What the heap needs of an element. */
export interface HeapNode {
  /** Heap position (>= HEAP0); 0 when not in the heap. Maintained by the heap. */
  _active: number;
  /** The key. Read by the heap on insert/adjust; the heap keeps a copy. */
  _at: number;
}

export class TimerHeap<T extends HeapNode> {
  /** Number of elements (at positions HEAP0 .. HEAP0 + n - 1). */
  n = 0;
  /** Elements by position (slots outside the used range are null). */
  nodes: (T | null)[];
  /** Keys by position: `keys[2k]` = at, `keys[2k + 1]` = insertion sequence. */
  keys: Float64Array;
  private seq = 0;

  constructor(capacity = 64) {
    const cap = Math.max(capacity, 1) + HEAP0;
    this.nodes = new Array(cap).fill(null);
    this.keys = new Float64Array(cap * 2);
  }

  /** The earliest element, or null. */
  top(): T | null {
    return this.n === 0 ? null : this.nodes[HEAP0];
  }

  /** The earliest key, or Infinity when empty. */
  topAt(): number {
    return this.n === 0 ? Infinity : this.keys[HEAP0 * 2];
  }

  /** The insertion sequence number of the earliest element. */
  topSeq(): number {
    return this.keys[HEAP0 * 2 + 1];
  }

  /** Adds `w` (not in the heap) with key `w._at`. */
  insert(w: T): void {
    const k = HEAP0 + this.n++;
    if (k === this.nodes.length) this.grow();
    this.siftUp(k, w, w._at, ++this.seq);
  }

  /** Removes `w`, which must be in the heap. */
  remove(w: T): void {
    const k = w._active;
    w._active = 0;
    const last = HEAP0 + --this.n;
    const nodes = this.nodes;
    if (k === last) {
      nodes[last] = null;
      return;
    }
    const moved = nodes[last]!;
    const keys = this.keys;
    const at = keys[last * 2];
    const seq = keys[last * 2 + 1];
    nodes[last] = null;
    this.place(k, moved, at, seq);
  }

  /** Re-keys `w` (in the heap) to `w._at`, with a new sequence number. */
  adjust(w: T): void {
    this.place(w._active, w, w._at, ++this.seq);
  }

  /** Restores heap order after every key was changed in place (keys re-read from `_at`). */
  rebuild(): void {
    const end = HEAP0 + this.n;
    const keys = this.keys;
    for (let k = HEAP0; k < end; k++) keys[k * 2] = this.nodes[k]!._at;
    for (let k = end - 1; k >= HEAP0; k--) {
      this.siftDown(k, this.nodes[k]!, keys[k * 2], keys[k * 2 + 1]);
    }
  }

  /** Moves every key by `delta` (order unchanged): timers after `resume()`. */
  shift(delta: number): void {
    const end = HEAP0 + this.n;
    const keys = this.keys;
    for (let k = HEAP0; k < end; k++) {
      const w = this.nodes[k]!;
      w._at += delta;
      keys[k * 2] = w._at;
    }
  }

  /** Puts (w, at, seq) at hole k, moving it up or down as needed. */
  private place(k: number, w: T, at: number, seq: number): void {
    if (k > HEAP0 && at < this.keys[((((k - HEAP0 - 1) / D) | 0) + HEAP0) * 2]) {
      this.siftUp(k, w, at, seq);
      return;
    }
    this.siftDown(k, w, at, seq);
  }

  private siftUp(k: number, w: T, at: number, seq: number): void {
    const nodes = this.nodes;
    const keys = this.keys;
    while (k > HEAP0) {
      const p = (((k - HEAP0 - 1) / D) | 0) + HEAP0;
      const pat = keys[p * 2];
      if (pat <= at) break;
      const pw = nodes[p]!;
      nodes[k] = pw;
      keys[k * 2] = pat;
      keys[k * 2 + 1] = keys[p * 2 + 1];
      pw._active = k;
      k = p;
    }
    nodes[k] = w;
    keys[k * 2] = at;
    keys[k * 2 + 1] = seq;
    w._active = k;
  }

  private siftDown(k: number, w: T, at: number, seq: number): void {
    const nodes = this.nodes;
    const keys = this.keys;
    const end = HEAP0 + this.n;
    for (;;) {
      const first = D * (k - HEAP0) + HEAP0 + 1;
      if (first >= end) break;
      const stop = Math.min(first + D, end);
      let m = first;
      let mat = keys[first * 2];
      for (let c = first + 1; c < stop; c++) {
        const cat = keys[c * 2];
        if (cat < mat) {
          m = c;
          mat = cat;
        }
      }
      if (at <= mat) break;
      const mw = nodes[m]!;
      nodes[k] = mw;
      keys[k * 2] = mat;
      keys[k * 2 + 1] = keys[m * 2 + 1];
      mw._active = k;
      k = m;
    }
    nodes[k] = w;
    keys[k * 2] = at;
    keys[k * 2 + 1] = seq;
    w._active = k;
  }

  private grow(): void {
    const nodes = this.nodes;
    const cap = nodes.length * 2;
    const keys = new Float64Array(cap * 2);
    keys.set(this.keys);
    this.keys = keys;
    for (let i = nodes.length; i < cap; i++) nodes.push(null);
  }

  /**
   * Checks the heap invariants; returns a description of the first violation, or null.
   * Used by `Loop#verify()` and the tests.
   */
  check(): string | null {
    const { n, nodes, keys } = this;
    const end = HEAP0 + n;
    for (let k = 0; k < HEAP0; k++) {
      if (nodes[k] !== null) return `heap slot ${k} before the root is not empty`;
    }
    for (let k = HEAP0; k < end; k++) {
      const w = nodes[k];
      if (w === null || w === undefined) return `heap slot ${k} of ${n} is empty`;
      if (w._active !== k) return `heap slot ${k} holds a watcher whose index is ${w._active}`;
      if (keys[k * 2] !== w._at) {
        return `heap slot ${k} caches at=${keys[k * 2]} but the watcher has ${w._at}`;
      }
      if (k > HEAP0) {
        const p = (((k - HEAP0 - 1) / D) | 0) + HEAP0;
        const pat = keys[p * 2];
        const at = keys[k * 2];
        if (pat > at) {
          return `heap order violated between slot ${p} (at=${pat}) and slot ${k} (at=${at})`;
        }
      }
    }
    for (let k = end; k < nodes.length; k++) {
      if (nodes[k] !== null) return `heap slot ${k} past the end is not cleared`;
    }
    return null;
  }

  /** The element at position `k` (HEAP0 <= k < HEAP0 + n). */
  at(k: number): T {
    return this.nodes[k]!;
  }

  /** Every element, in position order (a snapshot). */
  toArray(): T[] {
    return this.nodes.slice(HEAP0, HEAP0 + this.n) as T[];
  }
}
