/** Validates a number of seconds: NaN and non-numbers are a TypeError naming the call. */
export function checkSeconds(x: unknown, what: string): asserts x is number {
  if (typeof x !== 'number' || Number.isNaN(x)) {
    throw new TypeError(`${what} must be a number of seconds, got ${String(x)}`);
  }
}
