import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readIntegerOption } from './read-integer-option.js';

const range = { min: 1, max: 50_000, fallback: 500 };

describe('readIntegerOption', () => {
  it('takes a value in range as given, and the fallback when the option is left out', () => {
    expect(readIntegerOption('createThing', 'batchRows', 1, range)).toBe(1);
    expect(readIntegerOption('createThing', 'batchRows', 50_000, range)).toBe(50_000);
    expect(readIntegerOption('createThing', 'batchRows', undefined, range)).toBe(500);
  });

  it('refuses a number out of range or not whole with a RangeError naming the function, the option and the range', () => {
    expect(() => readIntegerOption('createThing', 'batchRows', 0, range)).toThrow(
      new RangeError('createThing: batchRows must be an integer from 1 to 50000, got 0'),
    );
    expect(() => readIntegerOption('createThing', 'batchRows', 50_001, range)).toThrow(RangeError);
    expect(() => readIntegerOption('createThing', 'batchRows', 2.5, range)).toThrow(RangeError);
    expect(() => readIntegerOption('createThing', 'batchRows', Number.NaN, range)).toThrow(
      new RangeError('createThing: batchRows must be an integer from 1 to 50000, got NaN'),
    );
    expect(() => readIntegerOption('createThing', 'batchRows', Number.POSITIVE_INFINITY, range)).toThrow(RangeError);
  });

  it('refuses a value that is not a number with a TypeError that names its type, never the value', () => {
    expect(() => readIntegerOption('createThing', 'batchRows', '100', range)).toThrow(
      new TypeError('createThing: batchRows must be an integer from 1 to 50000, got a string'),
    );
    expect(() => readIntegerOption('createThing', 'batchRows', null, range)).toThrow(TypeError);
    expect(() => readIntegerOption('createThing', 'batchRows', 100n, range)).toThrow(TypeError);
  });

  it('returns an integer in range or throws a TypeError or RangeError for anything at all', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true }), fc.oneof(fc.double(), fc.integer({ min: -10, max: 60_000 })), (other, number) => {
        for (const value of [other, number]) {
          try {
            const read = readIntegerOption('createThing', 'batchRows', value, range);
            expect(Number.isInteger(read) && read >= range.min && read <= range.max).toBe(true);
          } catch (error) {
            expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
            expect((error as Error).message).toMatch(/^createThing: batchRows must be an integer from 1 to 50000, got /);
          }
        }
      }),
    );
  });
});
