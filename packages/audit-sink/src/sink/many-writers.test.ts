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
import { auditOpenedDetails } from '../lifecycle/audit-opened.js';
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
  readonly pid: number;
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
  /** The writer process (its index), from the writer id its audit.opened row gave the rows. */
  readonly writer: number;
  /** The caller's row number (`writer-N:seq`), or -1 for the writer's own `audit.*` rows. */
  readonly seq: number;
  readonly seam: string;
  /** The writer id and sequence number the sink gave the row. */
  readonly writerId: string;
  readonly writerSeq: number;
}

const ownSeams: ReadonlySet<string> = new Set(['audit.opened', 'audit.lost', 'audit.closed']);

/**
 * Parse and check every line of the file; returns who wrote each line, in file order. The file
 * holds, per writer process, its audit.opened row (recording the process's pid), its
 * ROWS_PER_WRITER rows and its audit.closed row.
 */
function readRows(path: string, mode: 'sync' | 'batched', reports: readonly WriterReport[]): FileRow[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(WRITERS * (ROWS_PER_WRITER + 2));
  const envelopes = lines.map((line) => auditEnvelope.parse(JSON.parse(line)));
  // Each process's writer id, from its audit.opened row.
  const processOf = new Map<string, number>();
  for (const envelope of envelopes) {
    if (envelope.seam !== 'audit.opened') continue;
    const opened = auditOpenedDetails.parse(envelope.details);
    const writer = reports.findIndex((report) => report.pid === opened.pid);
    expect(writer, `the audit.opened row of pid ${opened.pid}`).toBeGreaterThanOrEqual(0);
    expect(opened).toMatchObject({ mode, batch_size: mode === 'sync' ? 1 : BATCH_SIZE, failure: 'best-effort', path });
    expect(envelope).toMatchObject({ seq: 1, writer: envelope.id });
    processOf.set(envelope.id, writer);
  }
  expect([...processOf.values()].sort((left, right) => left - right)).toEqual(Array.from({ length: WRITERS }, (_, writer) => writer));
  return envelopes.map((envelope, index) => {
    const line = lines[index] ?? '';
    const writer = processOf.get(envelope.writer ?? '');
    if (writer === undefined) throw new Error(`line ${index + 1} names no writer that opened: ${line.slice(0, 200)}`);
    const row = { writer, seam: envelope.seam, writerId: envelope.writer ?? '', writerSeq: envelope.seq ?? 0 };
    if (ownSeams.has(envelope.seam)) return { ...row, seq: -1 };
    const details = exampleSeam.details.parse(envelope.details);
    const match = /^writer-(\d+):(\d+)$/.exec(envelope.caller_session_id ?? '');
    if (match === null) throw new Error(`line ${index + 1} names no writer: ${line.slice(0, 200)}`);
    // The process that emitted the row is the one whose writer id it carries.
    expect(Number(match[1]), `the process of line ${index + 1}`).toBe(writer);
    const seq = Number(match[2]);
    const planned = planWriterRow(writer, seq);
    // Whole and unmixed: exactly the planned strings, made of the writer's own letter only.
    expect(details).toEqual(expectedDetails(planned));
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    expect(bytes).toBeLessThanOrEqual(WRITER_MAX_ROW_BYTES);
    if (planned.kind === 'large-note' || planned.kind === 'large-keys' || planned.kind === 'capped-keys') {
      expect(bytes).toBeGreaterThan(PIPE_BUF);
    }
    return { ...row, seq };
  });
}

/** The lines (0-based) of one process's audit.opened row, first and last rows, and audit.closed row. */
interface WriterLines {
  readonly opened: number;
  readonly first: number;
  readonly last: number;
  readonly closed: number;
}

/**
 * Each process's rows in file order carry one writer id and are numbered 1, 2, 3… without a
 * gap: its audit.opened row, its rows in the order emitted (numbers 2 to ROWS_PER_WRITER + 1),
 * and its audit.closed row, whose counters account for every row.
 */
function expectEachWriterWhole(path: string, rows: readonly FileRow[]): WriterLines[] {
  const closedRows = new Map(
    readFileSync(path, 'utf8')
      .slice(0, -1)
      .split('\n')
      .map((line) => auditEnvelope.parse(JSON.parse(line)))
      .filter((row) => row.seam === 'audit.closed')
      .map((row) => [row.writer, row.details] as const),
  );
  return Array.from({ length: WRITERS }, (_, writer) => {
    const lines = rows.flatMap((row, line) => (row.writer === writer ? [{ ...row, line }] : []));
    expect(new Set(lines.map((row) => row.writerId)).size).toBe(1);
    expect(lines.map((row) => row.writerSeq)).toEqual(Array.from({ length: ROWS_PER_WRITER + 2 }, (_, index) => index + 1));
    expect(lines.map((row) => row.seam)).toEqual([
      'audit.opened',
      ...Array<string>(ROWS_PER_WRITER).fill('mcp.tool_called'),
      'audit.closed',
    ]);
    expect(lines.slice(1, -1).map((row) => row.seq)).toEqual(inOrder);
    expect(closedRows.get(lines[0]?.writerId)).toEqual({
      trigger: 'close',
      last_seq: ROWS_PER_WRITER + 2,
      rows_made: ROWS_PER_WRITER + 1,
      rows_written: ROWS_PER_WRITER + 1,
      rows_lost: {},
    });
    const at = (index: number): number => lines.at(index)?.line ?? Number.NaN;
    return { opened: at(0), first: at(1), last: at(-2), closed: at(-1) };
  });
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
      const rows = readRows(path, 'sync', reports);
      // A writer's audit.opened row goes out in the same write as its first row.
      for (const lines of expectEachWriterWhole(path, rows)) expect(lines.first).toBe(lines.opened + 1);
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
      const rows = readRows(path, 'batched', reports);
      // The writer's own rows ride in its batches without counting toward their size: the
      // audit.opened row in the first, the audit.closed row in the last, which close() writes.
      for (const lines of expectEachWriterWhole(path, rows)) {
        expect(lines.first).toBe(lines.opened + 1);
        expect(lines.closed).toBe(lines.last + 1);
      }
      // A batch is one write: rows kB..kB+B-1 of a writer sit on consecutive lines, nobody else's between them.
      for (let writer = 0; writer < WRITERS; writer += 1) {
        const lineOf = new Map(rows.flatMap((row, line) => (row.writer === writer && row.seq >= 0 ? [[row.seq, line] as const] : [])));
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
