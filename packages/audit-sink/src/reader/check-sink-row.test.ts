import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
import { validEnvelope } from '../__fixtures__/envelope-arbitraries.js';
import { OUT_OF_LAYOUT_ROWS, SINK_ROW as ROW, expectSinkRowSound } from '../__fixtures__/sink-row-variants.js';
import { readSinkRowSeam } from './check-sink-row.js';

describe('readSinkRowSeam', { timeout: 600_000 }, () => {
  it('returns the seam of every row as the sink serializes it', () => {
    expect(readSinkRowSeam(ROW)).toBe('webhook.dead_letter');
    fc.assert(
      fc.property(validEnvelope, (row) => {
        const text = JSON.stringify(row);
        const seam = readSinkRowSeam(text);
        // Left to the parser: an escape in an envelope value or a details key, or a details key
        // named __proto__ (fast-check's values nest less than 64 deep).
        const plain = (value: string): boolean => JSON.stringify(value) === `"${value}"`;
        const inLayout =
          (row.caller_session_id === null || plain(row.caller_session_id)) &&
          Object.keys(row.details).every((key) => key !== '__proto__' && plain(key));
        expect(seam).toBe(inLayout ? row.seam : undefined);
        expectSinkRowSound(text, seam);
      }),
      { numRuns: 3_000, seed: 0x736b72 },
    );
  });

  it('never vouches for a text the parser or the envelope check refuses, however it was edited', () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'replace'),
      fc.oneof(fc.constantFrom(...' \t\r\\"{}[]:,.-+eE0123456789nulltruefalse_proto'.split('')), fc.string({ minLength: 1, maxLength: 3 })),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          validEnvelope.map((row) => JSON.stringify(row)),
          fc.constant(ROW),
        ),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        (original, edits) => {
          let text = original;
          for (const [position, kind, piece] of edits) {
            const at = position % (text.length + 1);
            text =
              kind === 'insert'
                ? text.slice(0, at) + piece + text.slice(at)
                : kind === 'delete'
                  ? text.slice(0, at) + text.slice(at + 1)
                  : text.slice(0, at) + piece + text.slice(at + piece.length);
          }
          let parsed: unknown;
          let parses = true;
          try {
            parsed = JSON.parse(text);
          } catch {
            parses = false;
          }
          const seam = readSinkRowSeam(text);
          // Told whether the text is free of backslashes and control characters, it answers the same.
          expect(readSinkRowSeam(text, !/[\\\x00-\x1f]/.test(text))).toBe(seam);
          if (seam !== undefined) {
            expect(parses).toBe(true);
            expect(isAuditEnvelope(parsed)).toBe(true);
          }
          expectSinkRowSound(text, seam);
        },
      ),
      { numRuns: 20_000, seed: 0x656474 },
    );
  });

  it('leaves to the parser whatever is not in the layout the sink writes', () => {
    const variants = OUT_OF_LAYOUT_ROWS;
    for (const text of variants) expect(readSinkRowSeam(text), text).toBeUndefined();
  });

  it('follows escapes, numbers and nesting inside details as JSON allows them', () => {
    const details = { quote: 'a"b\\c\n\t\u0001', unicode: 'é\u2028😀', nested: { deeper: [{ a: [] }, {}] }, empty: '' };
    const numbers = '"numbers":[0,-0,1.5e-7,-12E+3,1e400,0.5,-10]';
    const text = ROW.replace(/"details":\{.*\}\}$/, `"details":{${numbers},${JSON.stringify(details).slice(1)}}`);
    expect(readSinkRowSeam(text)).toBe('webhook.dead_letter');
    expectSinkRowSound(text, readSinkRowSeam(text));
  });
});
