import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { formatRowId, nextRowId } from './next-row-id.js';

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

  it('lays out time, counter and random bits exactly as the uuid package does', () => {
    for (let sample = 0; sample < 2_000; sample += 1) {
      const random = randomBytes(16);
      const msecs = random.readUIntBE(0, 6);
      const seq = random.readInt32BE(4);
      expect(formatRowId(msecs, seq, random)).toBe(uuidv7({ msecs, seq, random }));
    }
  });
});
