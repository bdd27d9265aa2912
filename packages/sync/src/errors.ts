/**
 * Error classes of @g/sync.
 *
 * Each is recognised by a `Symbol.for('@g/...')` brand as well as by `instanceof`, so the
 * ESM and CJS builds of @g/sync loaded in one process recognise each other's errors.
 *
 * - `Empty`: a queue had no item: `getNowait()`, `get({ block: false })`, or `get({ timeout })`
 *   after the timeout.
 * - `Full`: a bounded queue (or a Channel with no getter) had no room: `putNowait()`,
 *   `put(x, { block: false })`, or `put(x, { timeout })` after the timeout.
 * - `ShutDown`: the queue was shut down (`shutdown()`): puts always raise it; gets raise it
 *   once the queue is empty (at once after `shutdown(true)`).
 * - `PoolFull` (a `Full`): a Pool had no free slot for `add(g, { blocking: false })` or
 *   within `add(g, { timeout })`.
 */

function brand(cls: { prototype: object }, name: string): symbol {
  const sym = Symbol.for(`@g/${name}`);
  Object.defineProperty(cls.prototype, sym, { value: true });
  return sym;
}

function branded(sym: symbol, x: unknown): boolean {
  return x !== null && typeof x === 'object' && (x as any)[sym] === true;
}

/** A queue had no item to give (see the module comment). */
export class Empty extends Error {
  constructor(message = 'the queue is empty') {
    super(message);
    this.name = 'Empty';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === Empty) return branded(EMPTY, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const EMPTY = brand(Empty, 'sync/Empty');

/** A queue had no room for the item (see the module comment). */
export class Full extends Error {
  constructor(message = 'the queue is full') {
    super(message);
    this.name = 'Full';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === Full) return branded(FULL, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const FULL = brand(Full, 'sync/Full');

/** The queue was shut down (see the module comment). */
export class ShutDown extends Error {
  constructor(message = 'the queue was shut down') {
    super(message);
    this.name = 'ShutDown';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === ShutDown) return branded(SHUT_DOWN, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const SHUT_DOWN = brand(ShutDown, 'sync/ShutDown');

/** A Pool had no free slot (see the module comment). Also a `Full`. */
export class PoolFull extends Full {
  constructor(message = 'the pool is full') {
    super(message);
    this.name = 'PoolFull';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === PoolFull) return branded(POOL_FULL, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const POOL_FULL = brand(PoolFull, 'sync/PoolFull');
