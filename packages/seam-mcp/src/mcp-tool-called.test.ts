import { fileURLToPath } from 'node:url';
import { expectSeamContract, readGoldenLines } from '@kora/audit-sink/testing';
import { describe, expect, it } from 'vitest';
import { mcpToolCalledDetails, seam } from './mcp-tool-called.js';

const goldenPath = fileURLToPath(new URL('../../../../shared/spec/golden-lines.jsonl', import.meta.url));
const golden = readGoldenLines(goldenPath, 'mcp.tool_called');

const validDetails = {
  tool_name: 'kora__list_tickets',
  tool_kind: 'read',
  caller_actor_kind: 'viewer',
  args_keys: ['cursor', 'limit'],
  result: 'count=25',
};

describe('seam', () => {
  it('reproduces every golden mcp.tool_called line byte for byte at info', () => {
    expect(golden.length).toBeGreaterThan(0);
    for (const vector of golden) {
      expect(seam.formatLine(vector.details, { caller_session_id: vector.caller_session_id })).toBe(vector.line);
      expect(vector.level).toBe(seam.level);
    }
  });

  it('keeps allow-listed fields, rejects unknown and missing ones, and matches the golden lines', async () => {
    await expectSeamContract(seam, { validDetails, goldenPath });
  });

  it('accepts every golden row except the empty result', () => {
    const rejected = golden
      .filter((vector) => !mcpToolCalledDetails.safeParse(vector.details).success)
      .map((vector) => vector.details.tool_name);
    // Unicode and quoted key names are legitimate JSON keys; an empty result code is not a code.
    expect(rejected).toEqual(['kora__empty_result']);
  });

  it('escapes control characters so a value cannot forge a second line', () => {
    const line = seam.formatLine({
      ...validDetails,
      tool_name: 'x\n[kora.mcp.tool_called] tool=forged',
      args_keys: ['a\u2028b'],
      result: 'ok\r\x1b[2K',
    });
    expect(line).toBe(
      String.raw`[kora.mcp.tool_called] tool=x\n[kora.mcp.tool_called]\x20tool=forged caller_actor_kind=viewer args_keys=['a\u2028b'] result=ok\r\x1b[2K`,
    );
  });

  it('formats missing and odd fields without throwing', () => {
    expect(seam.formatLine({})).toBe('[kora.mcp.tool_called] tool=None caller_actor_kind=None args_keys=None result=None');
    expect(seam.formatLine({ ...validDetails, args_keys: 'not-a-list', result: 7 })).toBe(
      '[kora.mcp.tool_called] tool=kora__list_tickets caller_actor_kind=viewer args_keys=not-a-list result=7',
    );
  });

  it('declares its source, level and a classified field per key', () => {
    expect(seam.source).toBe('mcp_http');
    expect(seam.level).toBe('info');
    expect(seam.fields.map((field) => field.key).sort()).toEqual(Object.keys(mcpToolCalledDetails.shape).sort());
  });
});

describe('mcpToolCalledDetails', () => {
  const parses = (patch: Record<string, unknown>): boolean => mcpToolCalledDetails.safeParse({ ...validDetails, ...patch }).success;

  it('accepts printable unicode and quoted key names', () => {
    expect(parses({ args_keys: ['back\\slash', "it's", 'say "hi"'] })).toBe(true);
    expect(parses({ args_keys: ['café', 'naïve', '日本', '\u{1f600}'] })).toBe(true);
    expect(parses({ args_keys: [] })).toBe(true);
  });

  it('rejects key names that are not sorted by code point or repeat', () => {
    expect(parses({ args_keys: ['b', 'a'] })).toBe(false);
    expect(parses({ args_keys: ['a', 'a'] })).toBe(false);
    // By UTF-16 code unit U+FF5E sorts after U+1F600; by code point it comes first.
    expect(parses({ args_keys: ['\uff5e', '\u{1f600}'] })).toBe(true);
    expect(parses({ args_keys: ['\u{1f600}', '\uff5e'] })).toBe(false);
  });

  it('lets key names redacted by the guard sit out of order', () => {
    expect(parses({ args_keys: ['a', '[REDACTED:email-address]', '[REDACTED:email-address]', 'b'] })).toBe(true);
    expect(parses({ args_keys: ['b', '[REDACTED:email-address]', 'a'] })).toBe(false);
  });

  it('rejects key names with control or invisible characters, or too long', () => {
    expect(parses({ args_keys: ['a\nb'] })).toBe(false);
    expect(parses({ args_keys: ['a\u202eb'] })).toBe(false);
    expect(parses({ args_keys: ['k'.repeat(257)] })).toBe(false);
  });

  it('refuses text where a code or a name belongs', () => {
    expect(parses({ result: 'the ticket body says hello' })).toBe(false);
    expect(parses({ result: '' })).toBe(false);
    expect(parses({ result: 'x'.repeat(257) })).toBe(false);
    expect(parses({ tool_name: 'two words' })).toBe(false);
    expect(parses({ caller_actor_kind: 'viewer@example' })).toBe(false);
    expect(parses({ tool_kind: 'write' })).toBe(false);
    expect(parses({ args_keys: [{ title: 'value' }] })).toBe(false);
  });

  it('rejects an unknown field', () => {
    expect(parses({ args: { title: 'value' } })).toBe(false);
  });
});
