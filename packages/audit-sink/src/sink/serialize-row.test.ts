import { describe, expect, it } from 'vitest';
import { AUDIT_SOURCES, SEAM_NAMES } from '../envelope/seam-names.js';
import { formatEmittedAt, serializeRow } from './serialize-row.js';

describe('serializeRow', () => {
  it('writes exactly what JSON.stringify makes of the whole envelope', () => {
    const callers = [null, 'C0123ABCD:1700000000.000100', 'quote " backslash \\ newline \n tab \t', 'é\u2028\ud83d\ude00\ud800', ''];
    const details = { tool_name: 'kora__create_ticket', count: 3, nested: { list: ['a', '"b"'], empty: {} } };
    for (const seam of SEAM_NAMES) {
      for (const source of [...AUDIT_SOURCES, null]) {
        for (const callerSessionId of callers) {
          const row = { v: 1, id: '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d', emitted_at: '2026-11-27T05:00:00.123Z', seam, source, caller_session_id: callerSessionId } as const;
          expect(serializeRow(row, JSON.stringify(details))).toBe(`${JSON.stringify({ ...row, details })}\n`);
        }
      }
    }
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
