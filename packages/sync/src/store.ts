/**
 * The item stores behind the queues: FIFO (a ring buffer), LIFO (an array) and priority
 * (a binary heap). Each is O(1) or O(log n) per operation: no `Array#shift` (O(n)).
 */

export interface Store<T> {
  readonly size: number;
  push(item: T): void;
  /** Removes and returns the next item (the store is not empty). */
  take(): T;
  /** The next item, left in place (the store is not empty). */
  peek(): T;
  /** The items in the order they would be taken. */
  toArray(): T[];
}

/** FIFO ring buffer; grows by doubling. */
export class Fifo<T> implements Store<T> {
  private buf: (T | undefined)[] = new Array(16);
  private mask = 15;
  private head = 0;
  size = 0;

  push(item: T): void {
    if (this.size > this.mask) this.grow();
    this.buf[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  take(): T {
    const h = this.head;
    const item = this.buf[h] as T;
    this.buf[h] = undefined;
    this.head = (h + 1) & this.mask;
    this.size--;
    return item;
  }

  peek(): T {
    return this.buf[this.head] as T;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.buf[(this.head + i) & this.mask] as T);
    return out;
  }

  private grow(): void {
    const items = this.toArray();
    const cap = (this.mask + 1) * 2;
    this.buf = new Array(cap);
    for (let i = 0; i < items.length; i++) this.buf[i] = items[i];
    this.mask = cap - 1;
    this.head = 0;
  }
}

/** LIFO stack. */
export class Lifo<T> implements Store<T> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  take(): T {
    return this.items.pop() as T;
  }

  peek(): T {
    return this.items[this.items.length - 1] as T;
  }

  toArray(): T[] {
    return this.items.slice().reverse();
  }
}

/** Min-heap on `compare` (negative: a comes first). Equal items come out in no set order. */
export class Heap<T> implements Store<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.compare(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  take(): T {
    const a = this.items;
    const top = a[0] as T;
    const last = a.pop() as T;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.compare(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }

  peek(): T {
    return this.items[0] as T;
  }

  toArray(): T[] {
    const copy = new Heap<T>(this.compare);
    for (const x of this.items) copy.push(x);
    const out: T[] = [];
    while (copy.size > 0) out.push(copy.take());
    return out;
  }
}

/**
 * The default order of PriorityQueue: numbers, bigints and strings by `<`; arrays (tuples
 * such as `[priority, data]`) element by element, like Python's tuples. Other values, or
 * values of different kinds, throw a TypeError naming them: pass a `compare` function.
 */
export function defaultCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = defaultCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const ta = typeof a;
  if (
    ta === typeof b &&
    (ta === 'number' || ta === 'string' || ta === 'bigint' || ta === 'boolean')
  ) {
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  throw new TypeError(
    `PriorityQueue: cannot order ${String(a)} and ${String(b)} (numbers, strings, bigints and ` +
      'arrays of them compare by default); pass compare to the constructor',
  );
}
