// Rotation with the real logrotate binary while a child process writes without pause.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditSinkStats } from './audit-sink-types.js';

const LOGROTATE = '/usr/sbin/logrotate';
const ROTATIONS = 4;
// Rows the live file must hold before each rotation, so every rotation moves real data.
const ROWS_BEFORE_ROTATION = 300;
// Larger files make logrotate's copy slower, which is the copytruncate window under test.
const ROWS_BEFORE_COPYTRUNCATE = 3000;
const fixture = new URL('../__fixtures__/rotation-child.ts', import.meta.url).pathname;
const run = promisify(execFile);

let root = '';
beforeAll(() => {
  if (!existsSync(LOGROTATE)) {
    throw new Error(
      `${LOGROTATE} is missing: the rotation tests drive the real logrotate. Install it (scripts/setup.sh does: apt-get install logrotate).`,
    );
  }
  root = mkdtempSync(join(tmpdir(), 'kora-rotation-'));
});
afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

interface WriterReport {
  readonly emitted: number;
  readonly refused: readonly number[];
  readonly stats: AuditSinkStats;
}

/** A child emitting numbered rows into `path` until `stop()` closes its stdin. */
function startWriter(path: string, mode: 'sync' | 'batched') {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', fixture, path, mode], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<{ code: number | null }>((resolve) => child.on('close', (code) => resolve({ code })));
  return {
    pid: child.pid ?? 0,
    stop: async (): Promise<WriterReport> => {
      child.stdin.end();
      const { code } = await ended;
      if (code !== 0) throw new Error(`writer ended with ${String(code)}: ${stderr}`);
      expect(stderr).toBe('');
      return JSON.parse(stdout) as WriterReport;
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/** A directory for one scenario: the log in `logs/`, logrotate's config and state beside it. */
function scenarioDir(name: string) {
  const dir = join(root, name);
  const logs = join(dir, 'logs');
  // logrotate refuses a log directory others can write to.
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  return { dir, logs, path: join(logs, 'kora_audit_log.jsonl') };
}

/** Write the config (logrotate ignores one that group or others can write) and return a runner. */
function logrotate(dir: string, config: string) {
  const configPath = join(dir, 'logrotate.conf');
  writeFileSync(configPath, config, { mode: 0o600 });
  return async (rotatedPath: string): Promise<void> => {
    const before = inodeOf(rotatedPath);
    const { stdout, stderr } = await run(LOGROTATE, ['-f', '-s', join(dir, 'logrotate.state'), configPath]);
    // logrotate exits 0 even when it skips a config it distrusts: check that it rotated.
    expect(inodeOf(rotatedPath), `logrotate did not rotate:\n${stdout}${stderr}`).not.toBe(before);
    expect(stderr).toBe('');
  };
}

function inodeOf(path: string): number | undefined {
  return existsSync(path) ? statSync(path).ino : undefined;
}

interface FoundRows {
  /** Row numbers in file order, oldest file first. */
  readonly counts: number[];
  /** The ids of all rows, the writer's own included. */
  readonly ids: string[];
  /** Every row's seam, writer and sequence number, in file order, oldest file first. */
  readonly rows: { seam: string; writer: string; seq: number; details: Record<string, unknown> }[];
  /** When each found row was emitted, by row number. */
  readonly emittedAt: Map<number, number>;
  readonly files: number;
  /** Rotated copies whose last line was cut by the copy (only with `tornCopies`). */
  readonly tornCopies: number;
}

/**
 * Every row in the live file and its rotated copies (gzipped ones included), oldest first.
 * Fails on a NUL byte, an unterminated last line, or a line that is not a row. With
 * `tornCopies`, a rotated copy may end inside a line: copytruncate's copy reads the file while
 * the writer appends, and a read need not see a concurrent write whole, so the copy can end
 * inside the row being written (which the truncation then takes from the live file: a row of
 * the copy window). Every reader passes over such a torn last line.
 */
function readAllRows(logs: string, path: string, options: { readonly tornCopies?: boolean } = {}): FoundRows {
  const name = basename(path);
  const age = (file: string): number => (file === name ? 0 : Number(/^\.(\d+)/.exec(file.slice(name.length))?.[1] ?? Number.NaN));
  const files = readdirSync(logs)
    .filter((file) => file.startsWith(name))
    .sort((left, right) => age(right) - age(left));
  const counts: number[] = [];
  const ids: string[] = [];
  const rows: FoundRows['rows'] = [];
  const emittedAt = new Map<number, number>();
  let tornCopies = 0;
  for (const file of files) {
    expect(age(file), `unexpected file ${file}`).not.toBeNaN();
    const raw = readFileSync(join(logs, file));
    const bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
    expect(bytes.includes(0), `NUL byte in ${file}`).toBe(false);
    let text = bytes.toString('utf8');
    if (options.tornCopies === true && file !== name && !text.endsWith('\n')) {
      text = text.slice(0, text.lastIndexOf('\n') + 1);
      tornCopies += 1;
    }
    if (text === '') continue;
    expect(text.endsWith('\n'), `${file} ends inside a line`).toBe(true);
    for (const line of text.slice(0, -1).split('\n')) {
      const row = JSON.parse(line) as {
        id: string;
        emitted_at: string;
        seam: string;
        writer: string;
        seq: number;
        details: { count: number };
      };
      ids.push(row.id);
      rows.push(row);
      // The writer's own rows open and close its sequence; the others are the caller's.
      if (row.seam === 'audit.opened' || row.seam === 'audit.closed') continue;
      expect(row.seam).toBe('mcp.tool_called');
      counts.push(row.details.count);
      emittedAt.set(row.details.count, Date.parse(row.emitted_at));
    }
  }
  return { counts, ids, rows, emittedAt, files: files.length, tornCopies };
}

function liveCounts(path: string): number[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // The writer may be in the middle of a line: only whole lines count.
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { seam: string; details: { count: number } })
    .filter((row) => row.seam === 'mcp.tool_called')
    .map((row) => row.details.count);
}

/**
 * One writer's rows across the files: its audit.opened row first, caller row `count` as
 * number `count + 2`, and its audit.closed row last, counting the rows it made and wrote.
 */
function expectOneWriter(found: FoundRows, report: WriterReport, written: number): void {
  const [opened] = found.rows;
  const closed = found.rows.at(-1);
  expect(opened).toMatchObject({
    seam: 'audit.opened',
    seq: 1,
    details: { pid: expect.any(Number) as number, path: expect.any(String) as string },
  });
  expect(found.rows.filter((row) => row.writer !== opened?.writer)).toEqual([]);
  const callers = found.rows.slice(1, -1);
  expect(callers.filter((row) => row.seam !== 'mcp.tool_called' || row.seq !== Number(row.details.count) + 2)).toEqual([]);
  expect(closed).toMatchObject({
    seam: 'audit.closed',
    seq: report.emitted + 2,
    details: { trigger: 'close', last_seq: report.emitted + 2, rows_made: report.emitted + 1, rows_written: written + 1, rows_lost: {} },
  });
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  // A bound only so that a broken writer fails the test instead of hanging it.
  for (let attempt = 0; attempt < 6000; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function acknowledged(report: WriterReport): number[] {
  const refused = new Set(report.refused);
  return Array.from({ length: report.emitted }, (_, count) => count).filter((count) => !refused.has(count));
}

describe('rename rotation (logrotate create) with SIGHUP', () => {
  it.each(['sync', 'batched'] as const)('keeps every acknowledged row across %s rotations', async (mode) => {
    const { dir, logs, path } = scenarioDir(`create-${mode}`);
    const writer = startWriter(path, mode);
    try {
      // The configuration the runbook recommends, with this writer's pid.
      const rotate = logrotate(
        dir,
        [
          `${path} {`,
          '  rotate 10',
          '  create 0600',
          '  compress',
          '  delaycompress',
          '  missingok',
          '  notifempty',
          '  postrotate',
          `    kill -HUP ${writer.pid}`,
          '  endscript',
          '}',
          '',
        ].join('\n'),
      );
      for (let rotation = 0; rotation < ROTATIONS; rotation += 1) {
        await waitFor(() => liveCounts(path).length >= ROWS_BEFORE_ROTATION, `rows before rotation ${rotation + 1}`);
        await rotate(`${path}.1`);
      }
      await waitFor(() => liveCounts(path).length >= ROWS_BEFORE_ROTATION, 'rows after the last rotation');
      const report = await writer.stop();

      const found = readAllRows(logs, path);
      const expected = acknowledged(report);
      console.info(
        `rename rotation (${mode}): ${ROTATIONS} rotations, ${expected.length} rows acknowledged, ${found.counts.length} found in ${found.files} files, reopens=${report.stats.reopens}`,
      );
      expect(report.refused).toEqual([]);
      expect(report.stats.rowsWritten).toBe(expected.length);
      expect(new Set(found.ids).size).toBe(found.ids.length);
      // In order across the files: no row reached a rotated file after a newer one.
      expect(found.counts).toEqual(expected);
      // One writer, numbered without a gap from its audit.opened row in the oldest file to its
      // audit.closed row in the live one.
      expect(found.rows.map((row) => row.seq)).toEqual(Array.from({ length: report.emitted + 2 }, (_, index) => index + 1));
      expectOneWriter(found, report, expected.length);
      expect(found.files).toBe(ROTATIONS + 1);
      expect(report.stats.reopens).toBeGreaterThanOrEqual(ROTATIONS);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      writer.kill();
    }
  });
});

describe('copytruncate rotation', () => {
  it.each(['sync', 'batched'] as const)('leaves no hole and no broken line, losing only rows of the copy window (%s)', async (mode) => {
    const { dir, logs, path } = scenarioDir(`copytruncate-${mode}`);
    const writer = startWriter(path, mode);
    const windows: { after: number; upTo: number }[] = [];
    try {
      const rotate = logrotate(dir, [`${path} {`, '  rotate 10', '  copytruncate', '  missingok', '}', ''].join('\n'));
      for (let rotation = 0; rotation < ROTATIONS; rotation += 1) {
        await waitFor(() => liveCounts(path).length >= ROWS_BEFORE_COPYTRUNCATE, `rows before rotation ${rotation + 1}`);
        // Every row already in the file is copied; a lost row can only come later ...
        const after = Math.max(...liveCounts(path));
        await rotate(`${path}.1`);
        // ... and before the truncation, which precedes any row now in the truncated file.
        await waitFor(() => liveCounts(path).length > 0, `rows after rotation ${rotation + 1}`);
        windows.push({ after, upTo: Math.max(...liveCounts(path)) });
      }
      const report = await writer.stop();

      const found = readAllRows(logs, path, { tornCopies: true });
      const foundSet = new Set(found.counts);
      const expected = acknowledged(report);
      const lost = expected.filter((count) => !foundSet.has(count));
      const windowRows = windows.reduce((sum, window) => sum + window.upTo - window.after, 0);
      console.info(
        `copytruncate (${mode}): ${ROTATIONS} rotations, ${expected.length} rows acknowledged, ${found.counts.length} found, ${lost.length} lost (${describeGaps(lost, found.emittedAt)}); rows written while logrotate ran: ${windowRows}`,
      );
      expect(report.refused).toEqual([]);
      // At most the last line of each copy, and never the live file's.
      expect(found.tornCopies).toBeLessThanOrEqual(ROTATIONS);
      expect(new Set(found.ids).size).toBe(found.ids.length);
      expect(found.counts.every((count) => count < report.emitted)).toBe(true);
      const outside = lost.filter((count) => !windows.some((window) => count > window.after && count <= window.upTo));
      expect(outside).toEqual([]);
      expect(lost.length).toBeLessThanOrEqual(windowRows);
      // The writer cannot know what the truncation took: its numbers there are gaps no audit.lost
      // row names, and its audit.closed row counts them as written.
      expectOneWriter(found, report, expected.length);
      const seqs = found.rows.map((row) => row.seq);
      expect(seqs.every((seq, index) => index === 0 || seq > (seqs[index - 1] ?? 0))).toBe(true);
    } finally {
      writer.kill();
    }
  });
});

/** Each run of lost rows as `rows/ms`: the time between the rows found on either side of it. */
function describeGaps(lost: readonly number[], emittedAt: ReadonlyMap<number, number>): string {
  const gaps: string[] = [];
  let start = 0;
  for (let index = 1; index <= lost.length; index += 1) {
    const first = lost[start];
    const last = lost[index - 1];
    if (first === undefined || last === undefined) break;
    if (index < lost.length && lost[index] === last + 1) continue;
    const before = emittedAt.get(first - 1);
    const after = emittedAt.get(last + 1);
    const span = before === undefined || after === undefined ? '?' : String(after - before);
    gaps.push(`${last - first + 1} rows/${span} ms`);
    start = index;
  }
  return gaps.length === 0 ? 'none' : gaps.join(', ');
}
