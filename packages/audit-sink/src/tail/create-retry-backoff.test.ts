import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRetryBackoff } from './create-retry-backoff.js';
import type { RetryBackoff } from './create-retry-backoff.js';

/** The waits after `failures` failures in a row. */
function waits(backoff: RetryBackoff, failures: number): number[] {
  return Array.from({ length: failures }, () => {
    backoff.failed();
    return backoff.delayMs();
  });
}

describe('createRetryBackoff', () => {
  it('doubles from 100 ms to 30 s, one step per failure, at most the base with the largest draw', () => {
    expect(waits(createRetryBackoff({ random: () => 1 }), 11)).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000,
    ]);
  });

  it('waits at least half the base, and never less than the first delay, with the smallest draw', () => {
    expect(waits(createRetryBackoff({ random: () => 0 }), 11)).toEqual([
      100, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 15_000, 15_000,
    ]);
  });

  it('takes its own first delay and cap', () => {
    expect(waits(createRetryBackoff({ initialDelayMs: 20, maxDelayMs: 100, random: () => 1 }), 5)).toEqual([20, 40, 80, 100, 100]);
    // A first delay above the default cap is its own cap unless one is given.
    expect(waits(createRetryBackoff({ initialDelayMs: 600_000, random: () => 1 }), 2)).toEqual([600_000, 600_000]);
  });

  it('grows only when an attempt fails, not when the wait is asked for, and starts over after a success', () => {
    const backoff = createRetryBackoff({ random: () => 1 });
    expect(backoff.delayMs()).toBe(100);
    backoff.failed();
    backoff.failed();
    for (let ask = 0; ask < 10; ask += 1) expect(backoff.delayMs()).toBe(200);
    backoff.succeeded();
    expect(backoff.delayMs()).toBe(100);
    expect(waits(backoff, 2)).toEqual([100, 200]);
  });

  it('draws every wait as a whole number of milliseconds between half the base and the base', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (initialDelayMs, extraMs, draws) => {
          const maxDelayMs = initialDelayMs + extraMs;
          let next = 0;
          const backoff = createRetryBackoff({ initialDelayMs, maxDelayMs, random: () => draws[next++ % draws.length] ?? 0 });
          let base = 0;
          for (let failure = 0; failure < draws.length; failure += 1) {
            backoff.failed();
            base = base === 0 ? initialDelayMs : Math.min(base * 2, maxDelayMs);
            const wait = backoff.delayMs();
            expect(Number.isInteger(wait)).toBe(true);
            expect(wait).toBeGreaterThanOrEqual(Math.max(initialDelayMs, Math.floor(base / 2)));
            expect(wait).toBeLessThanOrEqual(base);
          }
        },
      ),
    );
  });
});
