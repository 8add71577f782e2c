import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIT_SOURCES, SEAM_NAMES } from '../envelope/seam-names.js';
import { formatEmittedAt, serializeRow } from './serialize-row.js';

const ROW = {
  v: 1,
  id: '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
  emitted_at: '2026-11-27T05:00:00.123Z',
  seam: 'webhook.dead_letter',
  source: null,
} as const;
// What a terminal would act on if the file held it raw: DEL, C1 (CSI, NEL), separators, bidi controls.
const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe('serializeRow', () => {
  it('writes exactly what JSON.stringify makes of the whole envelope when no control is left raw', () => {
    const callers = [null, 'C0123ABCD:1700000000.000100', 'quote " backslash \\ newline \n tab \t', 'é\ud83d\ude00\ud800', ''];
    const details = { tool_name: 'kora__create_ticket', count: 3, nested: { list: ['a', '"b"'], empty: {} } };
    for (const seam of SEAM_NAMES) {
      for (const source of [...AUDIT_SOURCES, null]) {
        for (const callerSessionId of callers) {
          const row = {
            v: 1,
            id: '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
            emitted_at: '2026-11-27T05:00:00.123Z',
            seam,
            source,
            caller_session_id: callerSessionId,
          } as const;
          expect(serializeRow(row, JSON.stringify(details))).toBe(`${JSON.stringify({ ...row, details })}\n`);
        }
      }
    }
  });

  it('escapes the C1 controls, separators and bidi controls JSON.stringify leaves raw', () => {
    const hostile = 'csi\x9b31m nel\u0085 ls\u2028 rlo\u202e lri\u2066 lrm\u200e alm\u061c del\x7f';
    const details = { headers: { 'user-agent': hostile } };
    const line = serializeRow({ ...ROW, caller_session_id: hostile }, JSON.stringify(details));
    expect(line).toContain(
      String.raw`"caller_session_id":"csi\u009b31m nel\u0085 ls\u2028 rlo\u202e lri\u2066 lrm\u200e alm\u061c del\u007f"`,
    );
    expect(RAW_UNSAFE.test(line)).toBe(false);
    expect(JSON.parse(line)).toEqual({ ...ROW, caller_session_id: hostile, details });
  });

  it('leaves no raw control and parses back to the same row for any text from outside', () => {
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom('\x9b', '\x85', '\x7f', '\u2028', '\u2029', '\u202e', '\u2066', '\u200f', '\u061c'),
    );
    const text = fc.string({ unit, maxLength: 64 });
    fc.assert(
      fc.property(
        fc.option(text),
        fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 4 })), { maxKeys: 6 }),
        (callerSessionId, details) => {
          const line = serializeRow({ ...ROW, caller_session_id: callerSessionId }, JSON.stringify(details));
          expect(line.endsWith('}\n')).toBe(true);
          expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
          expect(RAW_UNSAFE.test(line)).toBe(false);
          expect(JSON.parse(line)).toEqual({ ...ROW, caller_session_id: callerSessionId, details });
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('formatEmittedAt', () => {
  it('matches toISOString through repeats, steps forward and steps back', () => {
    for (const msecs of [0, 1_795_700_000_000, 1_795_700_000_000, 1_795_700_000_001, 1_795_699_999_999, 253_402_300_799_999, -1]) {
      expect(formatEmittedAt(msecs)).toBe(new Date(msecs).toISOString());
    }
  });

  it('throws for a time no Date can hold, as toISOString does', () => {
    expect(() => formatEmittedAt(Number.NaN)).toThrow(RangeError);
    expect(() => formatEmittedAt(8.64e15 + 1)).toThrow(RangeError);
  });
});
