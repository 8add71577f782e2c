import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import type { AuditSink, AuditSinkOptions } from './audit-sink-types.js';
import { createAuditSink } from './create-audit-sink.js';
import { registerHangupReopen, unregisterHangupReopen } from './reopen-on-hangup.js';

const fixture = new URL('../__fixtures__/rotation-child.ts', import.meta.url).pathname;
const silent = { info: () => {}, warn: () => {} };
const dirs: string[] = [];
const sinks: AuditSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kora-hangup-'));
  dirs.push(dir);
  return join(dir, 'audit.jsonl');
}

/** A sink whose clock never moves, so only SIGHUP can make it notice a rotation. */
function frozenSink(options: AuditSinkOptions = {}) {
  const path = tempPath();
  const sink = createAuditSink({ path, logger: silent, flushOnExit: false, clock: () => 0, ...options });
  sinks.push(sink);
  /** Each row of `file` as the caller's tool name, or the writer's own row as its seam and number (`audit.opened#1`). */
  const names = (file: string): string[] =>
    readRows(file).map((row) => (row.seam.startsWith('audit.') ? `${row.seam}#${row.seq}` : String(row.details.tool_name)));
  // What logrotate's `create` does before its postrotate script sends SIGHUP.
  const rotate = (): void => {
    renameSync(path, `${path}.1`);
    writeFileSync(path, '', { mode: 0o600 });
  };
  return { path, sink, names, rotate };
}

interface FileRow {
  readonly seam: string;
  readonly writer: string;
  readonly seq: number;
  readonly details: Record<string, unknown>;
}

function readRows(file: string): FileRow[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as FileRow)
    : [];
}

describe('registerHangupReopen', () => {
  it('adds one SIGHUP listener for all targets and removes it with the last', () => {
    const before = process.listenerCount('SIGHUP');
    const first = { reopen: () => {} };
    const second = { reopen: () => {} };
    registerHangupReopen(first);
    registerHangupReopen(second);
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    unregisterHangupReopen(first);
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    unregisterHangupReopen(second);
    unregisterHangupReopen(second);
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });

  it('reopens every target even when one throws', () => {
    let reopened = 0;
    const failing = {
      reopen: () => {
        throw new Error('descriptor already gone');
      },
    };
    const counting = { reopen: () => void (reopened += 1) };
    registerHangupReopen(failing);
    registerHangupReopen(counting);
    process.emit('SIGHUP', 'SIGHUP');
    unregisterHangupReopen(failing);
    unregisterHangupReopen(counting);
    expect(reopened).toBe(1);
  });
});

describe('createAuditSink on SIGHUP', () => {
  it('sends the next row to the new file in sync mode', async () => {
    const { path, sink, names, rotate } = frozenSink();
    sink.emit(exampleSeam, { tool_name: 'before' });
    rotate();
    process.emit('SIGHUP', 'SIGHUP');
    sink.emit(exampleSeam, { tool_name: 'after' });
    expect(names(`${path}.1`)).toEqual(['audit.opened#1', 'before']);
    expect(names(path)).toEqual(['after']);
    expect(sink.stats().reopens).toBe(1);
    // The writer goes on numbering in the new file, and closes there.
    await sink.close();
    expect(names(path)).toEqual(['after', 'audit.closed#4']);
    expect(new Set([...readRows(`${path}.1`), ...readRows(path)].map((row) => row.writer)).size).toBe(1);
  });

  it('carries the rows waiting in a batch to the new file', async () => {
    const { path, sink, names, rotate } = frozenSink({ mode: 'batched', batchSize: 100, flushIntervalMs: 600_000 });
    sink.emit(exampleSeam, { tool_name: 'flushed' });
    await sink.flush();
    sink.emit(exampleSeam, { tool_name: 'waiting' });
    rotate();
    process.emit('SIGHUP', 'SIGHUP');
    sink.emit(exampleSeam, { tool_name: 'after' });
    await sink.flush();
    expect(names(`${path}.1`)).toEqual(['audit.opened#1', 'flushed']);
    expect(names(path)).toEqual(['waiting', 'after']);
    expect(readRows(path).map((row) => row.seq)).toEqual([3, 4]);
  });

  it('leaves the file alone when reopenOnHangup is false', async () => {
    const before = process.listenerCount('SIGHUP');
    const { path, sink, names, rotate } = frozenSink({ reopenOnHangup: false });
    expect(process.listenerCount('SIGHUP')).toBe(before);
    sink.emit(exampleSeam, { tool_name: 'before' });
    rotate();
    process.emit('SIGHUP', 'SIGHUP');
    sink.emit(exampleSeam, { tool_name: 'after' });
    await sink.close();
    expect(names(`${path}.1`)).toEqual(['audit.opened#1', 'before', 'after', 'audit.closed#4']);
    expect(names(path)).toEqual([]);
  });

  it('stops listening once closed', async () => {
    const before = process.listenerCount('SIGHUP');
    const { sink } = frozenSink();
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    await sink.close();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});

interface ChildEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Start the rotation child and resolve once it printed `marker` (or ended). */
function startChild(path: string, scenario: string, marker: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', fixture, path, scenario], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<ChildEnd>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', () => {
      if (stdout.includes(marker)) resolve();
    });
    void ended.then(() => resolve());
  });
  return { child, ready, ended };
}

describe('SIGHUP delivered to a process', () => {
  it.each(['closed', 'opted-out'])('still ends a process whose sink is %s', async (scenario) => {
    const { child, ready, ended } = startChild(tempPath(), scenario, 'waiting');
    await ready;
    child.kill('SIGHUP');
    const end = await ended;
    expect(end.signal, end.stderr).toBe('SIGHUP');
  });

  it('is survived by a process with an open sink, which moves to the new file', async () => {
    const path = tempPath();
    const { child, ended } = startChild(path, 'sync', '\n');
    const countLines = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0);
    await waitFor(() => countLines(path) > 0, 'the first rows');
    renameSync(path, `${path}.1`);
    child.kill('SIGHUP');
    await waitFor(() => countLines(path) > 0, 'rows in the new file');
    child.stdin.end();
    const end = await ended;
    expect(end.code, end.stderr).toBe(0);
    const report = JSON.parse(end.stdout) as { emitted: number; refused: number[] };
    expect(report.refused).toEqual([]);
    // One writer across both files: its audit.opened row, every row in order, its audit.closed row.
    const rows = [...readRows(`${path}.1`), ...readRows(path)];
    expect(countLines(`${path}.1`)).toBeGreaterThan(0);
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: report.emitted + 2 }, (_, index) => index + 1));
    expect(new Set(rows.map((row) => row.writer)).size).toBe(1);
    expect(rows[0]?.seam).toBe('audit.opened');
    expect(rows.slice(1, -1).map((row) => row.details.count)).toEqual(Array.from({ length: report.emitted }, (_, count) => count));
    expect(rows.at(-1)).toMatchObject({
      seam: 'audit.closed',
      details: { trigger: 'close', rows_made: report.emitted + 1, rows_written: report.emitted + 1, rows_lost: {} },
    });
  });
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  // A bound only so that a broken writer fails the test instead of hanging it.
  for (let attempt = 0; attempt < 2000; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}
