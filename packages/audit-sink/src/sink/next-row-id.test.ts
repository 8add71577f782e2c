import { describe, expect, it } from 'vitest';
import { nextRowId } from './next-row-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('nextRowId', () => {
  it('makes unique, time-ordered UUIDv7s, also many within one millisecond and across the pool refill', () => {
    const ids = Array.from({ length: 2_000 }, () => nextRowId(1_795_700_000_000));
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('encodes the time in the first 48 bits and never goes back when the clock does', () => {
    const later = nextRowId(1_795_800_000_000);
    expect(parseInt(later.replace(/-/g, '').slice(0, 12), 16)).toBe(1_795_800_000_000);
    const afterClockStep = nextRowId(1_795_700_000_000);
    expect(afterClockStep > later).toBe(true);
  });
});
