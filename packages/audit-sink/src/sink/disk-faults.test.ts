import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import type { EmitOutcome } from '../seam/emit-types.js';
import { createCaptureSink } from '../testing/create-capture-sink.js';
import type { CaptureSink } from '../testing/create-capture-sink.js';
import { mountTmpfs, tmpfsUnavailableReason } from '@kora/test-support';
import type { Tmpfs } from '@kora/test-support';
import type { AuditSink, AuditSinkOptions } from './audit-sink-types.js';
import { createAuditSink } from './create-audit-sink.js';

// The real faults need a real filesystem: a 64 KiB tmpfs, which only root may mount. Where
// that is impossible the tests say so in their names instead of passing without running.
const tmpfsUnavailable = tmpfsUnavailableReason();
if (tmpfsUnavailable !== null) console.warn(`disk-faults.test.ts: tmpfs tests skipped: ${tmpfsUnavailable}`);
const needsTmpfs = tmpfsUnavailable === null ? '' : ` [skipped: ${tmpfsUnavailable}]`;

const started = Date.parse('2026-11-26T17:15:48.123Z');
const FILE_NAME = 'kora_audit_log.jsonl';

interface Harness {
  readonly sink: AuditSink;
  /** Holds the logger; its own sink and temp file are not used. */
  readonly capture: CaptureSink;
  /** Moves the sink's clock forward. */
  readonly advance: (milliseconds: number) => void;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  // Sinks first: a tmpfs cannot be unmounted cleanly while a file on it is open.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function mount(): Tmpfs {
  const tmpfs = mountTmpfs();
  cleanups.push(() => tmpfs.unmount());
  return tmpfs;
}

/** A sink on `path` whose lines and warnings land in a capture logger, on a clock that stands still. */
function openSink(path: string, options: Omit<AuditSinkOptions, 'path' | 'logger' | 'clock'> = {}): Harness {
  const capture = createCaptureSink();
  let now = started;
  const sink = createAuditSink({ flushOnExit: false, ...options, path, logger: capture.logger, clock: () => now });
  cleanups.push(async () => {
    await sink.close();
    await capture.cleanup();
  });
  return { sink, capture, advance: (milliseconds) => (now += milliseconds) };
}

/** Emit `count` rows as a seam emit helper does: the verbatim line, then the row. */
function burst({ sink, capture }: Harness, label: string, count: number): EmitOutcome[] {
  return Array.from({ length: count }, (_, index) =>
    sink.emitWithLine(exampleSeam, { tool_name: `${label}-${index}`, count: index }, undefined, capture.logger),
  );
}

function idsOf(outcomes: readonly EmitOutcome[]): string[] {
  return outcomes.flatMap((outcome) => (outcome.ok ? [outcome.id] : []));
}

/**
 * The file's rows as a reader sees them: the ids of the callers' rows, every row (the writer's
 * own `audit.*` rows too), and how many lines were not JSON (torn heads).
 */
function readFile(path: string): { ids: string[]; rows: AuditEnvelope[]; malformed: number } {
  const rows: AuditEnvelope[] = [];
  let malformed = 0;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line) as AuditEnvelope);
    } catch {
      malformed += 1;
    }
  }
  return { ids: rows.filter((row) => !row.seam.startsWith('audit.')).map((row) => row.id), rows, malformed };
}

/**
 * Close the sink, then check what an investigator checks: its writer's numbers, 1 to the closed
 * row's, are exactly the rows in the file and the numbers its `audit.lost` rows name, each once;
 * the rows stand in their order; and the closed row's counters agree. Returns the lost numbers' count by reason.
 */
async function expectEveryRowAccounted({ sink }: Harness, path: string): Promise<Record<string, number>> {
  await sink.close();
  const { rows } = readFile(path);
  const present = rows.map((row) => row.seq!);
  expect(present).toEqual([...present].sort((a, b) => a - b));
  const closed = rows.at(-1)!;
  expect(closed.seam).toBe('audit.closed');
  const lastSeq = closed.seq!;
  const accounted = new Map<number, string>(present.map((seq) => [seq, 'present']));
  const lostByReason: Record<string, number> = {};
  for (const row of rows.filter((candidate) => candidate.seam === 'audit.lost')) {
    const { reason, ranges } = row.details as { reason: string; ranges: { first: number; last: number }[] };
    for (const { first, last } of ranges) {
      for (let seq = first; seq <= last; seq += 1) {
        expect(accounted.get(seq), `seq ${seq}`).toBeUndefined();
        accounted.set(seq, reason);
        lostByReason[reason] = (lostByReason[reason] ?? 0) + 1;
      }
    }
  }
  expect([...accounted.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: lastSeq }, (_, index) => index + 1));
  expect(closed.details).toEqual({
    trigger: 'close',
    last_seq: lastSeq,
    rows_made: lastSeq - 1,
    rows_written: present.length - 1,
    rows_lost: lostByReason,
  });
  return lostByReason;
}

function writeFailedWarnings(capture: CaptureSink): string[] {
  return capture.warnings().filter((warning) => warning.includes(' reason=write_failed '));
}

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe(`createAuditSink on a full disk${needsTmpfs}`, () => {
  it.skipIf(tmpfsUnavailable !== null)(
    'never throws, keeps every verbatim line, warns once, counts, and writes again once there is room',
    async () => {
      const tmpfs = mount();
      tmpfs.fill();
      const path = join(tmpfs.dir, 'audit', FILE_NAME);
      const harness = openSink(path);

      const lost = burst(harness, 'lost', 20);

      for (const outcome of lost) expect(outcome).toMatchObject({ ok: false, reason: 'write_failed' });
      expect(harness.capture.verbatimLines()).toEqual(lost.map((_, index) => `[kora.mcp.tool_called] tool=lost-${index} count=${index}`));
      expect(writeFailedWarnings(harness.capture)).toEqual([`[kora.audit.skipped] reason=write_failed code=ENOSPC rows=1 path=${path}`]);
      expect(harness.sink.stats()).toMatchObject({
        rowsWritten: 0,
        writeFailures: 20,
        skipped: { write_failed: 20 },
        lastError: { code: 'ENOSPC', at: new Date(started).toISOString() },
        writeFailing: true,
      });

      tmpfs.free();
      const kept = burst(harness, 'kept', 3);

      expect(kept.every((outcome) => outcome.ok)).toBe(true);
      expect(readFile(path)).toMatchObject({ ids: idsOf(kept), malformed: 0 });
      expect(harness.sink.stats()).toMatchObject({ rowsWritten: 3, writeFailures: 20, lastError: { code: 'ENOSPC' }, writeFailing: false });
      // The 20 rows, the opened row and the loss rows that could not be written either.
      const named = await expectEveryRowAccounted(harness, path);
      expect(Object.keys(named)).toEqual(['write_failed']);
      expect(named.write_failed).toBeGreaterThanOrEqual(21);
    },
  );

  it.skipIf(tmpfsUnavailable !== null)('retries the rows of failed batches once there is room, writing each exactly once', async () => {
    const tmpfs = mount();
    const path = join(tmpfs.dir, FILE_NAME);
    // An interval no test waits for: only the batch size and flush() write here.
    const harness = openSink(path, { mode: 'batched', batchSize: 4, flushIntervalMs: 3_600_000 });
    const before = burst(harness, 'before', 8);
    expect(readFile(path).ids).toEqual(idsOf(before));

    tmpfs.fill();
    // More than the rest of the file's last page, which tmpfs still lets it fill: the disk
    // takes the first rows, cuts one short, then refuses the others.
    const during = burst(harness, 'during', 60);

    expect(during.every((outcome) => outcome.ok)).toBe(true);
    expect(harness.capture.verbatimLines()).toHaveLength(68);
    expect(writeFailedWarnings(harness.capture)).toEqual([`[kora.audit.skipped] reason=write_failed code=ENOSPC rows=0 path=${path}`]);
    const whileFull = harness.sink.stats();
    expect(whileFull).toMatchObject({ lastError: { code: 'ENOSPC' }, writeFailing: true, skipped: {} });
    expect(whileFull.writeFailures).toBeGreaterThan(0);
    expect(whileFull.rowsPending).toBeGreaterThan(0);
    expect(whileFull.rowsWritten + whileFull.rowsPending).toBe(68);

    tmpfs.free();
    await harness.sink.flush();

    const file = readFile(path);
    expect(sorted(file.ids)).toEqual(sorted([...idsOf(before), ...idsOf(during)]));
    expect(new Set(file.ids).size).toBe(68);
    // At most the head of the row the disk cut short, which readers skip as malformed.
    expect(file.malformed).toBeLessThanOrEqual(1);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    expect(harness.sink.stats()).toMatchObject({ rowsWritten: 68, rowsPending: 0, writeFailing: false, skipped: {} });
    // Held and retried, nothing lost.
    expect(await expectEveryRowAccounted(harness, path)).toEqual({});
  });

  it.skipIf(tmpfsUnavailable !== null)('retries held rows on its flush interval, with no further emit or flush', async () => {
    const tmpfs = mount();
    tmpfs.fill();
    const path = join(tmpfs.dir, FILE_NAME);
    const harness = openSink(path, { mode: 'batched', batchSize: 2, flushIntervalMs: 20 });
    const held = burst(harness, 'held', 2);
    expect(harness.sink.stats()).toMatchObject({ rowsPending: 2, writeFailing: true });

    tmpfs.free();

    await vi.waitFor(() => expect(readFile(path).ids).toEqual(idsOf(held)), { timeout: 20_000, interval: 20 });
    expect(harness.sink.stats()).toMatchObject({ rowsWritten: 2, rowsPending: 0, writeFailing: false });
    expect(await expectEveryRowAccounted(harness, path)).toEqual({});
  });

  it.skipIf(tmpfsUnavailable !== null)('in required mode reports exactly the rows that are not in the file', async () => {
    const tmpfs = mount();
    const path = join(tmpfs.dir, FILE_NAME);
    // Batching is asked for and overruled: a required row is written before emit returns.
    const harness = openSink(path, { failure: 'required', mode: 'batched', batchSize: 50 });
    const before = burst(harness, 'before', 3);
    tmpfs.fill();

    const during = burst(harness, 'during', 40);
    const refused = during.filter((outcome) => !outcome.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const outcome of refused) expect(outcome).toMatchObject({ reason: 'write_failed', id: expect.any(String) as string });
    expect(harness.sink.stats()).toMatchObject({ writeFailures: refused.length, skipped: { write_failed: refused.length } });

    tmpfs.free();
    const after = burst(harness, 'after', 2);

    expect(after.every((outcome) => outcome.ok)).toBe(true);
    const file = readFile(path);
    expect(file.ids).toEqual(idsOf([...before, ...during, ...after]));
    expect(file.malformed).toBeLessThanOrEqual(1);
    // Every refused row is named lost; with it, the loss rows the full disk refused too.
    const lost = await expectEveryRowAccounted(harness, path);
    expect(lost.write_failed).toBeGreaterThanOrEqual(refused.length);
  });
});

describe(`createAuditSink on a read-only filesystem${needsTmpfs}`, () => {
  it.skipIf(tmpfsUnavailable !== null)(
    'never throws, warns once with EROFS, counts, and writes again once remounted read-write',
    async () => {
      const tmpfs = mount();
      const directory = join(tmpfs.dir, 'audit');
      mkdirSync(directory);
      // chmod would not do: root writes through permission bits, but not through a read-only mount.
      tmpfs.setReadOnly(true);
      const path = join(directory, FILE_NAME);
      const harness = openSink(path);

      const lost = burst(harness, 'lost', 10);

      for (const outcome of lost) expect(outcome).toMatchObject({ ok: false, reason: 'write_failed' });
      expect(harness.capture.verbatimLines()).toHaveLength(10);
      expect(writeFailedWarnings(harness.capture)).toEqual([`[kora.audit.skipped] reason=write_failed code=EROFS rows=1 path=${path}`]);
      expect(harness.sink.stats()).toMatchObject({
        writeFailures: 10,
        skipped: { write_failed: 10 },
        lastError: { code: 'EROFS' },
        writeFailing: true,
      });

      tmpfs.setReadOnly(false);
      const kept = burst(harness, 'kept', 2);

      expect(readFile(path)).toMatchObject({ ids: idsOf(kept), malformed: 0 });
      expect(harness.sink.stats()).toMatchObject({ rowsWritten: 2, writeFailing: false });
      expect((await expectEveryRowAccounted(harness, path)).write_failed).toBeGreaterThanOrEqual(11);
    },
  );
});

describe('createAuditSink on a path that cannot hold the file', () => {
  it('holds batched rows while the parent is a file and writes them once it is a directory', async () => {
    const capture = createCaptureSink();
    cleanups.push(() => capture.cleanup());
    const parent = join(capture.dir, 'not-a-directory');
    writeFileSync(parent, 'a file where the directory should be');
    const path = join(parent, FILE_NAME);
    const harness = openSink(path, { mode: 'batched', batchSize: 3, flushIntervalMs: 3_600_000 });

    const held = burst(harness, 'held', 9);

    expect(held.every((outcome) => outcome.ok)).toBe(true);
    expect(harness.capture.verbatimLines()).toHaveLength(9);
    const warnings = writeFailedWarnings(harness.capture);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\[kora\.audit\.skipped\] reason=write_failed code=(EEXIST|ENOTDIR) rows=0 path=/);
    expect(harness.sink.stats()).toMatchObject({ rowsWritten: 0, rowsPending: 9, writeFailing: true, skipped: {} });
    expect(harness.sink.stats().writeFailures).toBeGreaterThan(0);

    rmSync(parent);
    await harness.sink.flush();

    expect(readFile(path)).toMatchObject({ ids: idsOf(held), malformed: 0 });
    expect(harness.sink.stats()).toMatchObject({ rowsWritten: 9, rowsPending: 0, writeFailing: false });
    expect(await expectEveryRowAccounted(harness, path)).toEqual({});
  });

  it('drops the oldest held rows past 10,000 and names them lost as queue_full once it writes again', async () => {
    const capture = createCaptureSink();
    cleanups.push(() => capture.cleanup());
    const parent = join(capture.dir, 'not-a-directory');
    writeFileSync(parent, 'a file where the directory should be');
    const path = join(parent, FILE_NAME);
    const harness = openSink(path, { mode: 'batched', batchSize: 100, flushIntervalMs: 3_600_000 });

    const held = Array.from({ length: 10_050 }, (_, index) => harness.sink.emit(exampleSeam, { tool_name: 'held', count: index }));
    expect(held.every((outcome) => outcome.ok)).toBe(true);
    // The opened row was the oldest held row: it went first, with the 50 oldest of the callers'.
    expect(harness.sink.stats()).toMatchObject({ rowsPending: 10_000, skipped: { write_failed: 50 } });

    rmSync(parent);
    await harness.sink.flush();

    const file = readFile(path);
    expect(file.ids).toEqual(idsOf(held.slice(50)));
    // The write that succeeds names the loss: its audit.lost row goes out with the held rows.
    expect(file.rows.at(-1)).toMatchObject({
      seam: 'audit.lost',
      details: { reason: 'queue_full', ranges: [{ first: 1, last: 51 }], rows: 51 },
    });
    expect(await expectEveryRowAccounted(harness, path)).toEqual({ queue_full: 51 });
  });

  it('refuses a path that names a FIFO with EFTYPE, and writes again once a file is there', async () => {
    const capture = createCaptureSink();
    cleanups.push(() => capture.cleanup());
    const path = join(capture.dir, FILE_NAME);
    execFileSync('mkfifo', [path]);
    const harness = openSink(path);
    const lost = burst(harness, 'lost', 3);

    for (const outcome of lost) expect(outcome).toMatchObject({ ok: false, reason: 'write_failed' });
    expect(writeFailedWarnings(harness.capture)).toEqual([`[kora.audit.skipped] reason=write_failed code=EFTYPE rows=1 path=${path}`]);
    expect(harness.sink.stats()).toMatchObject({ lastError: { code: 'EFTYPE' }, writeFailing: true });

    rmSync(path);
    const kept = burst(harness, 'kept', 2);
    expect(readFile(path)).toMatchObject({ ids: idsOf(kept), malformed: 0 });
    expect(harness.sink.stats().writeFailing).toBe(false);
    expect((await expectEveryRowAccounted(harness, path)).write_failed).toBeGreaterThanOrEqual(4);
  });

  it('notices the file was replaced by a directory, fails with EISDIR, and writes again once it is gone', () => {
    const capture = createCaptureSink();
    cleanups.push(() => capture.cleanup());
    const path = join(capture.dir, FILE_NAME);
    const harness = openSink(path);
    expect(burst(harness, 'before', 1)[0]?.ok).toBe(true);

    rmSync(path);
    mkdirSync(path);
    // Past the interval at which the sink checks that the path still names its open file.
    harness.advance(5_000);
    const lost = burst(harness, 'lost', 5);

    for (const outcome of lost) expect(outcome).toMatchObject({ ok: false, reason: 'write_failed' });
    expect(harness.capture.verbatimLines()).toHaveLength(6);
    expect(writeFailedWarnings(harness.capture)).toEqual([`[kora.audit.skipped] reason=write_failed code=EISDIR rows=1 path=${path}`]);
    expect(harness.sink.stats()).toMatchObject({
      writeFailures: 5,
      skipped: { write_failed: 5 },
      lastError: { code: 'EISDIR' },
      writeFailing: true,
    });

    rmdirSync(path);
    const kept = burst(harness, 'kept', 2);

    expect(readFile(path)).toMatchObject({ ids: idsOf(kept), malformed: 0 });
    expect(harness.sink.stats().writeFailing).toBe(false);
  });

  // /dev/full fails every write with ENOSPC, but the sink never writes to it: a device is not
  // a regular file, and refusing it is what this shows. The ENOSPC tests above use a tmpfs.
  it.skipIf(!existsSync('/dev/full'))('refuses a device such as /dev/full without throwing, and counts every row', () => {
    const harness = openSink('/dev/full');

    const lost = burst(harness, 'lost', 4);

    for (const outcome of lost) expect(outcome).toMatchObject({ ok: false, reason: 'write_failed' });
    expect(harness.capture.verbatimLines()).toHaveLength(4);
    expect(writeFailedWarnings(harness.capture)).toHaveLength(1);
    expect(harness.sink.stats()).toMatchObject({ rowsWritten: 0, writeFailures: 4, skipped: { write_failed: 4 }, writeFailing: true });
  });
});
