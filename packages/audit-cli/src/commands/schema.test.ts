import { describe, expect, it } from 'vitest';
import { createTestIo, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

interface ObjectSchema {
  type: string;
  properties: Record<string, { enum?: string[] }>;
  required?: string[];
  additionalProperties: unknown;
}

interface SchemaDocument {
  envelope: ObjectSchema;
  seams: Record<string, ObjectSchema>;
}

const SEAM_NAMES = [
  'mcp.tool_called',
  'webhook.dead_letter',
  'slack_dm.reply_failed',
  'reasoning.tool_called',
  'audit.opened',
  'audit.lost',
  'audit.closed',
];

describe('schema', () => {
  it("prints the envelope's and every seam's JSON Schema, all closed to unknown keys", async () => {
    const io = createTestIo();
    expect(await main(['schema'], io)).toBe(0);
    const document = JSON.parse(io.out()) as SchemaDocument;
    expect(Object.keys(document.envelope.properties)).toEqual([
      'v',
      'id',
      'emitted_at',
      'seam',
      'source',
      'caller_session_id',
      'details',
      'writer',
      'seq',
      'trace_id',
      'span_id',
    ]);
    // A version 2 row's writer and sequence number are its own; a version 1 row has neither.
    expect(document.envelope.required).not.toContain('writer');
    expect(document.envelope.additionalProperties).toBe(false);
    expect(document.envelope.properties.seam?.enum).toEqual(SEAM_NAMES);
    expect(Object.keys(document.seams)).toEqual(SEAM_NAMES);
    for (const schema of Object.values(document.seams)) {
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      expect(Object.keys(schema.properties).length).toBeGreaterThan(0);
    }
  });

  it('prints one seam with --seam and rejects an unknown one', async () => {
    const io = createTestIo();
    expect(await main(['schema', '--seam', 'slack_dm.reply_failed'], io)).toBe(0);
    expect(Object.keys((JSON.parse(io.out()) as SchemaDocument).seams)).toEqual(['slack_dm.reply_failed']);
    const unknown = createTestIo();
    expect(await main(['schema', '--seam', 'slack_dm'], unknown)).toBe(2);
    expect(unknown.err()).toContain("kora-audit schema: unknown seam 'slack_dm'");
  });

  it('runs as a real process', async () => {
    const result = await runCli(['schema', '--seam', 'mcp.tool_called']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as SchemaDocument;
    expect(Object.keys(document.seams)).toEqual(['mcp.tool_called']);
    expect(document.envelope.type).toBe('object');
  });

  it("admits the guard's markers wherever a string has a pattern or a length cap, and nowhere else", async () => {
    const io = createTestIo();
    expect(await main(['schema'], io)).toBe(0);
    const document = JSON.parse(io.out()) as {
      envelope: { properties: Record<string, unknown> };
      seams: Record<string, { properties: Record<string, unknown> }>;
    };
    const channel = document.seams['slack_dm.reply_failed']?.properties.channel_id as { anyOf: { pattern: string }[] };
    const [own, markers] = channel.anyOf.map((branch) => new RegExp(branch.pattern, 'u'));
    // What the sink writes when an AWS-key-shaped channel id is redacted: the field's own
    // pattern refuses it, the markers' branch takes it.
    expect(own?.test('[REDACTED:aws-access-key-id]')).toBe(false);
    expect(markers?.test('[REDACTED:aws-access-key-id]')).toBe(true);
    expect(markers?.test('[REDACTED:aws-access-key-id][REDACTED:email-address]')).toBe(true);
    for (const text of ['[REDACTED:]', 'C01[REDACTED:aws-access-key-id]', '[REDACTED:Upper]', '[REDACTED:x]\n']) {
      expect(markers?.test(text), text).toBe(false);
    }
    const reasoning = document.seams['reasoning.tool_called']?.properties as Record<string, { enum?: unknown; anyOf?: unknown }>;
    expect(reasoning.tool_status?.enum).toBeDefined();
    expect(reasoning.tool_status?.anyOf).toBeUndefined();
    expect(JSON.stringify(document.envelope.properties.caller_session_id)).toContain('REDACTED');
    expect(JSON.stringify(document.envelope.properties.id)).not.toContain('REDACTED');
  });
});
