import { HOSTILE_JSON_OBJECTS, replaceJsonPart } from '@kora/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor } from './decode-reader-cursor.js';
import { encodeOpaqueCursor } from './opaque-cursor.js';

const CURSOR = {
  v: 1,
  file: 2,
  offset: 4096,
  dev: '2049',
  ino: '131074',
  at: '2026-11-27T00:00:00.000Z',
  id: '0192f7c2-6d3e-7a4b-9c1d-00000000002a',
};

describe('decodeCursor on a cursor with any part replaced', () => {
  it('reads back the cursor a page handed out', () => {
    expect(decodeCursor('readAuditEntries', encodeOpaqueCursor(CURSOR))).toEqual(CURSOR);
  });

  it('decodes a well-formed position or throws the invalid-cursor TypeError, never a conversion error', () => {
    const replacement = fc.oneof(fc.jsonValue(), fc.constantFrom(...HOSTILE_JSON_OBJECTS, -1, 1.5, '', '12', null, [], {}));
    fc.assert(
      fc.property(fc.nat(), replacement, (pick, other) => {
        const cursor = encodeOpaqueCursor(replaceJsonPart(CURSOR, pick, other));
        let decoded: unknown;
        try {
          decoded = decodeCursor('readAuditEntries', cursor);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as Error).message).toBe('readAuditEntries: invalid cursor (pass back the cursor of a previous page unchanged)');
          return;
        }
        const { dev, ino, file, offset } = decoded as typeof CURSOR;
        expect([dev, ino]).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]);
        expect(Number.isSafeInteger(file) && Number.isSafeInteger(offset) && offset >= 0).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});
