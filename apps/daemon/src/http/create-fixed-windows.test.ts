import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFixedWindows } from './create-fixed-windows.js';

describe('createFixedWindows', () => {
  it('counts per key until the window ends, then starts over', () => {
    let now = 1_000;
    const windows = createFixedWindows({ windowMs: 100, capacity: 10, clock: () => now });
    expect(windows.add('a', 1)).toEqual({ count: 1, resetsAt: 1_100 });
    now = 1_050;
    expect(windows.add('a', 2)).toEqual({ count: 3, resetsAt: 1_100 });
    expect(windows.peek('b')).toEqual({ count: 0, resetsAt: 1_050 });
    now = 1_099;
    expect(windows.peek('a').count).toBe(3);
    now = 1_100;
    expect(windows.peek('a').count).toBe(0);
    expect(windows.add('a', 1)).toEqual({ count: 1, resetsAt: 1_200 });
  });

  it('forgets the oldest window first when more keys arrive than it may hold', () => {
    const windows = createFixedWindows({ windowMs: 1_000, capacity: 2, clock: () => 0 });
    windows.add('first', 5);
    windows.add('second', 5);
    windows.add('third', 5);
    expect(['first', 'second', 'third'].map((key) => windows.peek(key).count)).toEqual([0, 5, 5]);
  });

  it('agrees with a plain model for any sequence of keys, amounts and clock steps', () => {
    const step = fc.record({
      key: fc.constantFrom('a', 'b', 'c', '', '__proto__', 'constructor'),
      amount: fc.nat(5),
      advance: fc.nat(150),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        let now = 0;
        const windows = createFixedWindows({ windowMs: 100, capacity: 100, clock: () => now });
        const model = new Map<string, { count: number; resetsAt: number }>();
        for (const { key, amount, advance } of steps) {
          now += advance;
          const live = model.get(key);
          const window = live !== undefined && live.resetsAt > now ? live : { count: 0, resetsAt: now + 100 };
          window.count += amount;
          model.set(key, window);
          expect(windows.add(key, amount)).toEqual(window);
        }
      }),
      { seed: 13, numRuns: 500 },
    );
  });

  it('never holds more keys than its capacity, whatever keys arrive', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 300 }), (keys) => {
        const windows = createFixedWindows({ windowMs: 1_000, capacity: 16, clock: () => 0 });
        for (const key of keys) windows.add(key, 1);
        const distinct = [...new Set(keys)];
        const remembered = distinct.filter((key) => windows.peek(key).count > 0);
        expect(remembered.length).toBeLessThanOrEqual(16);
        // The key just counted is always remembered.
        const last = keys.at(-1);
        if (last !== undefined) expect(windows.peek(last).count).toBeGreaterThan(0);
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
