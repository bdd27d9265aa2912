/**
 * The late-patching check: what already holds an original when a patch replaces it.
 *
 * Patching must come first (the preload entry does that). A module loaded before the
 * patch that copied `setTimeout` or `readFileSync` into its own variables keeps Node's
 * function: its timers do not run on the hub. What can be seen from outside is reported
 * in one MonkeyPatchWarning (gevent's "Modules that had direct imports (NOT patched)"):
 *
 * - CommonJS modules in `require.cache` whose `module.exports` is, or has as an own
 *   property, an original the patch just replaced (e.g. `exports.delay = setTimeout`);
 * - signal handlers added with `process.on` before the signals patch (they stay Node's).
 *
 * A copy in a local variable (`const { setTimeout } = require('timers')`) or in an ES
 * module cannot be seen from outside, so no warning can promise that none exists; ES
 * modules that import named exports of `node:timers` or `node:fs` are fine (their bindings
 * follow the patch). Cost: one pass over `require.cache` per patch, at patch time only.
 */
import Module from 'node:module';
import { STATE } from './state.js';

const MAX_KEYS = 1000;

/** Modules whose exports hold one of `originals` (value -> 'module.name'). */
export function findCaptures(originals: Map<unknown, string>): string[] {
  const out: string[] = [];
  if (originals.size === 0) return out;
  const cache = ((Module as any)._cache ?? {}) as Record<string, { exports?: unknown }>;
  for (const file of Object.keys(cache)) {
    const exp = cache[file]?.exports;
    if (exp === null || (typeof exp !== 'object' && typeof exp !== 'function')) continue;
    const direct = originals.get(exp);
    if (direct !== undefined) {
      out.push(`${file} exports ${direct} (NOT patched)`);
      continue;
    }
    let keys: string[];
    try {
      keys = Object.keys(exp);
    } catch {
      continue;
    }
    if (keys.length > MAX_KEYS) keys = keys.slice(0, MAX_KEYS);
    for (const key of keys) {
      let v: unknown;
      try {
        const d = Object.getOwnPropertyDescriptor(exp, key);
        if (d === undefined || !('value' in d)) continue;
        v = d.value;
      } catch {
        continue;
      }
      const what = originals.get(v);
      if (what !== undefined) out.push(`${file} holds ${what} as exports.${key} (NOT patched)`);
    }
  }
  return out;
}

/** Queues a warning (emitted when the current patch call ends). */
export function queueWarning(message: string, details: string[] = []): void {
  STATE.warnings.push([message, ...details]);
}
