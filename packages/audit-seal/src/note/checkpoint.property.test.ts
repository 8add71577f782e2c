import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.js';

const line = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((text) => !/[\u0000-\u001f]/.test(text));
const checkpoint = fc.record({
  origin: line,
  size: fc.maxSafeNat(),
  root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  extensions: fc.array(line, { maxLength: 3 }),
});

describe('parseCheckpoint on hostile input', () => {
  it('reads back every checkpoint it formats', () => {
    fc.assert(
      fc.property(checkpoint, (value) => {
        expect(parseCheckpoint(formatCheckpoint(value))).toEqual({ ok: true, value });
      }),
      { numRuns: 1_000 },
    );
  });

  it('never throws on any string, and what it accepts formats back to the same text', () => {
    const lines = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.nat().map(String), fc.base64String()), { maxLength: 6 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          lines.map((parts) => parts.map((part) => `${part}\n`).join('')),
        ),
        (text) => {
          const parsed = parseCheckpoint(text);
          if (parsed.ok) expect(formatCheckpoint(parsed.value)).toBe(text);
          else expect(parsed.error).toMatch(/^not a checkpoint: /);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
