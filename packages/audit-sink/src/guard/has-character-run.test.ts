import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRunCharacters, hasCharacterRun } from './has-character-run.js';

const DIGITS_AND_SEPARATORS = compileRunCharacters(/[0-9 -]/);

describe('hasCharacterRun', () => {
  it('finds a run of the length asked for wherever it starts, and nothing shorter', () => {
    expect(hasCharacterRun('4111 1111 1111 1111', DIGITS_AND_SEPARATORS, 13)).toBe(true);
    expect(hasCharacterRun('x4111-1111-111x', DIGITS_AND_SEPARATORS, 13)).toBe(true);
    expect(hasCharacterRun('x4111-1111-11x', DIGITS_AND_SEPARATORS, 13)).toBe(false);
    expect(hasCharacterRun('ts=1700000000.000100', DIGITS_AND_SEPARATORS, 13)).toBe(false);
    expect(hasCharacterRun('', DIGITS_AND_SEPARATORS, 13)).toBe(false);
    expect(hasCharacterRun('\u0660'.repeat(20), DIGITS_AND_SEPARATORS, 13)).toBe(false);
  });

  it('agrees with a regex on any text', () => {
    const text = fc.string({ unit: fc.constantFrom('1', '2', ' ', '-', 'a', '.', '\u00e9'), maxLength: 80 });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 20 }), (sample, length) => {
        expect(hasCharacterRun(sample, DIGITS_AND_SEPARATORS, length)).toBe(new RegExp(`[0-9 -]{${length}}`).test(sample));
      }),
      { numRuns: 20_000, seed: 0x72756e },
    );
  });
});
