import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration.js';
import { parseDurationOption } from './parse-arguments.js';
import { UsageError } from './usage-error.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[]));
// Any text, often near a duration's shape: digits, unit letters, signs, dots and spaces.
const nearDuration = fc.string({
  unit: fc.oneof(fc.constantFrom(...'0123456789msdhw-+. e_\u202e\x1b'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  maxLength: 12,
});

describe('parseDurationOption', () => {
  it('reads a whole number and a unit as that many milliseconds, spaces around it ignored', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), unit, fc.constantFrom('', ' ', '\t'), (count, name, pad) => {
        expect(parseDurationOption('--behind', `${pad}${count}${name}${pad}`)).toBe(count * UNIT_MS[name]);
      }),
    );
  });

  it('returns a safe whole number of milliseconds or throws a UsageError naming the option, whatever the text', () => {
    fc.assert(
      fc.property(nearDuration, (text) => {
        let ms: number | undefined;
        try {
          ms = parseDurationOption('--behind', text);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message.startsWith('--behind: ')).toBe(true);
          return;
        }
        if (ms !== undefined) {
          expect(Number.isSafeInteger(ms) && ms >= 0).toBe(true);
          expect(text.trim()).toMatch(/^\d+(ms|s|m|h|d|w)$/);
        } else {
          expect(text.trim()).toBe('never');
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses a count too large to be an exact number of milliseconds', () => {
    expect(() => parseDurationOption('--behind', '99999999999999999999w')).toThrow(UsageError);
  });
});

describe('formatDuration', () => {
  it('shows at most two units, never more than the duration, and within one of the smaller unit of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 10 * 365 * 86_400_000 }), (ms) => {
        const text = formatDuration(ms);
        const parts = text.split(' ');
        expect(parts.length).toBeLessThanOrEqual(2);
        const total = parts.reduce((sum, part) => sum + parseDurationOption('part', part)!, 0);
        const smallest = UNIT_MS[/[a-z]+$/.exec(parts.at(-1) ?? '')?.[0] as keyof typeof UNIT_MS];
        expect(total).toBeLessThanOrEqual(ms);
        expect(ms - total).toBeLessThan(smallest);
      }),
    );
  });

  it('writes under a second in milliseconds, and keeps the sign of a clock running ahead', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10 * 86_400_000, max: 10 * 86_400_000 }), (ms) => {
        const text = formatDuration(ms);
        expect(text.startsWith('-')).toBe(ms < 0);
        expect(formatDuration(-ms).replace(/^-/, '')).toBe(text.replace(/^-/, ''));
        if (Math.abs(ms) < 1_000) expect(text).toBe(`${ms}ms`.replace(/^-0ms$/, '0ms'));
      }),
    );
    expect([formatDuration(0), formatDuration(59_999), formatDuration(7_200_000), formatDuration(5 * 3_600_000 + 61_000)]).toEqual([
      '0ms',
      '59s',
      '2h 0m',
      '5h 1m',
    ]);
  });
});
