/**
 * The timer heap: a d-ary min-heap of watchers keyed by their expiry time.
 *
 * Rules:
 * - Ordered by `at`; equal `at` values are ordered by insertion (an increasing sequence
 *   number given at every insert or re-key), so timers that expire at the same time are
 *   invoked in the order they were started, deterministically.
 * - Each watcher stores its 1-based heap position in `_active` (0 = not in the heap), so
 *   removing or re-keying an arbitrary watcher costs O(log n) and needs no search.
 * - The keys live in typed arrays next to the node array (libev's "at cache"), so sifting
 *   compares numbers in contiguous memory. Insert, remove and re-key are O(log_d n), top is
 *   O(1); nothing is allocated except when the arrays grow (doubling).
 * - The arity is 4, as in libev: measured against 2 in bench/heap-arity.mjs (see
 *   BENCHMARKS.md).
 */

declare const __EV_HEAP_ARITY__: number | undefined;

/** Children per node (4, as libev; a build-time define lets the arity benchmark try 2). */
const D: number = typeof __EV_HEAP_ARITY__ === 'number' ? __EV_HEAP_ARITY__ : 4;

/** What the heap needs of an element. */
export interface HeapNode {
  /** 1-based position in the heap; 0 when not in it. Maintained by the heap. */
  _active: number;
  /** The key. Read by the heap on insert/adjust; the heap keeps a copy. */
  _at: number;
}

export class TimerHeap<T extends HeapNode> {
  /** Number of elements. */
  n = 0;
  /** Elements, positions 0..n-1 (slots past n are cleared). */
  nodes: (T | null)[];
  /** Keys, parallel to `nodes`. */
  ats: Float64Array;
  /** Tie-breakers (insertion sequence), parallel to `nodes`. */
  seqs: Float64Array;
  private seq = 0;

  constructor(capacity = 64) {
    this.nodes = new Array(capacity).fill(null);
    this.ats = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
  }

  /** The earliest element, or null. */
  top(): T | null {
    return this.n === 0 ? null : this.nodes[0];
  }

  /** The earliest key, or Infinity when empty. */
  topAt(): number {
    return this.n === 0 ? Infinity : this.ats[0];
  }

  /** Adds `w` (not in the heap) with key `w._at`. */
  insert(w: T): void {
    const i = this.n++;
    if (i === this.ats.length) this.grow();
    this.siftUp(i, w, w._at, ++this.seq);
  }

  /** Removes `w`, which must be in the heap. */
  remove(w: T): void {
    const i = w._active - 1;
    w._active = 0;
    const last = --this.n;
    const nodes = this.nodes;
    if (i === last) {
      nodes[last] = null;
      return;
    }
    const moved = nodes[last]!;
    const at = this.ats[last];
    const seq = this.seqs[last];
    nodes[last] = null;
    this.place(i, moved, at, seq);
  }

  /** Re-keys `w` (in the heap) to `w._at`; it goes after elements with an equal key. */
  adjust(w: T): void {
    this.place(w._active - 1, w, w._at, ++this.seq);
  }

  /** Restores heap order after every key was changed in place (keys re-read from `_at`). */
  rebuild(): void {
    const n = this.n;
    for (let i = 0; i < n; i++) this.ats[i] = this.nodes[i]!._at;
    for (let i = ((n - 2) / D) | 0; i >= 0; i--) {
      this.siftDown(i, this.nodes[i]!, this.ats[i], this.seqs[i]);
    }
  }

  /** Puts (w, at, seq) at hole i, moving it up or down as needed. */
  private place(i: number, w: T, at: number, seq: number): void {
    if (i > 0) {
      const p = ((i - 1) / D) | 0;
      const pat = this.ats[p];
      if (at < pat || (at === pat && seq < this.seqs[p])) {
        this.siftUp(i, w, at, seq);
        return;
      }
    }
    this.siftDown(i, w, at, seq);
  }

  private siftUp(i: number, w: T, at: number, seq: number): void {
    const nodes = this.nodes;
    const ats = this.ats;
    const seqs = this.seqs;
    while (i > 0) {
      const p = ((i - 1) / D) | 0;
      const pat = ats[p];
      if (pat < at || (pat === at && seqs[p] < seq)) break;
      const pw = nodes[p]!;
      nodes[i] = pw;
      ats[i] = pat;
      seqs[i] = seqs[p];
      pw._active = i + 1;
      i = p;
    }
    nodes[i] = w;
    ats[i] = at;
    seqs[i] = seq;
    w._active = i + 1;
  }

  private siftDown(i: number, w: T, at: number, seq: number): void {
    const nodes = this.nodes;
    const ats = this.ats;
    const seqs = this.seqs;
    const n = this.n;
    for (;;) {
      const first = i * D + 1;
      if (first >= n) break;
      const end = Math.min(first + D, n);
      let m = first;
      let mat = ats[first];
      let mseq = seqs[first];
      for (let c = first + 1; c < end; c++) {
        const cat = ats[c];
        if (cat < mat || (cat === mat && seqs[c] < mseq)) {
          m = c;
          mat = cat;
          mseq = seqs[c];
        }
      }
      if (at < mat || (at === mat && seq < mseq)) break;
      const mw = nodes[m]!;
      nodes[i] = mw;
      ats[i] = mat;
      seqs[i] = mseq;
      mw._active = i + 1;
      i = m;
    }
    nodes[i] = w;
    ats[i] = at;
    seqs[i] = seq;
    w._active = i + 1;
  }

  private grow(): void {
    const cap = this.ats.length * 2;
    const ats = new Float64Array(cap);
    ats.set(this.ats);
    this.ats = ats;
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.seqs = seqs;
    const nodes = this.nodes;
    for (let i = nodes.length; i < cap; i++) nodes.push(null);
  }

  /**
   * Checks the heap invariants; returns a description of the first violation, or null.
   * Used by `Loop#verify()` and the tests.
   */
  check(): string | null {
    const { n, nodes, ats, seqs } = this;
    for (let i = 0; i < n; i++) {
      const w = nodes[i];
      if (w === null || w === undefined) return `heap slot ${i} of ${n} is empty`;
      if (w._active !== i + 1)
        return `heap slot ${i} holds a watcher whose index is ${w._active - 1}`;
      if (ats[i] !== w._at)
        return `heap slot ${i} caches at=${ats[i]} but the watcher has ${w._at}`;
      if (i > 0) {
        const p = ((i - 1) / D) | 0;
        if (ats[p] > ats[i] || (ats[p] === ats[i] && seqs[p] > seqs[i])) {
          return `heap order violated between slot ${p} (at=${ats[p]}) and slot ${i} (at=${ats[i]})`;
        }
      }
    }
    for (let i = n; i < nodes.length; i++) {
      if (nodes[i] !== null) return `heap slot ${i} past the end (${n}) is not cleared`;
    }
    return null;
  }
}
