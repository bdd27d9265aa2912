/**
 * Error classes of the hub. Each is recognised by a `Symbol.for` brand as well as by
 * `instanceof`, so copies of @g/hub loaded twice (ESM and CJS) recognise each other's errors.
 */

function brand(cls: { prototype: object }, name: string): symbol {
  const sym = Symbol.for(`@g/${name}`);
  Object.defineProperty(cls.prototype, sym, { value: true });
  return sym;
}

function branded(sym: symbol, x: unknown): boolean {
  return x !== null && typeof x === 'object' && (x as any)[sym] === true;
}

/**
 * "This operation would block forever": the greenlet waits on something nothing can ever
 * wake: no active referenced watcher, no pending promise, nothing runnable. Raised in the
 * greenlet started by `run()` (or awaited through it) at the wait that cannot end. The
 * message names what is blocked and what is still alive.
 *
 * Common causes: waiting on an Event or Queue that only a plain Node callback (a
 * `setTimeout` of other code, an emitter) would set: wait on it with `until()`/`once()`,
 * hold the loop with `hub.loop.externalWait()`, or patch Node's timers with @g/monkey.
 */
export class LoopExit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoopExit';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === LoopExit) return branded(LOOP_EXIT, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const LOOP_EXIT = brand(LoopExit, 'LoopExit');

/**
 * A blocking call (an Op that would switch to the hub) made where it cannot wait: in a
 * watcher or link callback run by the hub itself, or in a greenlet that belongs to no hub.
 * gevent's "Impossible to call blocking function in the event loop callback".
 */
export class BlockingSwitchOutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockingSwitchOutError';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === BlockingSwitchOutError) return branded(BLOCKING, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const BLOCKING = brand(BlockingSwitchOutError, 'BlockingSwitchOutError');

/** A hub-managed greenlet was switched into directly instead of through the hub. */
export class InvalidSwitchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSwitchError';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === InvalidSwitchError) return branded(INVALID, x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
const INVALID = brand(InvalidSwitchError, 'InvalidSwitchError');

export function isLoopExit(x: unknown): x is LoopExit {
  return branded(LOOP_EXIT, x);
}
