/**
 * The registry of saved originals: patchItem, removeItem, getOriginal, isModulePatched,
 * isObjectPatched, saved (gevent's monkey API).
 *
 * Rules:
 * - The first patch of a property saves what it was (its own descriptor, or the fact that
 *   it was inherited or absent) under the module's label; later patches of the same
 *   property replace the value and never overwrite the saved original.
 * - A patched property is an own, writable, configurable data property; it keeps the
 *   enumerability it had (new properties are not enumerable).
 * - Built-in modules are re-synced (`module.syncBuiltinESMExports()`) after each change, so
 *   `import { setTimeout } from 'node:timers'` sees the patched value.
 * - `restoreAll()` (what `unpatchAll()` runs) puts every saved property back as it was,
 *   newest first: the very same objects (identity), own properties re-defined with their
 *   descriptors, inherited or absent ones deleted.
 * - The registry is process-wide (see state.ts): both builds of the package share it.
 */
import { MonkeyError } from './errors.js';
import { isBuiltinLabel, normalizeLabel, resolveModule, syncESM } from './modules.js';
import { type ModuleRecord, STATE } from './state.js';

/** A module given as a label ('timers', 'node:fs', 'globalThis') or as the object itself. */
export type ModuleRef = string | object;

/** Options of patchItem / removeItem when the module is given as an object. */
export interface ItemOptions {
  /** The label to save the original under (default: the label of a known object). */
  module?: string;
}

const objectLabels = new WeakMap<object, string>();

let batchDepth = 0;
let esmDirty = false;

function touched(rec: ModuleRecord): void {
  if (!rec.builtin) return;
  if (batchDepth > 0) esmDirty = true;
  else syncESM();
}

/**
 * @internal Runs `fn` with the ESM re-sync of built-in modules deferred to its end (one
 * `syncBuiltinESMExports()` for a whole patch instead of one per property).
 */
export function batch<T>(fn: () => T): T {
  batchDepth++;
  try {
    return fn();
  } finally {
    if (--batchDepth === 0 && esmDirty) {
      esmDirty = false;
      syncESM();
    }
  }
}

function recordFor(
  module: ModuleRef,
  options: ItemOptions | undefined,
  what: string,
): ModuleRecord {
  let label: string;
  let object: object;
  if (typeof module === 'string') {
    label = normalizeLabel(module);
    const existing = STATE.saved.get(label);
    object = existing !== undefined ? existing.object : resolveModule(label);
  } else if (module !== null && (typeof module === 'object' || typeof module === 'function')) {
    object = module;
    const given = options?.module;
    if (given !== undefined && (typeof given !== 'string' || given.length === 0)) {
      throw new TypeError(`${what}: options.module must be a non-empty string label`);
    }
    label = given !== undefined ? normalizeLabel(given) : (objectLabels.get(object) ?? '');
    if (label === '') label = findLabel(object);
    if (label === '') {
      throw new MonkeyError(
        `${what}: give the object a label to save its originals under: ` +
          `${what}(obj, name, value, { module: 'mylib' })`,
      );
    }
  } else {
    throw new TypeError(
      `${what}: module must be a label string or an object (got ${String(module)})`,
    );
  }
  let rec = STATE.saved.get(label);
  if (rec === undefined) {
    rec = { object, builtin: isBuiltinLabel(label), items: new Map() };
    STATE.saved.set(label, rec);
  } else if (rec.object !== object) {
    throw new MonkeyError(
      `${what}: the label "${label}" already names another object in the registry; use ` +
        'another label',
    );
  }
  objectLabels.set(object, label);
  return rec;
}

function findLabel(object: object): string {
  for (const [label, rec] of STATE.saved) if (rec.object === object) return label;
  return '';
}

function labelOfRecord(rec: ModuleRecord): string {
  for (const [label, r] of STATE.saved) if (r === rec) return label;
  return '?';
}

function save(rec: ModuleRecord, name: PropertyKey): void {
  if (rec.items.has(name)) return;
  const object = rec.object as any;
  const descriptor = Object.getOwnPropertyDescriptor(object, name);
  const original =
    descriptor !== undefined && 'value' in descriptor ? descriptor.value : object[name];
  rec.items.set(name, { original, descriptor });
  STATE.log.push({ module: labelOfRecord(rec), name });
}

/**
 * Replaces `module[name]` with `value`, saving the original first (gevent's patch_item).
 * `module` is a label ('timers', 'globalThis', ...) or an object (give `options.module` as
 * its label unless the registry knows it). TypeError on a non-configurable property.
 */
export function patchItem(
  module: ModuleRef,
  name: PropertyKey,
  value: unknown,
  options?: ItemOptions,
): void {
  const rec = recordFor(module, options, 'patchItem');
  const object = rec.object;
  const own = Object.getOwnPropertyDescriptor(object, name);
  if (own !== undefined && own.configurable === false) {
    throw new TypeError(
      `patchItem: ${String(name)} of "${labelOfRecord(rec)}" is not configurable and cannot be patched`,
    );
  }
  save(rec, name);
  Object.defineProperty(object, name, {
    value,
    writable: true,
    configurable: true,
    enumerable: own !== undefined ? own.enumerable === true : false,
  });
  touched(rec);
}

/** Deletes `module[name]`, saving the original first (gevent's remove_item). */
export function removeItem(module: ModuleRef, name: PropertyKey, options?: ItemOptions): void {
  const rec = recordFor(module, options, 'removeItem');
  const object = rec.object as any;
  if (!(name in object)) return;
  save(rec, name);
  delete object[name];
  touched(rec);
}

/**
 * The original of `module[name]` if it was patched, else its current value (gevent's
 * get_original). With an array of names, an array of values. MonkeyError when the module
 * cannot be found.
 */
export function getOriginal(module: string, name: PropertyKey): any;
export function getOriginal(module: string, names: readonly PropertyKey[]): any[];
export function getOriginal(module: string, name: PropertyKey | readonly PropertyKey[]): any {
  const label = normalizeLabel(module);
  const rec = STATE.saved.get(label);
  const one = (n: PropertyKey): unknown => {
    const item = rec?.items.get(n);
    if (item !== undefined) return item.original;
    const object = rec !== undefined ? rec.object : resolveModule(label);
    return (object as any)[n];
  };
  return Array.isArray(name) ? name.map(one) : one(name as PropertyKey);
}

/** True when some property of `module` was patched (gevent's is_module_patched). */
export function isModulePatched(module: string): boolean {
  const rec = STATE.saved.get(normalizeLabel(module));
  return rec !== undefined && rec.items.size > 0;
}

/** True when `module[name]` was patched (gevent's is_object_patched). */
export function isObjectPatched(module: string, name: PropertyKey): boolean {
  const rec = STATE.saved.get(normalizeLabel(module));
  return rec?.items.has(name) === true;
}

/**
 * A snapshot of the registry (gevent's `monkey.saved`): module label -> (property ->
 * original). Changing it changes nothing.
 */
export function saved(): Map<string, Map<PropertyKey, unknown>> {
  const out = new Map<string, Map<PropertyKey, unknown>>();
  for (const [label, rec] of STATE.saved) {
    if (rec.items.size === 0) continue;
    const m = new Map<PropertyKey, unknown>();
    for (const [name, item] of rec.items) m.set(name, item.original);
    out.set(label, m);
  }
  return out;
}

/** @internal Every saved original value (for the late-patching check). */
export function savedOriginals(): Map<unknown, string> {
  const out = new Map<unknown, string>();
  for (const [label, rec] of STATE.saved) {
    for (const [name, item] of rec.items) {
      const v = item.original;
      if ((typeof v === 'function' || (typeof v === 'object' && v !== null)) && !out.has(v)) {
        out.set(v, `${label}.${String(name)}`);
      }
    }
  }
  return out;
}

/** @internal Restores every saved property, newest first, and empties the registry. */
export function restoreAll(): void {
  let builtin = false;
  const log = STATE.log;
  for (let i = log.length - 1; i >= 0; i--) {
    const { module, name } = log[i]!;
    const rec = STATE.saved.get(module);
    const item = rec?.items.get(name);
    if (rec === undefined || item === undefined) continue;
    const object = rec.object as any;
    if (item.descriptor !== undefined) Object.defineProperty(object, name, item.descriptor);
    else delete object[name];
    if (rec.builtin) builtin = true;
  }
  log.length = 0;
  STATE.saved.clear();
  if (builtin) syncESM();
}
