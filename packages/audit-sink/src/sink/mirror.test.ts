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
      expect(mirror.batches.map((batch) => batch.length)).toEqual(mode === 'sync' ? Array(10).fill(1) : [4, 4, 2]);
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
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(warnings).toEqual([`[kora.audit.mirror_failed] rows=1 failures=1 path=${path}`]);
    await sink.close();
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
