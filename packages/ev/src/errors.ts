/**
 * Error classes of @g/ev.
 *
 * Every class is recognised by a `Symbol.for` brand as well as by `instanceof`, so an error
 * made by the ESM build of this package is still an `EvError` to the CJS build loaded in the
 * same process. Bad arguments (a negative or NaN time, a priority out of range, a callback
 * that is not a function) throw the standard `TypeError` / `RangeError` and change nothing.
 */

const BRAND = Symbol.for('@g/ev.error');
const NAME = Symbol('@g/ev.errorName');

function branded(x: unknown, name: string): boolean {
  if (x === null || typeof x !== 'object') return false;
  const names = (x as any)[BRAND];
  return Array.isArray(names) && names.includes(name);
}

/** Base class of the errors this package throws for misuse of a loop or a watcher. */
export class EvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = (new.target as any)[NAME] ?? 'EvError';
  }
  static override [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || branded(x, (this as any)[NAME]);
  }
}

// Names are spelled out: bundlers may rename classes.
function brand(cls: { prototype: object }, chain: string[]): void {
  Object.defineProperty(cls, NAME, { value: chain[chain.length - 1] });
  Object.defineProperty(cls.prototype, BRAND, { value: chain });
}

/** A watcher was started, or an event fed, on a loop that `destroy()` has ended. */
export class LoopDestroyedError extends EvError {}

/**
 * The loop is already being driven asynchronously: `run()` / `run(ONCE)` while another
 * `run()` promise is pending or a `wake()` is registered, or `wake()` during a `run()`.
 */
export class LoopBusyError extends EvError {}

/**
 * A watcher operation that libev forbids in the watcher's present state: changing the
 * priority of an active or pending watcher, starting a closed watcher, `resume()` without
 * `suspend()`.
 */
export class WatcherStateError extends EvError {}

/**
 * The loop's backend cannot provide this watcher kind: the virtual clock refuses watchers
 * that need the OS (io, signal, child, stat); io watchers refuse raw file descriptors where
 * the native helper cannot load (another platform: wrap the fd in a `net.Socket`).
 */
export class UnsupportedError extends EvError {}

/** A signal is already watched by another loop (libev ties each signal to one loop). */
export class SignalInUseError extends EvError {}

brand(EvError, ['EvError']);
brand(LoopDestroyedError, ['EvError', 'LoopDestroyedError']);
brand(LoopBusyError, ['EvError', 'LoopBusyError']);
brand(WatcherStateError, ['EvError', 'WatcherStateError']);
brand(UnsupportedError, ['EvError', 'UnsupportedError']);
brand(SignalInUseError, ['EvError', 'SignalInUseError']);

/** True for any error of this package, made by any loaded copy of it. */
export function isEvError(x: unknown): x is EvError {
  return branded(x, 'EvError');
}
