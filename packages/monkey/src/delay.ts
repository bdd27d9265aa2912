/**
 * Node's rules for timer delays, for the patched timers.
 *
 * `undefined` is 1 ms. Anything else is coerced with `* 1` (a Symbol or a BigInt throws
 * TypeError, as in Node). A result that is not from 1 to 2^31-1 becomes 1 ms; Node warns
 * with `TimeoutOverflowWarning` above 2^31-1 and, from the Node version that added them
 * (24), with `TimeoutNegativeWarning` for a negative finite delay and `TimeoutNaNWarning`
 * for NaN. Which warnings this Node emits is found once, by asking Node's own setTimeout
 * (with `process.emitWarning` caught) the first time a negative or NaN delay is seen.
 * Fractions of a millisecond are kept.
 */
import { NATIVE } from './natives.js';

/** The largest delay Node accepts (ms). */
export const TIMEOUT_MAX = 2 ** 31 - 1;

let probed: { negative: boolean; nan: boolean } | null = null;

function probe(): { negative: boolean; nan: boolean } {
  if (probed !== null) return probed;
  const seen = new Set<string>();
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error, type?: unknown) => {
    const name =
      typeof w === 'object' && w !== null
        ? w.name
        : typeof type === 'string'
          ? type
          : typeof type === 'object' && type !== null
            ? String((type as any).type)
            : '';
    seen.add(name);
  }) as typeof process.emitWarning;
  try {
    NATIVE.clearTimeout(NATIVE.setTimeout(() => {}, -5));
    NATIVE.clearTimeout(NATIVE.setTimeout(() => {}, Number.NaN));
  } finally {
    process.emitWarning = emit;
  }
  probed = { negative: seen.has('TimeoutNegativeWarning'), nan: seen.has('TimeoutNaNWarning') };
  return probed;
}

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
    if (probe().negative) {
      process.emitWarning(
        `${ms} is a negative number.\nTimeout duration was set to 1.`,
        'TimeoutNegativeWarning',
      );
    }
  } else if (Number.isNaN(ms)) {
    if (probe().nan) {
      process.emitWarning(
        `${ms} is not a number.\nTimeout duration was set to 1.`,
        'TimeoutNaNWarning',
      );
    }
  }
  return 1;
}
