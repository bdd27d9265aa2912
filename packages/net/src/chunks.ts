/**
 * A FIFO of received chunks: what a socket (or a request body) has received and nobody has
 * read yet. Reads take whole chunks when they can (no copy) and split a chunk only at the
 * boundary a read asks for. `indexOf(byte)` remembers how far it has looked, so a line that
 * arrives in many chunks is scanned once, not once per chunk.
 *
 * Push and shift are O(1) amortised (a head index, compacted when half the array is spent).
 */
export class Chunks {
  private list: Buffer[] = [];
  private head = 0;
  /** Bytes held. */
  length = 0;
  /** Bytes from the start already known not to hold the byte being searched for. */
  private scanned = 0;

  push(chunk: Buffer): void {
    this.list.push(chunk);
    this.length += chunk.length;
  }

  get empty(): boolean {
    return this.length === 0;
  }

  /** Up to `max` bytes from the front (at least one byte when not empty). */
  take(max: number): Buffer {
    const first = this.list[this.head]!;
    if (first.length <= max) {
      // The whole first chunk; more chunks joined only when they fit too.
      if (this.head + 1 === this.list.length || first.length === max) {
        this.shiftChunk();
        return first;
      }
      return this.takeJoined(Math.min(max, this.length));
    }
    const out = first.subarray(0, max);
    this.list[this.head] = first.subarray(max);
    this.length -= max;
    this.scanned = Math.max(0, this.scanned - max);
    return out;
  }

  /** Exactly `n` bytes (n <= length). */
  takeExactly(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.list[this.head]!;
    if (first.length === n) {
      this.shiftChunk();
      return first;
    }
    if (first.length > n) return this.take(n);
    return this.takeJoined(n);
  }

  /** Everything held. */
  takeAll(): Buffer {
    if (this.length === 0) return EMPTY;
    if (this.list.length - this.head === 1) {
      const b = this.list[this.head]!;
      this.shiftChunk();
      return b;
    }
    return this.takeJoined(this.length);
  }

  /**
   * The offset of the first `byte` within the first `limit` bytes, or -1. Remembers how far
   * it looked, for the next call (until data is taken).
   */
  indexOf(byte: number, limit = Number.POSITIVE_INFINITY): number {
    let base = 0;
    const start = this.scanned;
    for (let i = this.head; i < this.list.length; i++) {
      const c = this.list[i]!;
      if (base + c.length > start) {
        const from = start > base ? start - base : 0;
        const at = c.indexOf(byte, from);
        if (at >= 0 && base + at < limit) {
          return base + at;
        }
        if (at >= 0) break;
      }
      base += c.length;
      if (base >= limit) break;
    }
    this.scanned = Math.min(this.length, limit);
    return -1;
  }

  clear(): void {
    if (this.list.length !== 0) this.list = [];
    this.head = 0;
    this.length = 0;
    this.scanned = 0;
  }

  private shiftChunk(): void {
    const c = this.list[this.head]!;
    this.list[this.head] = EMPTY;
    this.head++;
    this.length -= c.length;
    this.scanned = Math.max(0, this.scanned - c.length);
    if (this.head === this.list.length) {
      this.list.length = 0;
      this.head = 0;
    } else if (this.head > 32 && this.head * 2 > this.list.length) {
      this.list = this.list.slice(this.head);
      this.head = 0;
    }
  }

  private takeJoined(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.list[this.head]!;
      const want = n - off;
      if (c.length <= want) {
        c.copy(out, off);
        off += c.length;
        this.shiftChunk();
      } else {
        c.copy(out, off, 0, want);
        this.list[this.head] = c.subarray(want);
        this.length -= want;
        this.scanned = Math.max(0, this.scanned - want);
        off = n;
      }
    }
    return out;
  }
}

export const EMPTY: Buffer = Buffer.alloc(0);
