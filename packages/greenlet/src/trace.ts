/**
 * Tracing switches, as greenlet's `settrace`.
 *
 * The callback sees `('switch', [origin, target])` when a switch resumes or starts
 * `target`, and `('throw', [origin, target])` when the switch delivers an error (a
 * `throw()`, or a body that died of an error raising it in its parent). It runs after
 * `target` has become the current greenlet and before its code runs. If the callback
 * throws, tracing is turned off and the error is raised in `target` where it resumes.
 *
 * Tracing is the slow path: with no callback set, a switch only tests one field.
 */
import type { Greenlet } from './greenlet.js';
import { RT } from './runtime.js';

export type TraceEvent = 'switch' | 'throw';
export type TraceCallback = (event: TraceEvent, args: [origin: Greenlet, target: Greenlet]) => void;

/** Installs `callback` (or removes tracing with `null`); returns the previous callback. */
export function settrace(callback: TraceCallback | null): TraceCallback | null {
  if (callback !== null && typeof callback !== 'function') {
    throw new TypeError('settrace(callback): callback must be a function or null');
  }
  const previous = RT.trace as TraceCallback | null;
  RT.trace = callback as any;
  return previous;
}

/** The callback set by {@link settrace}, or null. */
export function gettrace(): TraceCallback | null {
  return RT.trace as TraceCallback | null;
}
