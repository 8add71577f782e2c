import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRange, addSeq, countSeqs, countSeqsWithin, formatSeqRanges } from './seq-ranges.js';
import type { SeqRange } from './seq-ranges.js';

describe('seq ranges', () => {
  it('holds exactly the numbers added, ascending and merged where they meet, and counts them anywhere', () => {
    const run = fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 10 }));
    fc.assert(
      fc.property(
        fc.array(run, { maxLength: 30 }),
        fc.integer({ min: 1, max: 210 }),
        fc.integer({ min: 0, max: 30 }),
        (runs, from, span) => {
          const ranges: SeqRange[] = [];
          const expected = new Set<number>();
          for (const [first, length] of runs) {
            if (length === 0) addSeq(ranges, first);
            else addRange(ranges, { first, last: first + length });
            for (let seq = first; seq <= first + length; seq += 1) expected.add(seq);
          }
          const held = ranges.flatMap((range) => Array.from({ length: range.last - range.first + 1 }, (_, index) => range.first + index));
          expect(held).toEqual([...expected].sort((a, b) => a - b));
          for (let index = 1; index < ranges.length; index += 1) expect(ranges[index]!.first).toBeGreaterThan(ranges[index - 1]!.last + 1);
          expect(countSeqs(ranges)).toBe(expected.size);
          expect(countSeqsWithin(ranges, from, from + span)).toBe([...expected].filter((seq) => seq >= from && seq <= from + span).length);
        },
      ),
    );
    expect(
      formatSeqRanges([
        { first: 3, last: 5 },
        { first: 9, last: 9 },
      ]),
    ).toBe('3-5,9');
  });
});
