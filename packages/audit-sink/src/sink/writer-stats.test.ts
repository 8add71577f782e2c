import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { createAuditSink } from './create-audit-sink.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});
function tempPath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'kora-writer-stats-'));
  directories.push(directory);
  return join(directory, 'audit.jsonl');
}

const quiet = { info: (): void => undefined, warn: (): void => undefined };

function readRows(path: string): { seam: string; id: string; writer?: string; seq?: number; details: Record<string, unknown> }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { seam: string; id: string; writer?: string; seq?: number; details: Record<string, unknown> });
}

describe('createAuditSink stats().writer', () => {
  it('names no writer and no sequence before the first row', async () => {
    const sink = createAuditSink({ path: tempPath(), logger: quiet, flushOnExit: false, reopenOnHangup: false });
    expect(sink.stats().writer).toEqual({ id: null, seq: 0, lost: {} });
    await sink.close();
  });

  it('gives the writer of the rows in the file, the last sequence number given out and the rows lost by reason', async () => {
    const path = tempPath();
    const sink = createAuditSink({ path, logger: quiet, flushOnExit: false, reopenOnHangup: false });
    expect(sink.emit(exampleSeam, { tool_name: 'first' }).ok).toBe(true);
    expect(sink.emit(exampleSeam, { tool_name: 'has a space' })).toEqual({ ok: false, reason: 'invalid_details' });
    expect(sink.emit(exampleSeam, { tool_name: 'second' }).ok).toBe(true);

    const rows = readRows(path);
    // opened (1), first (2), the refused row (3, lost), the loss row naming it (4), second (5).
    expect(rows.map((row) => `${row.seam} ${String(row.seq)}`)).toEqual([
      'audit.opened 1',
      'mcp.tool_called 2',
      'audit.lost 4',
      'mcp.tool_called 5',
    ]);
    const writer = sink.stats().writer;
    expect(writer).toEqual({ id: rows[0]?.id, seq: 5, lost: { invalid_details: 1 } });
    expect(rows.every((row) => row.writer === writer.id)).toBe(true);

    await sink.close();
    // The closed row took the next number, and the stats say so.
    const closed = readRows(path).at(-1);
    expect(closed?.seam).toBe('audit.closed');
    expect(sink.stats().writer.seq).toBe(closed?.seq);
    expect(closed?.details).toMatchObject({ last_seq: 6, rows_lost: { invalid_details: 1 } });
  });
});
