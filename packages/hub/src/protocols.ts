/**
 * The protocols other packages implement to work with the hub.
 *
 * ## Waitable (gevent's rawlink/unlink protocol)
 *
 * `wait(objects)`, `iwait(objects)` and `joinall` accept any object with
 * `rawlink(cb)`, `unlink(cb)` and `ready()`: Greenlet, and @g/sync's Event, AsyncResult,
 * Semaphore... `rawlink(cb)` must call `cb(obj)` once (from the hub, never synchronously
 * inside `rawlink`) when the object becomes ready, or soon after if it already is;
 * `unlink(cb)` withdraws a callback not yet called.
 *
 * ## Link targets
 *
 * `greenlet.link(target)` accepts, besides a function, an object with a method under
 * `LINK_TARGET` (e.g. @g/sync's AsyncResult): it is called with the dead greenlet, from
 * the hub, and must not wait.
 */

export interface Waitable {
  rawlink(callback: (source: any) => void): void;
  unlink(callback: (source: any) => void): void;
  ready(): boolean;
}

/** The method name a link target implements (see module comment). */
export const LINK_TARGET: unique symbol = Symbol.for('@g/linkTarget') as any;

export interface LinkTarget {
  [LINK_TARGET](source: any): void;
}

export function isWaitable(x: unknown): x is Waitable {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as any).rawlink === 'function' &&
    typeof (x as any).unlink === 'function' &&
    typeof (x as any).ready === 'function'
  );
}
