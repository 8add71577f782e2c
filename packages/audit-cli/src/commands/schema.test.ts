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

const SEAM_NAMES = ['mcp.tool_called', 'webhook.dead_letter', 'slack_dm.reply_failed', 'reasoning.tool_called'];

describe('schema', () => {
  it("prints the envelope's and every seam's JSON Schema, all closed to unknown keys", async () => {
    const io = createTestIo();
    expect(await main(['schema'], io)).toBe(0);
    const document = JSON.parse(io.out()) as SchemaDocument;
    expect(Object.keys(document.envelope.properties)).toEqual(['v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details']);
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
});
