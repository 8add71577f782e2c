import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import type { RowMirror } from './audit-sink-types.js';
import { createAuditSink } from './create-audit-sink.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});
function tempPath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'kora-mirror-'));
  directories.push(directory);
  return join(directory, 'audit.jsonl');
}

/** A mirror that records what it was handed, batch by batch. */
function recordingMirror(): RowMirror & { batches: string[][]; closed: boolean } {
  const mirror = {
    batches: [] as string[][],
    closed: false,
    write: (rows: readonly string[]) => void mirror.batches.push([...rows]),
    close: async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      mirror.closed = true;
    },
  };
  return mirror;
}

const warnings: string[] = [];
const logger = { info: (): void => undefined, warn: (message: string): void => void warnings.push(message) };

describe('createAuditSink with a mirror', () => {
  it('hands the mirror exactly the rows in the file, in file order, a batch at a time', async () => {
    for (const mode of ['sync', 'batched'] as const) {
      const path = tempPath();
      const mirror = recordingMirror();
      const sink = createAuditSink({ path, mode, batchSize: 4, mirror, logger, flushOnExit: false, reopenOnHangup: false });
      for (let index = 0; index < 10; index += 1) sink.emit(exampleSeam, { tool_name: 't', count: index });
      // An invalid row reaches neither the file nor the mirror.
      sink.emit(exampleSeam, { tool_name: 't', unknown_key: 1 });
      await sink.close();
      expect(mirror.batches.flat().join('')).toBe(readFileSync(path, 'utf8'));
      // The writer's own rows are rows of the file too: its audit.opened row goes out with the
      // first row, and its audit.lost row (naming the invalid row's number) with its audit.closed row.
      const seams = mirror.batches.map((batch) => batch.map((row) => (JSON.parse(row) as { seam: string }).seam));
      const callers = (count: number): string[] => Array<string>(count).fill('mcp.tool_called');
      expect(seams).toEqual(
        mode === 'sync'
          ? [['audit.opened', ...callers(1)], ...Array.from({ length: 9 }, () => callers(1)), ['audit.lost', 'audit.closed']]
          : [['audit.opened', ...callers(4)], callers(4), [...callers(2), 'audit.lost', 'audit.closed']],
      );
      const rows = mirror.batches.flat().map((row) => JSON.parse(row) as { seq: number; details: Record<string, unknown> });
      expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14]);
      expect(rows.at(-2)?.details).toEqual({ reason: 'invalid_details', ranges: [{ first: 12, last: 12 }], rows: 1 });
      expect(mirror.closed).toBe(true);
    }
  });

  it('keeps writing the file when the mirror throws, and counts and names the failure without row content', async () => {
    warnings.length = 0;
    const path = tempPath();
    const mirror: RowMirror = {
      write: () => {
        throw new Error('queue full ticket_id=tkt-0042');
      },
    };
    const sink = createAuditSink({ path, mode: 'sync', mirror, logger, flushOnExit: false, reopenOnHangup: false });
    for (let index = 0; index < 3; index += 1) expect(sink.emit(exampleSeam, { tool_name: 't', count: index }).ok).toBe(true);
    expect(sink.stats()).toMatchObject({ rowsWritten: 3, mirrorFailures: 3 });
    // The writer's audit.opened row, in the first write with the first row, then the other two.
    const seams = (): string[] =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { seam: string }).seam);
    expect(seams()).toEqual(['audit.opened', 'mcp.tool_called', 'mcp.tool_called', 'mcp.tool_called']);
    expect(warnings).toEqual([`[kora.audit.mirror_failed] rows=2 failures=1 path=${path}`]);
    await sink.close();
    expect(seams().at(-1)).toBe('audit.closed');
    expect(sink.stats().mirrorFailures).toBe(4);
  });

  it('gives the mirror nothing that did not reach the file', async () => {
    const path = tempPath();
    // A directory where the file should be: every write fails.
    mkdirSync(path);
    const mirror = recordingMirror();
    const sink = createAuditSink({ path, mode: 'batched', batchSize: 2, mirror, logger, flushOnExit: false, reopenOnHangup: false });
    for (let index = 0; index < 4; index += 1) sink.emit(exampleSeam, { tool_name: 't', count: index });
    await sink.close();
    expect(sink.stats().rowsWritten).toBe(0);
    expect(mirror.batches).toEqual([]);
  });
});
