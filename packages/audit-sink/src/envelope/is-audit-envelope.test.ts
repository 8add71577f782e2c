import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validEnvelope } from '../__fixtures__/envelope-arbitraries.js';
import { auditEnvelope } from './audit-envelope.js';
import { isAuditEnvelope } from './is-audit-envelope.js';

// Values a row's fields should not hold, and keys a row should not have.
const oddValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ minLength: 257, maxLength: 300 }),
  fc.constantFrom(
    '0192F7C2-6D3E-7A4B-9C1D-2E3F4A5B6C7D',
    '2026-11-26T17:15:48Z',
    '2026-11-26 17:15:48.123Z',
    'mcp.tool_called ',
    'MCP_HTTP',
    2,
    '1',
    '4BF92F3577B34DA6A3CE929D0E0E4736',
    '00000000000000000000000000000000',
    '0000000000000000',
    '00f067aa0ba902b7',
    '4bf92f3577b34da6a3ce929d0e0e4736',
  ),
  fc.constant([]),
);

/** A row, then the same after a few edits: a field changed, removed or added, the text re-parsed. */
const editedRow = fc
  .tuple(
    validEnvelope,
    fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('set' as const),
          key: fc.constantFrom('v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details', 'trace_id', 'span_id'),
          value: oddValue,
        }),
        fc.record({
          kind: fc.constant('delete' as const),
          key: fc.constantFrom('v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details', 'trace_id', 'span_id'),
        }),
        fc.record({
          kind: fc.constant('add' as const),
          key: fc.constantFrom('extra', '__proto__', 'constructor', 'V'),
          value: fc.jsonValue(),
        }),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([row, edits]) => {
    let text = JSON.stringify(row);
    for (const edit of edits) {
      const current = JSON.parse(text) as Record<string, unknown>;
      if (edit.kind === 'delete') delete current[edit.key];
      else Object.defineProperty(current, edit.key, { value: edit.value, enumerable: true, writable: true, configurable: true });
      text = JSON.stringify(current);
    }
    // Parsed from text, as the reader has it: a `__proto__` key is an own property here.
    return JSON.parse(text) as unknown;
  });

describe('isAuditEnvelope', { timeout: 600_000 }, () => {
  it('accepts every row the sink could write', () => {
    fc.assert(
      fc.property(validEnvelope, (row) => {
        const parsed = JSON.parse(JSON.stringify(row)) as unknown;
        expect(isAuditEnvelope(parsed)).toBe(true);
      }),
      { numRuns: 2_000, seed: 0x656e76 },
    );
  });

  it('accepts nothing the envelope schema refuses', () => {
    let refused = 0;
    fc.assert(
      fc.property(editedRow, (row) => {
        const schemaAccepts = auditEnvelope.safeParse(row).success;
        if (!schemaAccepts) refused += 1;
        if (isAuditEnvelope(row)) expect(schemaAccepts).toBe(true);
      }),
      { numRuns: 10_000, seed: 0x726f77 },
    );
    // The edits must really produce rows the schema refuses, or this proves nothing.
    expect(refused).toBeGreaterThan(3_000);
  });

  it('refuses a details object with a __proto__ key or without the plain prototype, leaving it to the schema', () => {
    const row = {
      v: 1,
      id: '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
      emitted_at: '2026-11-26T17:15:48.123Z',
      seam: 'mcp.tool_called',
      source: null,
      caller_session_id: null,
    };
    expect(isAuditEnvelope(JSON.parse(JSON.stringify({ ...row, details: {} })))).toBe(true);
    expect(isAuditEnvelope(JSON.parse(`${JSON.stringify(row).slice(0, -1)},"details":{"__proto__":{}}}`))).toBe(false);
    expect(isAuditEnvelope({ ...row, details: Object.create(null) as object })).toBe(false);
    expect(isAuditEnvelope({ ...row, details: [] })).toBe(false);
  });
});
