import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestIo, envelopeRow, makeTempDir, rowsText, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = makeTempDir();
  path = join(dir, 'kora_audit_log.jsonl');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('stats', () => {
  it('counts rows per seam, skipped lines by kind, size and the time span', async () => {
    const text = [
      rowsText(1, 6),
      '\n',
      'not json\n',
      '[1]\n',
      `${JSON.stringify({ ...envelopeRow(6), extra: true })}\n`,
      // Out of order: the earliest row is not the first line.
      `${JSON.stringify(envelopeRow(0))}\n`,
      JSON.stringify(envelopeRow(7)).slice(0, 20),
    ].join('');
    writeFileSync(path, text);
    const io = createTestIo({ env: { KORA_AUDIT_LOG_PATH: path } });
    expect(await main(['stats'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      path,
      size_bytes: Buffer.byteLength(text),
      lines: 11,
      rows: 6,
      rows_by_seam: { 'mcp.tool_called': 2, 'webhook.dead_letter': 2, 'slack_dm.reply_failed': 1, 'reasoning.tool_called': 1 },
      skipped: { blank: 1, malformed: 2, torn: 1, invalid: 1 },
      first_emitted_at: envelopeRow(0).emitted_at,
      last_emitted_at: envelopeRow(5).emitted_at,
    });
  });

  it('reports an empty file with zero counts', async () => {
    writeFileSync(path, '');
    const io = createTestIo();
    expect(await main(['stats', '--path', path], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ size_bytes: 0, lines: 0, rows: 0, first_emitted_at: null, last_emitted_at: null });
  });

  it('rejects a missing file and a directory with exit 2', async () => {
    const missing = createTestIo();
    expect(await main(['stats', '--path', path], missing)).toBe(2);
    expect(missing.err()).toBe(`kora-audit stats: ${path}: no such file\n`);
    mkdirSync(path);
    const directory = createTestIo();
    expect(await main(['stats', '--path', path], directory)).toBe(2);
    expect(directory.err()).toBe(`kora-audit stats: ${path}: is a directory\n`);
  });

  it('runs as a real process', async () => {
    writeFileSync(path, rowsText(0, 4));
    const result = await runCli(['stats'], { KORA_HOME: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ path, rows: 4, lines: 4 });
  });

  it('prints a path holding control or bidi characters escaped, in its document and in its errors', async () => {
    const hostile = join(dir, 'audit\u202e\x9b.jsonl');
    writeFileSync(hostile, rowsText(0, 2));
    const io = createTestIo();
    expect(await main(['stats', '--path', hostile], io)).toBe(0);
    expect(io.out()).not.toMatch(/[\u007f-\u009f\u202a-\u202e]/);
    expect((JSON.parse(io.out()) as { path: string }).path).toBe(hostile);
    const missing = createTestIo();
    expect(await main(['stats', '--path', join(dir, 'gone\u202e\x1b[2J.jsonl')], missing)).toBe(2);
    expect(missing.err()).toBe(`kora-audit stats: ${join(dir, 'gone')}\\u202e\\u001b[2J.jsonl: no such file\n`);
  });
});
