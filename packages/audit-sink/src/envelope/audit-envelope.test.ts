import { describe, expect, it } from 'vitest';
import { auditEnvelope } from './audit-envelope.js';

const minimal = {
  v: 1,
  id: '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
  emitted_at: '2026-11-26T17:15:48.123Z',
  seam: 'mcp.tool_called',
  source: null,
  caller_session_id: null,
  details: {},
};

describe('auditEnvelope', () => {
  it('accepts a minimal row and a full row', () => {
    expect(auditEnvelope.safeParse(minimal).success).toBe(true);
    const full = { ...minimal, source: 'slack_dm', caller_session_id: 'D01CHAN01:1700000000.001', details: { a: 1 } };
    expect(auditEnvelope.parse(full)).toEqual(full);
  });

  it('rejects an unknown top-level key', () => {
    const result = auditEnvelope.safeParse({ ...minimal, extra: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('rejects an unregistered seam, an unknown source and a wrong version', () => {
    expect(auditEnvelope.safeParse({ ...minimal, seam: 'mcp.tool_deleted' }).success).toBe(false);
    expect(auditEnvelope.safeParse({ ...minimal, source: 'carrier_pigeon' }).success).toBe(false);
    expect(auditEnvelope.safeParse({ ...minimal, v: 2 }).success).toBe(false);
  });

  it('rejects ids that are not UUIDv7 and timestamps without milliseconds or Z', () => {
    expect(auditEnvelope.safeParse({ ...minimal, id: '0192f7c2-6d3e-4a4b-9c1d-2e3f4a5b6c7d' }).success).toBe(false);
    expect(auditEnvelope.safeParse({ ...minimal, emitted_at: '2026-11-26T17:15:48Z' }).success).toBe(false);
    expect(auditEnvelope.safeParse({ ...minimal, emitted_at: '2026-11-26T17:15:48.123+01:00' }).success).toBe(false);
  });
});
