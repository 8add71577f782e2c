import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOtlpReceiver } from '@kora/test-support';
import type { OtlpReceiver } from '@kora/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, startCli, waitFor } from '../__fixtures__/cli-harness.js';
import type { CliProcess } from '../__fixtures__/cli-harness.js';
import { readFileRows, receivedRecords } from '../__fixtures__/export-fixtures.js';
import type { FileRow } from '../__fixtures__/export-fixtures.js';
import { runWritersTogether, startWriter } from '../__fixtures__/start-writer.js';

// Real processes throughout: writers appending to the audit file, `kora-audit export --follow`
// killed with SIGKILL after some batches were acknowledged and started again, and a rotation
// (the file renamed to .1, the next writer making a new one) while it follows.

/** What a checkpoint says: the file by device and inode, the offset, and the target's part. */
interface Checkpoint {
  readonly dev: string;
  readonly ino: string;
  readonly offset: number;
  readonly extra: Record<string, unknown>;
}

const WAIT_MS = 60_000;

let dir: string;
let path: string;
let running: CliProcess[] = [];

beforeEach(() => {
  dir = makeTempDir();
  path = join(dir, 'kora_audit_log.jsonl');
});
afterEach(() => {
  for (const cli of running) cli.child.kill('SIGKILL');
  running = [];
  rmSync(dir, { recursive: true, force: true });
});

function readCheckpoint(checkpointPath: string): Checkpoint | null {
  return existsSync(checkpointPath) ? (JSON.parse(readFileSync(checkpointPath, 'utf8')) as Checkpoint) : null;
}

function startExport(args: readonly string[]): CliProcess {
  const cli = startCli(['export', '--follow', '--path', path, '--batch-rows', '20', ...args]);
  running.push(cli);
  return cli;
}

/** The rows of the rotated file and the live one, oldest first, with the inode of the file each is in. */
function chainRows(): (FileRow & { readonly ino: string })[] {
  return [`${path}.1`, path].flatMap((file) => {
    if (!existsSync(file)) return [];
    const ino = String(statSync(file).ino);
    return readFileRows(file).map((row) => ({ ...row, ino }));
  });
}

/** Wait until the checkpoint names the end of the live file: every row written so far is acknowledged. */
async function waitForCaughtUp(checkpointPath: string): Promise<void> {
  await waitFor(() => readCheckpoint(checkpointPath)?.offset === statSync(path).size, WAIT_MS);
}

/** Stop an export with SIGTERM; it exits 0 and prints its summary. */
async function stop(cli: CliProcess): Promise<void> {
  cli.child.kill('SIGTERM');
  expect(await cli.exited, cli.stderr()).toBe(0);
  expect(JSON.parse(cli.stdout())).toMatchObject({ gave_up: false });
}

describe('export --follow after a SIGKILL', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('sends every row to the OTLP receiver, and sends again only rows after the acknowledged checkpoint', async () => {
    const checkpointPath = `${path}.export-otlp-checkpoint.json`;
    await runWritersTogether(path, [{ mode: 'sync', rows: 200, ending: 'close' }]);
    const first = startExport(['--format', 'otel', '--otlp-endpoint', receiver.url]);
    await waitForCaughtUp(checkpointPath);

    // The receiver acknowledges five more batches and never answers the sixth: the export is
    // stopped there, with rows acknowledged after its last checkpoint, whatever its pace.
    const attempts = receiver.attempts();
    receiver.acknowledgeNext(5);
    receiver.hangNext(1);
    await runWritersTogether(path, [{ mode: 'batched', batchSize: 16, rows: 1000, ending: 'close' }]);
    await waitFor(() => receiver.attempts() >= attempts + 6, WAIT_MS);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const atKill = readCheckpoint(checkpointPath)!;
    expect(atKill.extra).toEqual({ target: 'otlp', format: 'otel', endpoint: receiver.url });
    const acknowledgedAtKill = receiver.acknowledgedRecordCount();
    expect(acknowledgedAtKill).toBeGreaterThan(202);
    // Its rows up to the checkpoint were all acknowledged.
    const received = new Set(receivedRecords(receiver).map(({ uid }) => uid));
    const beforeCheckpoint = chainRows().filter(
      (row) => row.ino === atKill.ino && row.offset + Buffer.byteLength(row.text) + 1 <= atKill.offset,
    );
    expect(beforeCheckpoint.length).toBeGreaterThanOrEqual(202);
    expect(beforeCheckpoint.filter((row) => !received.has(row.entry.id))).toEqual([]);

    const second = startExport(['--format', 'otel', '--otlp-endpoint', receiver.url]);
    await waitFor(() => receiver.acknowledgedRecordCount() > acknowledgedAtKill, WAIT_MS);
    // Rotation while it follows: the file moves to .1, and the next writer starts a new one.
    renameSync(path, `${path}.1`);
    const writer = startWriter(path, { mode: 'sync', rows: 600, ending: 'close' });
    await writer.ready;
    writer.go();
    await writer.done;
    expect((await writer.exited).code).toBe(0);
    const rows = chainRows();
    expect(rows).toHaveLength(202 + 1002 + 602);
    await waitFor(() => {
      const ids = new Set(receivedRecords(receiver).map(({ uid }) => uid));
      return rows.every((row) => ids.has(row.entry.id));
    }, WAIT_MS);
    await stop(second);
    expect(second.stderr()).toContain(`[kora.export.file] path=${path} offset=0`);

    const counts = new Map<string, number>();
    for (const { uid } of receivedRecords(receiver)) counts.set(uid, (counts.get(uid) ?? 0) + 1);
    // Every row at least once, and nothing that is not a row.
    expect([...counts.keys()].sort()).toEqual(rows.map((row) => row.entry.id).sort());
    // Sent twice: only rows at or after the checkpoint's position, and at most the five batches acknowledged after it.
    const repeated = rows.filter((row) => (counts.get(row.entry.id) ?? 0) > 1);
    expect(repeated.filter((row) => row.ino === atKill.ino && row.offset < atKill.offset)).toEqual([]);
    expect(repeated.every((row) => row.ino === atKill.ino)).toBe(true);
    expect(repeated.length).toBeLessThanOrEqual(5 * 20);
    expect([...counts.values()].every((count) => count <= 2)).toBe(true);
  }, 180_000);

  it('writes every row to the output file exactly once, cutting what followed the checkpoint', async () => {
    const out = join(dir, 'audit.ecs.jsonl');
    const checkpointPath = `${out}.checkpoint.json`;
    await runWritersTogether(path, [{ mode: 'sync', rows: 200, ending: 'close' }]);
    const first = startExport(['--format', 'ecs', '--out', out]);
    await waitForCaughtUp(checkpointPath);
    const caughtUpAt = readCheckpoint(checkpointPath)!.offset;

    const writer = startWriter(path, { mode: 'batched', batchSize: 16, rows: 2000, ending: 'close' });
    await writer.ready;
    writer.go();
    // Killed once it has acknowledged some of this writer's rows, the writer perhaps still writing.
    await waitFor(() => (readCheckpoint(checkpointPath)?.offset ?? 0) > caughtUpAt, WAIT_MS);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    await writer.done;
    const atKill = readCheckpoint(checkpointPath)!;
    expect(atKill.extra).toMatchObject({ target: 'file', format: 'ecs', out_path: out });
    // What a kill in the middle of a write leaves after the checkpointed size: a torn record.
    writeFileSync(out, '{"@timestamp":"2026-12-06T00:00:00.000Z","event":{"id":"torn', { flag: 'a' });
    const sizeAtKill = statSync(out).size;
    expect(sizeAtKill).toBeGreaterThan(Number(atKill.extra.out_size));

    const second = startExport(['--format', 'ecs', '--out', out]);
    await waitFor(() => second.stderr().includes('[kora.export.output_cut]'), WAIT_MS);
    renameSync(path, `${path}.1`);
    await runWritersTogether(path, [{ mode: 'sync', rows: 600, ending: 'close' }]);
    const rows = chainRows();
    expect(rows).toHaveLength(202 + 2002 + 602);
    await waitForCaughtUp(checkpointPath);
    await stop(second);

    expect(second.stderr()).toContain(
      `[kora.export.output_cut] path=${out} from=${sizeAtKill} to=${String(atKill.extra.out_size)} reason=after_checkpoint`,
    );
    const ids = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { event: { id: string } }).event.id);
    expect(ids).toEqual(rows.map((row) => row.entry.id));
    expect(readCheckpoint(checkpointPath)!.extra.out_size).toBe(statSync(out).size);
  }, 180_000);
});
