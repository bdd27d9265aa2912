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

  /** Removes the earliest element (the heap must not be empty) and returns it. */
  pop(): T {
    const nodes = this.nodes;
    const w = nodes[HEAP0]!;
    w._active = 0;
    const last = HEAP0 + --this.n;
    if (last === HEAP0) {
      nodes[HEAP0] = null;
      return w;
    }
    const moved = nodes[last]!;
    const keys = this.keys;
    const at = keys[last * 2];
    const seq = keys[last * 2 + 1];
    nodes[last] = null;
    this.siftDown(HEAP0, moved, at, seq);
    return w;
  }

  /**
   * Removes every element due at `now` (`at < now`, or `at <= now` when `inclusive`) and
   * writes them to `out` with their keys to `outKeys` (`[at, seq]` per element), ordered by
   * `at` (equal keys in no particular order). Returns how many. The caller sets `_active` of
   * the removed elements to 0 (the batch path leaves it, to touch no element twice).
   *
   * Few due elements are popped one by one (O(k log n)). When they are many (k log n > n),
   * the due set (a connected top of the heap) is collected, the heap rebuilt from the rest
   * (O(n)), and the due set radix-sorted (O(k)): firing a million timers at once then costs
   * a few passes over typed arrays instead of a million memory-bound sifts.
   */
  takeDue(now: number, inclusive: boolean, out: T[], outKeys: { keys: Float64Array }): number {
    const n = this.n;
    if (n === 0) return 0;
    const keys = this.keys;
    const top = keys[HEAP0 * 2];
    if (inclusive ? top > now : top >= now) return 0;
    // Count the due elements (the due set is a connected top of the heap), up to the point
    // where popping one by one stops being cheaper.
    const logn = Math.log2(n + 1) / Math.log2(D);
    const limit = Math.max(64, Math.ceil(n / (logn + 1)));
    const k = this.countDue(now, inclusive, limit);
    if (out.length < n && n > 64) out.length = n; // one allocation, not a growth per element
    let ok = outKeys.keys;
    if (ok.length < (k < limit ? k : n) * 2) {
      ok = outKeys.keys = new Float64Array(Math.max(ok.length * 2, (k < limit ? k : n) * 2));
    }
    if (k < limit) {
      for (let i = 0; i < k; i++) {
        ok[i * 2] = keys[HEAP0 * 2];
        ok[i * 2 + 1] = keys[HEAP0 * 2 + 1];
        out[i] = this.pop();
      }
      return k;
    }
    return this.takeDueBatch(now, inclusive, out, ok);
  }

  /** Number of due elements, counting stops at `limit` (depth-first over the due top). */
  private countDue(now: number, inclusive: boolean, limit: number): number {
    const keys = this.keys;
    const end = HEAP0 + this.n;
    let stack = this.stack;
    let sp = 0;
    stack[sp++] = HEAP0;
    let count = 0;
    while (sp > 0 && count < limit) {
      const k = stack[--sp];
      count++;
      const first = D * (k - HEAP0) + HEAP0 + 1;
      const stop = Math.min(first + D, end);
      for (let c = first; c < stop; c++) {
        const at = keys[c * 2];
        if (inclusive ? at <= now : at < now) {
          if (sp === stack.length) stack = this.growStack();
          stack[sp++] = c;
        }
      }
    }
    return count;
  }

  private stack: Int32Array = new Int32Array(64);
  private growStack(): Int32Array {
    const bigger = new Int32Array(this.stack.length * 2);
    bigger.set(this.stack);
    this.stack = bigger;
    return bigger;
  }

  /** takeDue for a large due set: one pass to split, heapify the rest, radix-sort the due. */
  private takeDueBatch(now: number, inclusive: boolean, out: T[], ok: Float64Array): number {
    const nodes = this.nodes;
    const keys = this.keys;
    const end = HEAP0 + this.n;
    let k = 0;
    let rest = HEAP0;
    // Split: due elements to the scratch, the others packed at the front of the heap.
    const tmpNodes = SCRATCH.nodes as T[];
    for (let i = HEAP0; i < end; i++) {
      const w = nodes[i]!;
      const at = keys[i * 2];
      if (inclusive ? at <= now : at < now) {
        tmpNodes[k] = w;
        ok[k * 2] = at;
        ok[k * 2 + 1] = keys[i * 2 + 1];
        k++;
      } else {
        if (rest !== i) {
          nodes[rest] = w;
          keys[rest * 2] = at;
          keys[rest * 2 + 1] = keys[i * 2 + 1];
        }
        w._active = rest;
        rest++;
      }
    }
    for (let i = rest; i < end; i++) nodes[i] = null;
    this.n = rest - HEAP0;
    // Floyd's heapify of what stayed.
    for (let i = rest - 1; i >= HEAP0; i--) {
      this.siftDown(i, nodes[i]!, keys[i * 2], keys[i * 2 + 1]);
    }
    // Order the due set by at (stable radix sort on the key bits), then write it out.
    const order = sortByKey(ok, k);
    if (SCRATCH.keys.length < k * 2) SCRATCH.keys = new Float64Array(k * 2);
    const sortedKeys = SCRATCH.keys;
    for (let i = 0; i < k; i++) {
      const j = order[i];
      out[i] = tmpNodes[j];
      sortedKeys[i * 2] = ok[j * 2];
      sortedKeys[i * 2 + 1] = ok[j * 2 + 1];
    }
    ok.set(sortedKeys.subarray(0, k * 2));
    for (let i = 0; i < k; i++) tmpNodes[i] = undefined as any;
    return k;
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

/**
 * Scratch arrays of the batch path (one set per process: JavaScript runs one batch at a
 * time), kept between calls so that a large batch allocates only the first time.
 */
const SCRATCH = {
  nodes: [] as unknown[],
  keys: new Float64Array(0),
  a: new Int32Array(0),
  b: new Int32Array(0),
  hi: new Uint32Array(0),
  lo: new Uint32Array(0),
  hi2: new Uint32Array(0),
  lo2: new Uint32Array(0),
};

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little endian: word 1
const COUNTS = new Uint32Array(65536);

/**
 * Returns the permutation that sorts `keys[2i]` (i < k) ascending, stably: an LSD radix sort
 * over the 64 bits of each double (mapped so that unsigned order is numeric order), in
 * passes of 16 bits that move the key words along with the indices (sequential reads). A
 * pass whose digit is the same for every key (common: deadlines close together share their
 * high bits) is skipped. Small inputs use a comparison sort.
 */
function sortByKey(keys: Float64Array, k: number): Int32Array {
  const s = SCRATCH;
  if (s.a.length < k) {
    s.a = new Int32Array(k);
    s.b = new Int32Array(k);
    s.hi = new Uint32Array(k);
    s.lo = new Uint32Array(k);
    s.hi2 = new Uint32Array(k);
    s.lo2 = new Uint32Array(k);
  }
  let idx = s.a;
  let idx2 = s.b;
  for (let i = 0; i < k; i++) idx[i] = i;
  if (k < 256) {
    const list = Array.from(idx.subarray(0, k));
    list.sort((x, y) => keys[x * 2] - keys[y * 2] || x - y);
    for (let i = 0; i < k; i++) idx[i] = list[i];
    return idx;
  }
  let hi = s.hi;
  let lo = s.lo;
  let hi2 = s.hi2;
  let lo2 = s.lo2;
  for (let i = 0; i < k; i++) {
    f64[0] = keys[i * 2];
    let h = u32[HI];
    let l = u32[1 - HI];
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[i] = h;
    lo[i] = l;
  }
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    COUNTS.fill(0);
    for (let i = 0; i < k; i++) COUNTS[(word[i] >>> shift) & 0xffff]++;
    if (COUNTS[(word[0] >>> shift) & 0xffff] === k) continue; // one digit: order unchanged
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = COUNTS[d];
      COUNTS[d] = sum;
      sum += c;
    }
    for (let i = 0; i < k; i++) {
      const to = COUNTS[(word[i] >>> shift) & 0xffff]++;
      idx2[to] = idx[i];
      hi2[to] = hi[i];
      lo2[to] = lo[i];
    }
    let t: any = idx;
    idx = idx2;
    idx2 = t;
    t = hi;
    hi = hi2;
    hi2 = t;
    t = lo;
    lo = lo2;
    lo2 = t;
  }
  return idx;
}
