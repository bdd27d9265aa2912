/**
 * Module labels: the names under which the registry keeps originals.
 *
 * gevent keys its registry by module name ('socket', 'time'). Here a "module" is any object
 * whose properties are patched, named by a label:
 *
 * - a Node built-in module, by its name with or without `node:` ('timers', 'node:fs'): the
 *   CJS exports object, whose changes `module.syncBuiltinESMExports()` copies to the ESM
 *   named exports;
 * - the globals the patches touch: 'globalThis', 'Date', 'performance', 'process',
 *   'process.hrtime', 'Atomics', 'Promise.prototype', 'timers/promises.scheduler';
 * - any other object, named by the caller (`patchItem(obj, name, value, { module: 'pg' })`).
 *
 * A label that is none of these is resolved with `require` from the current directory.
 */
import { createRequire, isBuiltin, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import timersPromises from 'node:timers/promises';
import { MonkeyError } from './errors.js';

const GLOBALS: Record<string, () => object> = {
  globalThis: () => globalThis,
  Date: () => ORIGINAL_DATE,
  performance: () => globalThis.performance,
  process: () => process,
  'process.hrtime': () => process.hrtime,
  Atomics: () => Atomics,
  'Promise.prototype': () => Promise.prototype,
  'timers/promises.scheduler': () => (timersPromises as any).scheduler,
};

/** The Date constructor as it was when this module loaded (the clock patch replaces it). */
const ORIGINAL_DATE: DateConstructor = globalThis.Date;

let req: NodeJS.Require | null = null;

function nodeRequire(): NodeJS.Require {
  req ??= createRequire(join(process.cwd(), 'noop.js'));
  return req;
}

/** The canonical label: `node:` dropped from built-in names. */
export function normalizeLabel(label: string): string {
  return label.startsWith('node:') ? label.slice(5) : label;
}

/** True when `label` names a Node built-in module. */
export function isBuiltinLabel(label: string): boolean {
  const l = normalizeLabel(label);
  return !Object.hasOwn(GLOBALS, l) && isBuiltin(l);
}

/** The object a label names; MonkeyError when it cannot be found. */
export function resolveModule(label: string): object {
  if (typeof label !== 'string' || label.length === 0) {
    throw new TypeError(`a module label must be a non-empty string (got ${String(label)})`);
  }
  const l = normalizeLabel(label);
  const g = GLOBALS[l];
  if (g !== undefined) return g();
  try {
    const m = nodeRequire()(isBuiltin(l) ? `node:${l}` : l);
    if (m === null || (typeof m !== 'object' && typeof m !== 'function')) {
      throw new MonkeyError(`module "${label}" exports no object whose properties can be patched`);
    }
    return m;
  } catch (e) {
    if (e instanceof MonkeyError) throw e;
    throw new MonkeyError(
      `cannot find module "${label}" (resolved from ${process.cwd()}): give patchItem the ` +
        `object itself with a label: patchItem(obj, name, value, { module: '${label}' })`,
    );
  }
}

/** Copies the built-in modules' exports to their ESM named exports. */
export function syncESM(): void {
  syncBuiltinESMExports();
}
