/**
 * Local: greenlet-local storage (gevent.local).
 *
 * ```ts
 * const requestId = new Local<string>();
 * spawn(function* () { requestId.set('a'); yield* sleep(1); requestId.get(); }); // 'a'
 * spawn(function* () { requestId.get(); });                                        // undefined
 * ```
 *
 * - Each greenlet sees its own value; code outside greenlets (main) and callbacks run by the
 *   hub have their own too.
 * - Nothing is inherited: a spawned greenlet starts with no value (or with `init()`'s,
 *   computed on its first `get()` in that greenlet), whatever its spawner holds.
 * - A greenlet's values are dropped when it dies, even if the greenlet object is still
 *   referenced (gevent frees its local dicts the same way); a dead greenlet stores nothing.
 * - The greenlet holds its values weakly by Local: a Local that nothing references any more
 *   is collected with its values, even while greenlets that set it still run.
 * - Cost: a get/set is one WeakMap lookup in the running greenlet's own table (made at its
 *   first set); greenlets that never use a Local pay nothing.
 */
import { getcurrent } from '@g/greenlet';
import { type GreenletRare, rare } from './hub-greenlet.js';

const mainValues = new WeakMap<object, WeakMap<object, unknown>>();

function mapOf(create: boolean): WeakMap<object, unknown> | null {
  const g = getcurrent() as any;
  if (g._hub !== undefined) {
    const r = g._rare as GreenletRare | null;
    let m = r === null ? null : r.locals;
    if (m === null && create) {
      if (g._state === 2) return null; // dead: nothing is stored any more
      m = rare(g).locals = new WeakMap();
    }
    return m;
  }
  let m = mainValues.get(g) ?? null;
  if (m === null && create) {
    m = new WeakMap();
    mainValues.set(g, m);
  }
  return m;
}

export class Local<T> {
  private readonly init: (() => T) | undefined;

  /** `init` (optional) gives each greenlet its first value, on its first get(). */
  constructor(init?: () => T) {
    if (init !== undefined && typeof init !== 'function') {
      throw new TypeError('new Local(init): init must be a function');
    }
    this.init = init;
  }

  /** This greenlet's value (undefined if none and no init). */
  get(): T | undefined {
    const m = mapOf(false);
    if (m?.has(this)) return m.get(this) as T;
    if (this.init === undefined) return undefined;
    const v = this.init();
    mapOf(true)?.set(this, v);
    return v;
  }

  /** Sets this greenlet's value. */
  set(value: T): void {
    mapOf(true)?.set(this, value);
  }

  /** True if this greenlet has a value. */
  has(): boolean {
    return mapOf(false)?.has(this) ?? false;
  }

  /** Removes this greenlet's value; true if there was one. */
  delete(): boolean {
    return mapOf(false)?.delete(this) ?? false;
  }
}
