import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditSink } from '@kora/audit-sink';
import { emitMcpToolCalled, seam } from '@kora/seam-mcp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestIo, envelopeRow, makeTempDir, rowsText, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

let dir: string;
let path: string;

const call = {
  toolName: 'kora__list_tickets',
  toolKind: 'read',
  callerActorKind: 'viewer',
  args: {},
  result: 'count=0',
  callerSessionId: null,
} as const;

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
      rows_by_seam: {
        'mcp.tool_called': 2,
        'webhook.dead_letter': 2,
        'slack_dm.reply_failed': 1,
        'reasoning.tool_called': 1,
        'audit.opened': 0,
        'audit.lost': 0,
        'audit.closed': 0,
      },
      skipped: { blank: 1, malformed: 2, torn: 1, invalid: 1 },
      first_emitted_at: envelopeRow(0).emitted_at,
      last_emitted_at: envelopeRow(5).emitted_at,
      // Version 1 rows only: no writer to account for them.
      writers: { seen: 0, closed: 0, not_closed: 0, rows_lost: {}, unreadable_loss_rows: 0, rows_without_writer: 6 },
    });
  });

  it('counts the writers, those that closed, the rows they lost by reason and the version 1 rows', async () => {
    const quiet = { info: (): void => undefined, warn: (): void => undefined };
    writeFileSync(path, rowsText(0, 3));
    // A writer that loses two rows (refused by the allow-list), then closes.
    const closing = createAuditSink({ path, logger: quiet, flushOnExit: false, reopenOnHangup: false });
    expect(closing.emit(seam, { tool_name: 'x' })).toEqual({ ok: false, reason: 'invalid_details' });
    expect(closing.emit(seam, { tool_name: 'x' })).toEqual({ ok: false, reason: 'invalid_details' });
    expect(emitMcpToolCalled(call, { sink: closing, logger: quiet }).ok).toBe(true);
    await closing.close();
    // A writer still writing, or killed: no closed row.
    const open = createAuditSink({ path, logger: quiet, flushOnExit: false, reopenOnHangup: false });
    expect(emitMcpToolCalled(call, { sink: open, logger: quiet }).ok).toBe(true);
    // A loss row whose details say nothing usable: counted apart, not summed.
    const hostile = { ...envelopeRow(9, { v: 2, seam: 'audit.lost', source: null }), details: { reason: 'write_failed', rows: '1e9' } };
    appendFileSync(path, `${JSON.stringify({ ...hostile, writer: hostile.id, seq: 1 })}\n`);

    const io = createTestIo();
    expect(await main(['stats', '--path', path], io)).toBe(0);
    const printed = JSON.parse(io.out()) as { rows_by_seam: Record<string, number>; writers: unknown };
    // One loss row of the closing writer names both its refused rows; the other is the hostile one.
    expect(printed.rows_by_seam).toMatchObject({ 'audit.opened': 2, 'audit.lost': 2, 'audit.closed': 1 });
    expect(printed.writers).toEqual({
      seen: 3,
      closed: 1,
      not_closed: 2,
      rows_lost: { invalid_details: 2 },
      unreadable_loss_rows: 1,
      rows_without_writer: 3,
    });
    await open.close();
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
