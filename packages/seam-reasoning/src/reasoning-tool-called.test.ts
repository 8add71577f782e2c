import { fileURLToPath } from 'node:url';
import { expectSeamContract, readGoldenLines } from '@kora/audit-sink/testing';
import { describe, expect, it } from 'vitest';
import { reasoningToolCalledDetails, seam } from './reasoning-tool-called.js';

const goldenPath = fileURLToPath(new URL('../../../../shared/spec/golden-lines.jsonl', import.meta.url));
const golden = readGoldenLines(goldenPath, 'reasoning.tool_called');

const validDetails = {
  tool_name: 'kora__create_sea_ticket',
  triggered_by: 'probe_wake',
  tool_duration_ms: 1503,
  tool_status: 'error',
  exc_type: 'TimeoutError',
};

describe('seam', () => {
  it('reproduces every golden reasoning.tool_called line byte for byte at info', () => {
    expect(golden.length).toBeGreaterThan(0);
    for (const vector of golden) {
      expect(seam.formatLine(vector.details, { caller_session_id: vector.caller_session_id })).toBe(vector.line);
      expect(vector.level).toBe(seam.level);
    }
  });

  it('keeps allow-listed fields, rejects unknown and missing ones, and matches the golden lines', async () => {
    await expectSeamContract(seam, { validDetails, goldenPath });
  });

  it('accepts every golden row', () => {
    for (const vector of golden) expect(reasoningToolCalledDetails.safeParse(vector.details).success).toBe(true);
  });

  it('writes exc_type only when present and None for an unknown session', () => {
    const withoutError = { ...validDetails, exc_type: undefined, tool_status: 'ok' };
    expect(seam.formatLine(withoutError)).toBe(
      '[kora.reasoning.tool_called] tool=kora__create_sea_ticket triggered_by=probe_wake caller_session_id=None tool_duration_ms=1503 tool_status=ok',
    );
    expect(seam.formatLine({ ...withoutError, exc_type: null }, { caller_session_id: null })).not.toContain('exc_type');
    expect(seam.formatLine(validDetails, { caller_session_id: 'cron:probe-7' })).toMatch(
      / caller_session_id=cron:probe-7 .* exc_type=TimeoutError$/,
    );
  });

  it('writes the duration as Python %d does, and any odd value visibly', () => {
    const line = (tool_duration_ms: unknown): string => seam.formatLine({ ...validDetails, tool_duration_ms });
    expect(line(2147483648)).toContain(' tool_duration_ms=2147483648 ');
    expect(line(12.9)).toContain(' tool_duration_ms=12 ');
    expect(line('12 ms')).toContain(String.raw` tool_duration_ms=12\x20ms `);
  });

  it('escapes control characters so a value cannot forge a second line', () => {
    const line = seam.formatLine(
      { ...validDetails, tool_name: 'x\n[kora.reasoning.tool_called] tool=forged', exc_type: 'E\r' },
      { caller_session_id: 'D1:1\u2028' },
    );
    expect(line).not.toMatch(/[\r\n\u2028]/);
    expect(line).toContain(String.raw`tool=x\n[kora.reasoning.tool_called]\x20tool=forged`);
    expect(line).toContain(String.raw`caller_session_id=D1:1\u2028`);
  });
});

describe('reasoningToolCalledDetails', () => {
  const parses = (patch: Record<string, unknown>): boolean => reasoningToolCalledDetails.safeParse({ ...validDetails, ...patch }).success;

  it('refuses text and fractions in the duration', () => {
    expect(parses({ tool_duration_ms: '42' })).toBe(false);
    expect(parses({ tool_duration_ms: 4.2 })).toBe(false);
    expect(parses({ tool_duration_ms: -1 })).toBe(false);
    expect(parses({ tool_duration_ms: Number.NaN })).toBe(false);
  });

  it('accepts only the known statuses', () => {
    for (const tool_status of ['ok', 'error', 'denied', 'timeout', 'pending']) expect(parses({ tool_status })).toBe(true);
    expect(parses({ tool_status: 'failed' })).toBe(false);
  });

  it('refuses an error message where a type name belongs', () => {
    expect(parses({ exc_type: 'connect ECONNREFUSED 127.0.0.1:443' })).toBe(false);
    expect(parses({ exc_type: '' })).toBe(false);
    expect(parses({ exc_type: 'anthropic.APITimeoutError' })).toBe(true);
  });

  it('refuses text as tool name or trigger', () => {
    expect(parses({ tool_name: 'look up the weather' })).toBe(false);
    expect(parses({ triggered_by: 'a user said hi' })).toBe(false);
  });
});
