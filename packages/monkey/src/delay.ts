/**
 * Node's rules for timer delays, for the patched timers.
 *
 * `undefined` is 1 ms. Anything else is coerced with `* 1` (a Symbol or a BigInt throws
 * TypeError, as in Node). A result that is not from 1 to 2^31-1 becomes 1 ms; as Node does,
 * it warns with `TimeoutOverflowWarning` above 2^31-1 (every time) and, on Node 23 and
 * later, with `TimeoutNegativeWarning` for a negative finite delay and `TimeoutNaNWarning`
 * for NaN (once each per process; the patch keeps its own "once", so a process whose
 * native timers warned before patching can see each of these twice). Fractions of a
 * millisecond are kept.
 */

/** The largest delay Node accepts (ms). */
export const TIMEOUT_MAX = 2 ** 31 - 1;

// Node 23 added warnings for negative and NaN delays, each emitted once per process.
const WARNS_NEGATIVE_NAN = Number(process.versions.node.split('.')[0]) >= 23;
let warnedNegative = false;
let warnedNaN = false;

/** The delay in ms Node would use for `after` (emitting Node's warning where Node does). */
export function normalizeDelay(after: unknown): number {
  if (after === undefined) return 1;
  const ms = (after as number) * 1;
  if (ms >= 1 && ms <= TIMEOUT_MAX) return ms;
  if (ms > TIMEOUT_MAX) {
    process.emitWarning(
      `${ms} does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.`,
      'TimeoutOverflowWarning',
    );
  } else if (ms < 0 && ms !== Number.NEGATIVE_INFINITY) {
    if (WARNS_NEGATIVE_NAN && !warnedNegative) {
      warnedNegative = true;
      process.emitWarning(
        `${ms} is a negative number.\nTimeout duration was set to 1.`,
        'TimeoutNegativeWarning',
      );
    }
  } else if (Number.isNaN(ms)) {
    if (WARNS_NEGATIVE_NAN && !warnedNaN) {
      warnedNaN = true;
      process.emitWarning(
        `${ms} is not a number.\nTimeout duration was set to 1.`,
        'TimeoutNaNWarning',
      );
    }
  }
  return 1;
}
