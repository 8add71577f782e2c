// A writer killed with SIGKILL mid-stream: no exit hook runs, so the file holds exactly what
// had reached the kernel. These tests check what survives, how readers treat the torn end,
// and that the next writer carries on cleanly.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { readAuditEntries } from '../reader/read-audit-entries.js';
import type { ReadSkipCounts } from '../reader/read-audit-entries.js';
import { createAuditSink } from './create-audit-sink.js';

const fixture = new URL('../__fixtures__/emit-until-killed-child.ts', import.meta.url).pathname;
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
// Rows acknowledged before the kill: enough that the writer is well into its stream.
const ACKED_BEFORE_KILL = 1500;
const BATCH_SIZE = 25;
// A row cut off mid-write, as a crash inside write(2) leaves it.
const TORN_ROW = '{"v":1,"id":"0192f7c2-6d3e-7a4b-9c1d-00000000abcd","emitted_at":"2026-11-26T17:';

const dir = mkdtempSync(join(tmpdir(), 'kora-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const execFileAsync = promisify(execFile);

interface CrashOptions {
  readonly mode: 'sync' | 'batched';
  readonly batchSize?: number;
  readonly flushIntervalMs?: number;
  /** Rows to emit before idling; by default the child emits until killed. */
  readonly limit?: number;
  /** Kill once this many rows are acknowledged, or once this many complete rows are in the file. */
  readonly killAfter: { readonly acked: number } | { readonly rows: number };
}

interface CrashResult {
  readonly path: string;
  /** Rows whose emit returned ok. */
  readonly acked: number;
  readonly scan: FileScan;
}

interface FileScan {
  /** `count` of every complete row of the caller, in file order. */
  readonly counts: number[];
  /** The seam and sequence number of every complete row, the writer's own included, in file order. */
  readonly rows: { seam: string; seq: number; writer: string }[];
  /** Bytes after the last newline: a row cut off mid-write. */
  readonly tornBytes: number;
}

function scanAuditFile(path: string): FileScan {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const end = text.lastIndexOf('\n') + 1;
  const counts: number[] = [];
  const rows: FileScan['rows'] = [];
  for (const line of text.slice(0, end).split('\n')) {
    if (line === '') continue;
    const envelope = auditEnvelope.parse(JSON.parse(line));
    rows.push({ seam: envelope.seam, seq: envelope.seq ?? 0, writer: envelope.writer ?? '' });
    if (envelope.seam === 'audit.opened') continue;
    counts.push(exampleSeam.details.parse(envelope.details).count ?? -1);
  }
  return { counts, rows, tornBytes: Buffer.byteLength(text.slice(end), 'utf8') };
}

/**
 * What a killed writer leaves: its audit.opened row first, then its rows numbered on from 2 (row
 * `count` is number `count + 2`), and no audit.closed row, as no exit hook ran.
 */
function expectKilledWriter(scan: FileScan): void {
  const [opened, ...rows] = scan.rows;
  expect(opened).toMatchObject({ seam: 'audit.opened', seq: 1, writer: expect.any(String) as string });
  expect(rows.map((row) => [row.seam, row.seq, row.writer])).toEqual(
    scan.counts.map((count) => ['mcp.tool_called', count + 2, opened?.writer]),
  );
}

/** Acknowledged sequence numbers; only newline-terminated ones count. */
function readAcks(path: string): number {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const lines = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '');
  lines.forEach((line, index) => {
    if (line !== String(index)) throw new Error(`acknowledgement ${index} is ${line}`);
  });
  return lines.length;
}

async function waitUntil(condition: () => boolean, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 25_000;
  while (!condition()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the writer ended early: ${stderr()}`);
    if (Date.now() > deadline) throw new Error('timed out waiting for the writer');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Start an emitting child, wait for `killWhen`, SIGKILL it, and report what it left behind. */
async function crashWriter(name: string, options: CrashOptions): Promise<CrashResult> {
  const path = join(dir, `${name}.jsonl`);
  const ackPath = join(dir, `${name}.acks`);
  const args = [path, ackPath, options.mode, String(options.batchSize ?? 1), String(options.flushIntervalMs ?? 600_000)];
  if (options.limit !== undefined) args.push(String(options.limit));
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', fixture, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
  const { killAfter } = options;
  const ready =
    'acked' in killAfter ? () => readAcks(ackPath) >= killAfter.acked : () => scanAuditFile(path).counts.length >= killAfter.rows;
  await waitUntil(ready, child, () => stderr);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return { path, acked: readAcks(ackPath), scan: scanAuditFile(path) };
}

/** Read every page newest first, summing what was skipped: the callers' counts, and the writers' own rows by seam. */
async function readAll(path: string): Promise<{ counts: number[]; own: string[]; skipped: ReadSkipCounts }> {
  const counts: number[] = [];
  const own: string[] = [];
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let cursor: string | null = null;
  do {
    const page = await readAuditEntries({ path, limit: 1000, cursor });
    for (const entry of page.entries) {
      if (entry.seam.startsWith('audit.')) own.push(entry.seam);
      else counts.push(Number(entry.details.count));
    }
    for (const key of Object.keys(skipped) as (keyof ReadSkipCounts)[]) skipped[key] += page.skipped[key];
    cursor = page.cursor;
  } while (cursor !== null);
  return { counts, own, skipped };
}

/** Run the real `kora-audit` from the repository root. */
async function kora(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', 'packages/audit-cli/src/bin.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, KORA_AUDIT_LOG_PATH: '', KORA_HOME: '', HERMES_HOME: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}

// The sync crash is shared: its file, with a torn row appended, is what the readers get.
let sync: CrashResult;
beforeAll(async () => {
  sync = await crashWriter('sync', { mode: 'sync', killAfter: { acked: ACKED_BEFORE_KILL } });
});

describe('createAuditSink killed with SIGKILL', () => {
  it('keeps every row whose emit returned ok in sync mode', () => {
    const { acked, scan } = sync;
    expect(acked).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
    // Complete rows are a gap-free prefix: every acknowledged one, plus at most the row whose
    // write finished just before the kill and whose acknowledgement did not.
    expect(scan.counts).toEqual(range(0, scan.counts.length));
    expect(scan.counts.length).toBeGreaterThanOrEqual(acked);
    expect(scan.counts.length).toBeLessThanOrEqual(acked + 1);
    expectKilledWriter(scan);
  });

  it('loses fewer than batchSize acknowledged rows in batched mode', async () => {
    const { acked, scan } = await crashWriter('batched', {
      mode: 'batched',
      batchSize: BATCH_SIZE,
      // No timer flush during the run: only full batches reach the file, so the bound below is structural.
      flushIntervalMs: 600_000,
      killAfter: { acked: ACKED_BEFORE_KILL },
    });
    expect(scan.counts).toEqual(range(0, scan.counts.length));
    expectKilledWriter(scan);
    // The file grows by whole batches only, unless the kill cut a batch's write short; the
    // audit.opened row rides in the first batch without counting toward its size.
    if (scan.tornBytes === 0) expect(scan.counts.length % BATCH_SIZE).toBe(0);
    // Acknowledged but lost: the rows still waiting in the batch, at most batchSize - 1 of
    // them (the batchSize-th emit writes the batch before it returns).
    const lost = Math.max(0, acked - scan.counts.length);
    expect(lost).toBeLessThan(BATCH_SIZE);
  });

  it('has written a partial batch by the flush interval when emits stop', async () => {
    const rows = 120;
    const { acked, scan } = await crashWriter('interval', {
      mode: 'batched',
      // Never full: only the timer can write these rows.
      batchSize: 1_000_000,
      flushIntervalMs: 20,
      limit: rows,
      killAfter: { rows },
    });
    expect(acked).toBe(rows);
    expect(scan.counts).toEqual(range(0, rows));
    expectKilledWriter(scan);
  });
});

describe('a torn last line', () => {
  /** A copy of the crashed file that certainly ends in a torn row. */
  function tornCopy(name: string): { path: string; rows: number } {
    const path = join(dir, `${name}.jsonl`);
    copyFileSync(sync.path, path);
    // The kill may already have cut a row; appending to it keeps it one torn line.
    appendFileSync(path, TORN_ROW);
    return { path, rows: sync.scan.counts.length };
  }

  it('skips the torn last line and counts it in readAuditEntries', async () => {
    const { path, rows } = tornCopy('torn-reader');
    const { counts, own, skipped } = await readAll(path);
    expect(counts).toEqual(range(0, rows).reverse());
    // The killed writer's audit.opened row; it never closed.
    expect(own).toEqual(['audit.opened']);
    expect(skipped).toEqual({ blank: 0, malformed: 0, torn: 1, invalid: 0 });
  });

  it('skips the torn last line and counts it in kora-audit stats and query', async () => {
    const { path, rows } = tornCopy('torn-cli');
    const stats = JSON.parse((await kora(['stats', '--path', path])).stdout) as Record<string, unknown>;
    // The caller's rows, the writer's audit.opened row, and the torn line.
    expect(stats).toMatchObject({ rows: rows + 1, lines: rows + 2, skipped: { blank: 0, malformed: 0, torn: 1, invalid: 0 } });

    const query = await kora(['query', '--path', path, '--limit', '5']);
    const newest = query.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => Number(auditEnvelope.parse(JSON.parse(line)).details.count));
    expect(newest).toEqual(range(rows - 5, rows).reverse());
    expect(JSON.parse(query.stderr)).toMatchObject({ skipped: { torn: 1, malformed: 0 } });
  });

  it('appends the next writer’s rows on a fresh line, leaving one bad line behind', async () => {
    const { path, rows } = tornCopy('torn-next');
    const next = createAuditSink({ path, logger: { info: () => {}, warn: () => {} } });
    for (const count of [900_000, 900_001, 900_002]) expect(next.emit(exampleSeam, { tool_name: 'next', count }).ok).toBe(true);
    await next.close();

    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    // The torn row is now a line of its own, followed by the new writer's rows intact: its
    // audit.opened row, the three rows numbered 2 to 4, and its audit.closed row.
    expect(lines.at(-7)?.endsWith(TORN_ROW)).toBe(true);
    const written = lines.slice(-6, -1).map((line) => auditEnvelope.parse(JSON.parse(line)));
    expect(written.map((row) => [row.seam, row.seq, row.details.count])).toEqual([
      ['audit.opened', 1, undefined],
      ['mcp.tool_called', 2, 900_000],
      ['mcp.tool_called', 3, 900_001],
      ['mcp.tool_called', 4, 900_002],
      ['audit.closed', 5, undefined],
    ]);
    expect(written[4]?.details).toEqual({ trigger: 'close', last_seq: 5, rows_made: 4, rows_written: 4, rows_lost: {} });
    // A new writer, not the killed one carrying on.
    expect(new Set(written.map((row) => row.writer))).toEqual(new Set([written[0]?.id]));
    expect(written[0]?.id).not.toBe(sync.scan.rows[0]?.writer);

    const { counts, own, skipped } = await readAll(path);
    expect(counts).toEqual([900_002, 900_001, 900_000, ...range(0, rows).reverse()]);
    expect(own).toEqual(['audit.closed', 'audit.opened', 'audit.opened']);
    expect(skipped).toEqual({ blank: 0, malformed: 1, torn: 0, invalid: 0 });
    const stats = JSON.parse((await kora(['stats', '--path', path])).stdout) as Record<string, unknown>;
    // Both writers' rows (the killed one's audit.opened row among them), and the torn line.
    expect(stats).toMatchObject({ rows: rows + 6, lines: rows + 7, skipped: { blank: 0, malformed: 1, torn: 0, invalid: 0 } });
  });
});
