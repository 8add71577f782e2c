/** The range an integer option must be in, and its value when it is left out. */
export interface IntegerOptionRange {
  /** The least value allowed. */
  readonly min: number;
  /** The greatest value allowed. */
  readonly max: number;
  /** The value when the option is left out (`undefined`). */
  readonly fallback: number;
}

/**
 * An integer option of `owner` (a function's name, for the message) as given, or its fallback
 * when left out. A value that is given must be valid: a value that is not a number throws a
 * TypeError, and a fraction, NaN, an infinity or a number outside [min, max] throws a
 * RangeError, each naming the function and the option. A mistake thus shows where it is made,
 * never silently changed into a value the caller did not ask for.
 */
export function readIntegerOption(owner: string, name: string, value: unknown, range: IntegerOptionRange): number {
  if (value === undefined) return range.fallback;
  const expected = `${owner}: ${name} must be an integer from ${range.min} to ${range.max}`;
  // Only a number is repeated in the message: any other value is named by its type alone.
  if (typeof value !== 'number') throw new TypeError(`${expected}, got a ${typeof value}`);
  if (!Number.isInteger(value) || value < range.min || value > range.max) throw new RangeError(`${expected}, got ${String(value)}`);
  return value;
}
