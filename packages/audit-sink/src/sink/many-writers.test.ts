// Many processes appending to one audit file at the same moment.
//
// Why the rows cannot interleave: the file is opened with O_APPEND and every row (sync mode)
// or every batch of whole rows (batched mode) is handed to the kernel in a single write(2).
// With O_APPEND the kernel moves the offset to the end of the file and copies the data as
// one step under the inode's lock, so on a local filesystem (ext4, xfs, btrfs, tmpfs) two
// appends never overlap or split each other — whatever their size: PIPE_BUF (4 KiB) bounds
// atomic writes to pipes, not to regular files, which is why rows larger than that are
// mixed in here. (Readers take no lock and may see an append half done: to them it is a
// torn last line for a moment.) Not guaranteed: NFS, where O_APPEND is emulated by the client (look up the
// size, then write at it), so writers on different hosts can overwrite each other's rows;
// and a short write (disk full): the sink never writes the rest of a row as a second write,
// which another writer could land in front of, so the torn head stays one bad line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { WRITER_MAX_ROW_BYTES, planWriterRow } from '../__fixtures__/plan-writer-row.js';
import type { PlannedWriterRow } from '../__fixtures__/plan-writer-row.js';

const fixture = new URL('../__fixtures__/concurrent-writer-child.ts', import.meta.url).pathname;
// More writers than the two cores CI has, so the kernel switches between them mid-stream.
const WRITERS = 10;
const ROWS_PER_WRITER = 500;
const BATCH_SIZE = 16;
const PIPE_BUF = 4096;
const TRUNCATION_MARKER = '...(truncated)';

const dir = mkdtempSync(join(tmpdir(), 'kora-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface WriterReport {
  readonly failed: number;
  readonly stats: { rowsWritten: number; truncated: number; redacted: number; writeFailures: number };
}

/** Start every writer, release them together once all are ready, and wait for them to finish. */
async function runWriters(path: string, mode: 'sync' | 'batched'): Promise<WriterReport[]> {
  const writers = Array.from({ length: WRITERS }, (_, writer) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@kora/source', fixture, path, mode, String(writer), String(ROWS_PER_WRITER), String(BATCH_SIZE)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.startsWith('ready\n')) resolve();
      });
      child.once('close', () => reject(new Error(`writer ${writer} ended before it was ready: ${stderr}`)));
    });
    const finished = new Promise<WriterReport>((resolve, reject) => {
      child.once('close', (code) => {
        if (code !== 0) {
          reject(new Error(`writer ${writer} exited with ${String(code)}: ${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout.slice('ready\n'.length)) as WriterReport);
      });
    });
    return { child, ready, finished };
  });
  // Node start-up takes far longer than writing; without the barrier the writers would run one after another.
  await Promise.all(writers.map((writer) => writer.ready));
  for (const writer of writers) writer.child.stdin.end('go\n');
  return Promise.all(writers.map((writer) => writer.finished));
}

/** What the file must hold for a planned row: its details, with strings over the cap cut to 1024 characters. */
function expectedDetails(row: PlannedWriterRow): Record<string, unknown> {
  if (row.kind !== 'capped-note' && row.kind !== 'capped-keys') return row.details;
  const cut = (text: string): string => `${text.slice(0, 1024)}${TRUNCATION_MARKER}`;
  const { note, keys, ...rest } = row.details;
  return { ...rest, ...(note === undefined ? {} : { note: cut(note) }), ...(keys === undefined ? {} : { keys: keys.map(cut) }) };
}

interface FileRow {
  readonly writer: number;
  readonly seq: number;
}

/** Parse and check every line of the file; returns who wrote each line, in file order. */
function readRows(path: string): FileRow[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(WRITERS * ROWS_PER_WRITER);
  return lines.map((line, index) => {
    const envelope = auditEnvelope.parse(JSON.parse(line));
    const details = exampleSeam.details.parse(envelope.details);
    const match = /^writer-(\d+):(\d+)$/.exec(envelope.caller_session_id ?? '');
    if (match === null) throw new Error(`line ${index + 1} names no writer: ${line.slice(0, 200)}`);
    const writer = Number(match[1]);
    const seq = Number(match[2]);
    const planned = planWriterRow(writer, seq);
    // Whole and unmixed: exactly the planned strings, made of the writer's own letter only.
    expect(details).toEqual(expectedDetails(planned));
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    expect(bytes).toBeLessThanOrEqual(WRITER_MAX_ROW_BYTES);
    if (planned.kind === 'large-note' || planned.kind === 'large-keys' || planned.kind === 'capped-keys') {
      expect(bytes).toBeGreaterThan(PIPE_BUF);
    }
    return { writer, seq };
  });
}

/** Each writer's sequence numbers in file order. */
function sequencesByWriter(rows: readonly FileRow[]): number[][] {
  const sequences = Array.from({ length: WRITERS }, (): number[] => []);
  for (const row of rows) sequences[row.writer]?.push(row.seq);
  return sequences;
}

/** How often the file switches from one writer's row to another's. */
function writerSwitches(rows: readonly FileRow[]): number {
  let switches = 0;
  for (let index = 1; index < rows.length; index += 1) {
    if (rows[index]?.writer !== rows[index - 1]?.writer) switches += 1;
  }
  return switches;
}

// Ten processes that each load TypeScript through tsx take seconds on an idle machine and far
// longer on a loaded one: what is asserted is the file's content, never how long it took.
const WRITERS_TIMEOUT_MS = 180_000;

const inOrder = Array.from({ length: ROWS_PER_WRITER }, (_, seq) => seq);
const cappedPerWriter = inOrder.filter((seq) => planWriterRow(0, seq).kind.startsWith('capped')).length;

describe('createAuditSink with many writer processes', () => {
  it(
    'keeps every row of every process whole, once and in its own order in sync mode',
    async () => {
      const path = join(dir, 'sync.jsonl');
      const reports = await runWriters(path, 'sync');
      for (const report of reports) {
        expect(report).toMatchObject({
          failed: 0,
          stats: { rowsWritten: ROWS_PER_WRITER, truncated: cappedPerWriter, redacted: 0, writeFailures: 0 },
        });
      }
      const rows = readRows(path);
      expect(sequencesByWriter(rows)).toEqual(Array.from({ length: WRITERS }, () => inOrder));
      // The writers really ran at the same time: one after another would switch WRITERS - 1 times.
      expect(writerSwitches(rows)).toBeGreaterThan(WRITERS - 1);
    },
    WRITERS_TIMEOUT_MS,
  );

  it(
    'writes each batch as one unbroken run of whole rows in batched mode',
    async () => {
      const path = join(dir, 'batched.jsonl');
      const reports = await runWriters(path, 'batched');
      for (const report of reports) {
        expect(report).toMatchObject({
          failed: 0,
          stats: { rowsWritten: ROWS_PER_WRITER, truncated: cappedPerWriter, redacted: 0, writeFailures: 0 },
        });
      }
      const rows = readRows(path);
      expect(sequencesByWriter(rows)).toEqual(Array.from({ length: WRITERS }, () => inOrder));
      // A batch is one write: rows kB..kB+B-1 of a writer sit on consecutive lines, nobody else's between them.
      for (let writer = 0; writer < WRITERS; writer += 1) {
        const lineOf = new Map(rows.flatMap((row, line) => (row.writer === writer ? [[row.seq, line] as const] : [])));
        for (let seq = 0; seq < ROWS_PER_WRITER; seq += 1) {
          if (seq % BATCH_SIZE === 0) continue;
          expect(lineOf.get(seq), `writer ${writer} row ${seq}`).toBe((lineOf.get(seq - 1) ?? Number.NaN) + 1);
        }
      }
      expect(writerSwitches(rows)).toBeGreaterThan(WRITERS - 1);
    },
    WRITERS_TIMEOUT_MS,
  );
});
