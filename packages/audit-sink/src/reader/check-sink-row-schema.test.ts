import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import {
  MAX_CALLER_SESSION_ID_LENGTH,
  ROW_EMITTED_AT_END,
  ROW_EMITTED_AT_START,
  ROW_ID_END,
  ROW_ID_START,
} from '../envelope/row-layout.js';
import { validEnvelope } from '../__fixtures__/envelope-arbitraries.js';
import { OUT_OF_LAYOUT_ROWS, SINK_ROW } from '../__fixtures__/sink-row-variants.js';
import { readSinkRowBytes } from './check-sink-row-bytes.js';
import { readSinkRowSeam } from './check-sink-row.js';

/** What the strict envelope schema says of a text: the row, or undefined when it refuses it. */
function bySchema(text: string): AuditEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = auditEnvelope.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A defined answer of the row check is a promise the schema keeps: it accepts the text, on
 * that seam, and the fixed offsets hold the row's id and time, as a reader takes them.
 */
function expectSchemaKeeps(text: string, seam: string | undefined): void {
  if (seam === undefined) return;
  const row = bySchema(text);
  expect(row?.seam).toBe(seam);
  expect(text.slice(ROW_ID_START, ROW_ID_END)).toBe(row?.id);
  expect(text.slice(ROW_EMITTED_AT_START, ROW_EMITTED_AT_END)).toBe(row?.emitted_at);
}

/** Each answer the row check gives for `text`: as text, and as its bytes held to ASCII amid other lines. */
function checkAnswers(text: string): { text: string | undefined; ascii: string | undefined } {
  const bytes = Buffer.from(`{"v":1,"id":"${text}\n{"v":1`);
  const from = '{"v":1,"id":"'.length;
  return { text: readSinkRowSeam(text), ascii: readSinkRowBytes(bytes, from, from + Buffer.byteLength(text)) };
}

// Characters of one, two, three and four bytes of UTF-8 that JSON writes as they are; and
// sometimes one it escapes (a quote, a backslash, a control character, a lone surrogate).
const plainCharacter = fc.constantFrom('a', ':', '.', '\u007f', 'é', 'ß', '€', '\u2028', '😀', '𝄞');
const escapedCharacter = fc.constantFrom('"', '\\', '\n', '\ud800', '\udc00');
/** A caller session id of about `MAX_CALLER_SESSION_ID_LENGTH` UTF-16 code units, just within or over it. */
const callerNearTheCap = fc
  .tuple(
    fc.integer({ min: MAX_CALLER_SESSION_ID_LENGTH - 4, max: MAX_CALLER_SESSION_ID_LENGTH + 4 }),
    fc.array(fc.oneof({ arbitrary: plainCharacter, weight: 40 }, { arbitrary: escapedCharacter, weight: 1 }), {
      minLength: 64,
      maxLength: 64,
    }),
  )
  .map(([units, characters]) => {
    let caller = '';
    for (let index = 0; caller.length < units; index += 1) caller += characters[index % characters.length]!;
    return caller;
  });

describe('the row check on text and on bytes', { timeout: 600_000 }, () => {
  it('vouches only for rows the strict envelope schema accepts, on the same seam, and for every row the sink writes', () => {
    fc.assert(
      fc.property(validEnvelope, (row) => {
        const text = JSON.stringify(row);
        const answers = checkAnswers(text);
        expect(bySchema(text)?.seam).toBe(row.seam);
        expectSchemaKeeps(text, answers.text);
        expectSchemaKeeps(text, answers.ascii);
        // Rows written plainly are all vouched for as text, and as bytes when they are ASCII.
        const plain = (value: string): boolean => JSON.stringify(value) === `"${value}"`;
        const inLayout =
          (row.caller_session_id === null || plain(row.caller_session_id)) &&
          Object.keys(row.details).every((key) => key !== '__proto__' && plain(key));
        expect(answers.text).toBe(inLayout ? row.seam : undefined);
        expect(answers.ascii).toBe(inLayout && /^[\x20-\x5b\x5d-\x7e]*$/.test(text) ? row.seam : undefined);
      }),
      { numRuns: 3_000, seed: 0x736368 },
    );
  });

  it('counts a caller session id in UTF-16 code units, as the schema does, whatever its characters', () => {
    fc.assert(
      fc.property(callerNearTheCap, (caller) => {
        const text = SINK_ROW.replace('"caller_session_id":"D01:1700000000.000100"', `"caller_session_id":${JSON.stringify(caller)}`);
        const answers = checkAnswers(text);
        expectSchemaKeeps(text, answers.text);
        expectSchemaKeeps(text, answers.ascii);
        // Written plainly (no escape) and within the cap, the row is the text check's to take.
        if (JSON.stringify(caller) === `"${caller}"` && caller.length <= MAX_CALLER_SESSION_ID_LENGTH)
          expect(answers.text).toBe('webhook.dead_letter');
        if (caller.length > MAX_CALLER_SESSION_ID_LENGTH) expect(answers.text).toBeUndefined();
      }),
      { numRuns: 3_000, seed: 0x636c72 },
    );
  });

  it('never vouches for a hostile variant of a row that the strict envelope schema refuses', () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'replace'),
      fc.oneof(
        fc.constantFrom(...' \t\r\n\\"{}[]:,.-+eE0123456789nulltruefalse_proto\u007f\u00e9\u20ac\ud83d\ude00\ud800'.split('')),
        fc.string({ minLength: 1, maxLength: 3 }),
      ),
    );
    const original = fc.oneof(
      validEnvelope.map((row) => JSON.stringify(row)),
      fc.constant(SINK_ROW),
      fc.constantFrom(...OUT_OF_LAYOUT_ROWS),
    );
    fc.assert(
      fc.property(original, fc.array(edit, { minLength: 0, maxLength: 3 }), (start, edits) => {
        let text = start;
        for (const [position, kind, piece] of edits) {
          const at = position % (text.length + 1);
          text =
            kind === 'insert'
              ? text.slice(0, at) + piece + text.slice(at)
              : kind === 'delete'
                ? text.slice(0, at) + text.slice(at + 1)
                : text.slice(0, at) + piece + text.slice(at + piece.length);
        }
        const answers = checkAnswers(text);
        expectSchemaKeeps(text, answers.text);
        expectSchemaKeeps(text, answers.ascii);
        // Whatever the bytes held to ASCII are vouched for, the text is too.
        if (answers.ascii !== undefined) expect(answers.text).toBe(answers.ascii);
      }),
      { numRuns: 20_000, seed: 0x686f73 },
    );
  });
});
