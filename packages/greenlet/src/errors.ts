/**
 * Error classes of the greenlet core.
 *
 * Each class is recognised by a `Symbol.for` brand as well as by `instanceof`, so an error
 * made by the ESM build is still recognised by the CJS build of the same package (and by
 * other @g packages) in one process.
 */

const EXIT_BRAND = Symbol.for('@g/GreenletExit');
const ERROR_BRAND = Symbol.for('@g/GreenletError');

/**
 * Thrown into a greenlet to end it (`g.throw()` with no argument, gevent's `kill()`).
 *
 * A GreenletExit that escapes a greenlet's body is not raised in the parent: it is
 * *returned* to the parent as the value of its pending switch, as in greenlet. Code that
 * catches errors broadly should let it through:
 *
 * ```ts
 * try { yield* work(); } catch (e) { if (isGreenletExit(e)) throw e; log(e); }
 * ```
 */
export class GreenletExit extends Error {
  declare readonly [EXIT_BRAND]: true;
  constructor(message = 'GreenletExit') {
    super(message);
    this.name = 'GreenletExit';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    // The brand recognises exits made by another loaded copy of this package; a subclass
    // keeps the ordinary prototype check.
    if (this === GreenletExit) return isGreenletExit(x);
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
Object.defineProperty(GreenletExit.prototype, EXIT_BRAND, { value: true });

/**
 * Misuse of greenlets (greenlet's `greenlet.error`): a forgotten `yield*`, switching from
 * plain code inside a body, a re-entrant switch, a greenlet without a `run` function.
 * The message always says how to fix the call.
 */
export class GreenletError extends Error {
  declare readonly [ERROR_BRAND]: true;
  constructor(message: string) {
    super(message);
    this.name = 'GreenletError';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === GreenletError) {
      return x !== null && typeof x === 'object' && (x as any)[ERROR_BRAND] === true;
    }
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
Object.defineProperty(GreenletError.prototype, ERROR_BRAND, { value: true });

/** True for a GreenletExit from any loaded copy of @g/greenlet (and subclasses of it). */
export function isGreenletExit(x: unknown): x is GreenletExit {
  return x !== null && typeof x === 'object' && (x as any)[EXIT_BRAND] === true;
}
