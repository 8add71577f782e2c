import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import type { Seam } from '../seam/define-seam.js';
import type { EmitOutcome } from '../seam/emit-types.js';
import type { AuditSinkOptions } from '../sink/audit-sink-types.js';
import { createAuditSink } from '../sink/create-audit-sink.js';
import { createCaptureSink } from '../testing/create-capture-sink.js';
import type { CaptureSink } from '../testing/create-capture-sink.js';
import { auditClosedDetails, auditClosedSeam } from './audit-closed.js';
import { auditLostDetails, auditLostSeam } from './audit-lost.js';
import type { AuditLostDetails } from './audit-lost.js';
import { auditOpenedDetails, auditOpenedSeam } from './audit-opened.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const ownSeams: ReadonlyMap<string, Seam> = new Map([auditOpenedSeam, auditLostSeam, auditClosedSeam].map((seam) => [seam.name, seam]));
// Built at run time so that no credential-shaped literal sits in the source.
const githubToken = ['ghp', 'R7tX2mQ9vL4kP8wN3zB6cJ1fH5dS0aY7uE2g'].join('_');

const captures: CaptureSink[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(captures.splice(0).map((capture) => capture.cleanup()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function capture(options: Parameters<typeof createCaptureSink>[0] = {}): CaptureSink {
  const created = createCaptureSink(options);
  captures.push(created);
  return created;
}

/** Emits the sink refuses, one for each way: details off the allow-list, a bad source, a seam it does not know. */
const refusals = {
  invalid_details: (capture: CaptureSink): EmitOutcome => capture.sink.emit(exampleSeam, { tool_name: 'has spaces', secret: 'x' }),
  invalid_envelope: (capture: CaptureSink): EmitOutcome =>
    capture.sink.emit(exampleSeam, { tool_name: 'refused' }, { source: 'carrier_pigeon' as never }),
  unknown_seam: (capture: CaptureSink): EmitOutcome => capture.sink.emit({ ...exampleSeam }, { tool_name: 'forged' }),
} as const;
type Refusal = keyof typeof refusals;

/** The verbatim line of one of the writer's own rows, as its seam formats it. */
function lineOf(row: AuditEnvelope): string {
  const seam = ownSeams.get(row.seam);
  if (seam === undefined) throw new Error(`not a writer's own row: ${row.seam}`);
  return seam.formatLine(row.details, { writer: row.writer });
}

describe("a writer's audit.opened row", () => {
  it.each([
    { options: {}, mode: 'sync', batch_size: 1, failure: 'best-effort' },
    { options: { mode: 'batched', batchSize: 7 }, mode: 'batched', batch_size: 7, failure: 'best-effort' },
    // Required rows never wait in a batch: one row per write, whatever the batch size.
    { options: { mode: 'batched', batchSize: 7, failure: 'required' }, mode: 'batched', batch_size: 1, failure: 'required' },
  ] as const)('records the host, pid, $mode mode, batch size $batch_size, $failure, the version and the path', async (sinkCase) => {
    const { sink, path, allRows, rows } = capture(sinkCase.options);
    const outcome = sink.emit(exampleSeam, { tool_name: 'first' });
    await sink.flush();
    const [opened, first] = allRows();
    expect(opened).toMatchObject({ v: 2, seam: 'audit.opened', source: null, caller_session_id: null, writer: opened?.id, seq: 1 });
    expect(opened?.details).toEqual({
      host: hostname(),
      pid: process.pid,
      mode: sinkCase.mode,
      batch_size: sinkCase.batch_size,
      failure: sinkCase.failure,
      version: packageVersion,
      path,
    });
    expect(first).toMatchObject({ id: outcome.ok ? outcome.id : 'none', writer: opened?.id, seq: 2 });
    expect(rows()).toEqual([first]);
  });

  it('is made with the first emit even when the sink refuses it', async () => {
    const created = capture();
    const { sink, allRows, lifecycleLines } = created;
    expect(refusals.invalid_details(created)).toMatchObject({ ok: false, reason: 'invalid_details' });
    // Its line is logged at once; the row goes out with the writer's next row, here at close.
    expect(lifecycleLines()).toEqual([expect.stringMatching(/^\[kora\.audit\.opened\] writer=\S+ host=/)]);
    await sink.close();
    expect(allRows().map((row) => [row.seam, row.seq])).toEqual([
      ['audit.opened', 1],
      ['audit.lost', 3],
      ['audit.closed', 4],
    ]);
  });

  it('is redacted, in the row and in its line, where the path holds a secret or an e-mail address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kora-writer-rows-'));
    dirs.push(dir);
    const path = join(dir, 'ops@example.com', githubToken, 'audit.jsonl');
    mkdirSync(join(dir, 'ops@example.com', githubToken), { recursive: true });
    const logged: { level: string; message: string }[] = [];
    const logger = {
      info: (message: string) => void logged.push({ level: 'info', message }),
      warn: (message: string) => void logged.push({ level: 'warn', message }),
    };
    const sink = createAuditSink({ path, logger, flushOnExit: false, reopenOnHangup: false });
    expect(sink.emit(exampleSeam, { tool_name: 'kept' }).ok).toBe(true);
    await sink.close();

    const file = readFileSync(path, 'utf8');
    const [opened] = file
      .trim()
      .split('\n')
      .map((line) => auditEnvelope.parse(JSON.parse(line)));
    const recorded = join(dir, '[REDACTED:email-address]', '[REDACTED:github-token]', 'audit.jsonl');
    expect(opened?.details.path).toBe(recorded);
    expect(logged).toContainEqual({ level: 'info', message: expect.stringMatching(/^\[kora\.audit\.opened\] /) as string });
    const line = logged.find((entry) => entry.message.startsWith('[kora.audit.opened] '))?.message;
    expect(line?.endsWith(` path=${recorded}`)).toBe(true);
    expect(logged).toContainEqual({
      level: 'warn',
      message: '[kora.audit.redacted] seam=audit.opened rules=email-address,github-token paths=details.path',
    });
    for (const output of [file, ...logged.map((entry) => entry.message)]) {
      expect(output).not.toContain(githubToken);
      expect(output).not.toContain('ops@example.com');
    }
  });
});

describe("a writer's numbering", () => {
  it('numbers every row 1, 2, 3… under one writer id, from audit.opened to audit.closed', async () => {
    const { sink, allRows } = capture({ mode: 'batched', batchSize: 2 });
    const outcomes = [0, 1, 2, 3, 4].map((count) => sink.emit(exampleSeam, { tool_name: 'row', count }));
    await sink.close();
    const rows = allRows();
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(rows.map((row) => row.writer))).toEqual(new Set([rows[0]?.id]));
    expect(rows.map((row) => row.seam)).toEqual(['audit.opened', ...Array<string>(5).fill('mcp.tool_called'), 'audit.closed']);
    expect(rows.slice(1, -1).map((row) => row.id)).toEqual(outcomes.map((outcome) => (outcome.ok ? outcome.id : 'refused')));
    expect(sink.stats()).toMatchObject({ rowsWritten: 5, rowsPending: 0, skipped: {} });
  });

  it('writes nothing for a writer that never made a row', async () => {
    const { sink, fileText, lifecycleLines, path } = capture();
    await sink.close();
    expect(existsSync(path)).toBe(false);
    expect(fileText()).toBe('');
    expect(lifecycleLines()).toEqual([]);
  });

  it('gives a refused row a number, named by the next audit.lost row, and counts it in audit.closed', async () => {
    const created = capture();
    const { sink, allRows, rows, lifecycleLines } = created;
    sink.emit(exampleSeam, { tool_name: 'one' });
    refusals.invalid_details(created);
    refusals.invalid_details(created);
    sink.emit(exampleSeam, { tool_name: 'two' });
    refusals.invalid_details(created);
    sink.emit(exampleSeam, { tool_name: 'three' });
    await sink.close();
    expect(sink.emit(exampleSeam, { tool_name: 'late' })).toEqual({ ok: false, reason: 'sink_closed' });

    const all = allRows();
    expect(all.map((row) => [row.seam, row.seq])).toEqual([
      ['audit.opened', 1],
      ['mcp.tool_called', 2],
      ['audit.lost', 5],
      ['mcp.tool_called', 6],
      ['audit.lost', 8],
      ['mcp.tool_called', 9],
      ['audit.closed', 10],
    ]);
    expect(rows().map((row) => row.details.tool_name)).toEqual(['one', 'two', 'three']);
    expect(all[2]?.details).toEqual({ reason: 'invalid_details', ranges: [{ first: 3, last: 4 }], rows: 2 });
    expect(all[4]?.details).toEqual({ reason: 'invalid_details', ranges: [{ first: 7, last: 7 }], rows: 1 });
    expect(all[6]?.details).toEqual({ trigger: 'close', last_seq: 10, rows_made: 9, rows_written: 6, rows_lost: { invalid_details: 3 } });
    // Callers' rows only: the writer's own are not counted among them.
    expect(sink.stats()).toMatchObject({ rowsWritten: 3, skipped: { invalid_details: 3, sink_closed: 1 } });

    const writer = all[0]?.id ?? '';
    const opened = auditOpenedDetails.parse(all[0]?.details);
    expect(lifecycleLines()).toEqual([
      `[kora.audit.opened] writer=${writer} host=${opened.host} pid=${process.pid} mode=sync batch_size=1 failure=best-effort version=${packageVersion} path=${created.path}`,
      `[kora.audit.lost] writer=${writer} reason=invalid_details rows=2 seqs=3-4`,
      `[kora.audit.lost] writer=${writer} reason=invalid_details rows=1 seqs=7`,
      `[kora.audit.closed] writer=${writer} trigger=close last_seq=10 rows_made=9 rows_written=6 rows_lost={'invalid_details': 3}`,
    ]);
    // Their levels: a loss is a warning.
    expect(
      created
        .logLines()
        .filter((line) => /^\[kora\.audit\.(opened|lost|closed)\] /.test(line.msg))
        .map((line) => line.level),
    ).toEqual(['info', 'warn', 'warn', 'info']);
  });

  it.each(['invalid_envelope', 'unknown_seam'] as const)('names a row refused as %s by its reason', async (reason) => {
    const created = capture();
    created.sink.emit(exampleSeam, { tool_name: 'before' });
    expect(refusals[reason](created)).toEqual({ ok: false, reason });
    created.sink.emit(exampleSeam, { tool_name: 'after' });
    await created.sink.close();
    const all = created.allRows();
    expect(all.map((row) => [row.seam, row.seq])).toEqual([
      ['audit.opened', 1],
      ['mcp.tool_called', 2],
      ['audit.lost', 4],
      ['mcp.tool_called', 5],
      ['audit.closed', 6],
    ]);
    expect(all[2]?.details).toEqual({ reason, ranges: [{ first: 3, last: 3 }], rows: 1 });
    expect(all[4]?.details).toMatchObject({ rows_made: 5, rows_written: 4, rows_lost: { [reason]: 1 } });
  });

  it('opens a writer whose first emit names a seam the sink does not know, and accounts for it at close', async () => {
    const created = capture();
    refusals.unknown_seam(created);
    await created.sink.close();
    expect(created.allRows().map((row) => [row.seam, row.seq, row.details])).toEqual([
      ['audit.opened', 1, expect.objectContaining({ pid: process.pid }) as unknown],
      ['audit.lost', 3, { reason: 'unknown_seam', ranges: [{ first: 2, last: 2 }], rows: 1 }],
      ['audit.closed', 4, { trigger: 'close', last_seq: 4, rows_made: 3, rows_written: 2, rows_lost: { unknown_seam: 1 } }],
    ]);
  });
});

type Step =
  { readonly kind: 'valid'; readonly count: number } | { readonly kind: Refusal } | { readonly kind: 'flush' | 'close' | 'break' | 'mend' };

const emitStep: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.nat({ max: 999 }).map((count): Step => ({ kind: 'valid', count })), weight: 6 },
  { arbitrary: fc.constantFrom<Step>({ kind: 'invalid_details' }, { kind: 'invalid_envelope' }, { kind: 'unknown_seam' }), weight: 3 },
  { arbitrary: fc.constant<Step>({ kind: 'flush' }), weight: 1 },
  { arbitrary: fc.constant<Step>({ kind: 'close' }), weight: 1 },
);
// The file refusing writes for a while: a directory where it should be, until mended.
const faultStep: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: emitStep, weight: 8 },
  { arbitrary: fc.constantFrom<Step>({ kind: 'break' }, { kind: 'mend' }), weight: 2 },
);
const sinkOptions = fc.oneof(
  fc.constant<Omit<AuditSinkOptions, 'path' | 'logger'>>({}),
  fc.constant<Omit<AuditSinkOptions, 'path' | 'logger'>>({ failure: 'required' }),
  fc
    .integer({ min: 1, max: 5 })
    .map((batchSize): Omit<AuditSinkOptions, 'path' | 'logger'> => ({ mode: 'batched', batchSize, flushIntervalMs: 3_600_000 })),
);

/** Replace the file with a directory (keeping its rows aside), or put it back; the sink then opens the path again. */
function setFileBroken(created: CaptureSink, broken: boolean): void {
  moveFile(created, broken);
  created.sink.reopen();
}

function moveFile(created: CaptureSink, broken: boolean): void {
  const kept = `${created.path}.kept`;
  const isDirectory = existsSync(created.path) && statSync(created.path).isDirectory();
  if (broken && !isDirectory) {
    if (existsSync(created.path)) renameSync(created.path, kept);
    mkdirSync(created.path, { recursive: true });
  } else if (!broken && isDirectory) {
    rmdirSync(created.path);
    if (existsSync(kept)) renameSync(kept, created.path);
  }
}

// The loss reasons the properties' cases named, to show that the file's faults really lost rows.
const reasonsSeen = new Set<string>();

/**
 * Run `steps` on a fresh sink, close it on a file that takes writes, and check its account:
 * {1..last_seq} is the numbers in the file and those its audit.lost rows name, each once; in
 * number order, the callers' rows and refused rows are the emits as made; audit.closed agrees.
 */
async function expectEveryNumberAccountedFor(options: Omit<AuditSinkOptions, 'path' | 'logger'>, steps: readonly Step[]): Promise<void> {
  const created = createCaptureSink(options);
  try {
    // What each emit became, in order, until the sink closed: a row's id or why it was not written.
    const made: string[] = [];
    let closed = false;
    let broken = false;
    // Closed while the file refused writes: the audit.closed row never reached it.
    let closedWhileBroken = false;
    for (const each of steps) {
      if (each.kind === 'close') {
        if (!closed) closedWhileBroken = broken;
        await created.sink.close();
        closed = true;
      } else if (each.kind === 'flush') {
        await created.sink.flush();
      } else if (each.kind === 'break' || each.kind === 'mend') {
        broken = each.kind === 'break';
        setFileBroken(created, broken);
      } else {
        const outcome =
          each.kind === 'valid' ? created.sink.emit(exampleSeam, { tool_name: 'row', count: each.count }) : refusals[each.kind](created);
        // A closed writer numbers nothing more (a seam the sink does not know is named as such first).
        if (closed) expect(outcome).toEqual({ ok: false, reason: each.kind === 'unknown_seam' ? 'unknown_seam' : 'sink_closed' });
        else made.push(outcome.ok ? outcome.id : outcome.reason);
      }
    }
    if (closed) moveFile(created, false);
    else setFileBroken(created, false);
    await created.sink.close();
    const rows = created.allRows();
    if (made.length === 0) {
      expect(rows).toEqual([]);
      return;
    }

    // One writer; its audit.opened row first unless a refused write lost it.
    const writer = rows[0]?.writer;
    expect(rows.filter((row) => row.writer !== writer)).toEqual([]);
    const opened = rows.find((row) => row.seam === 'audit.opened');
    if (opened !== undefined) {
      expect(rows[0]).toBe(opened);
      expect(opened).toMatchObject({ seq: 1, writer: opened.id });
      expect(auditOpenedDetails.safeParse(opened.details).success).toBe(true);
    }
    const seqs = rows.map((row) => row.seq ?? 0);
    expect(seqs).toEqual([...seqs].sort((left, right) => left - right));
    const closedRow = rows.at(-1);
    // Closed while the file refused writes, a writer's last rows wait for a flush that may never
    // come; without its audit.closed row, what it accounts for ends at its last row in the file.
    const complete = closedRow?.seam === 'audit.closed';
    if (!closedWhileBroken) expect(complete).toBe(true);
    expect(rows.filter((row) => row.seam === 'audit.closed')).toEqual(complete ? [closedRow] : []);
    const lastSeq = complete ? auditClosedDetails.parse(closedRow.details).last_seq : Math.max(0, ...seqs);
    expect(closedRow?.seq ?? 0).toBe(lastSeq);

    // What each number became: a row in the file, or lost for the reason an audit.lost row gives.
    const fate = new Map<number, string>();
    for (const row of rows) fate.set(row.seq ?? 0, ownSeams.has(row.seam) ? row.seam : row.id);
    const lostByReason: Record<string, number> = {};
    for (const row of rows.filter((each) => each.seam === 'audit.lost')) {
      const lost: AuditLostDetails = auditLostDetails.parse(row.details);
      let named = 0;
      for (const range of lost.ranges) {
        for (let seq = range.first; seq <= range.last; seq += 1) {
          expect(fate.has(seq), `number ${seq} is named once and is not in the file`).toBe(false);
          expect(seq).toBeLessThan(row.seq ?? 0);
          fate.set(seq, lost.reason);
          named += 1;
        }
      }
      expect(lost.rows).toBe(named);
      lostByReason[lost.reason] = (lostByReason[lost.reason] ?? 0) + named;
      reasonsSeen.add(lost.reason);
    }
    expect([...fate.keys()].sort((left, right) => left - right)).toEqual(Array.from({ length: lastSeq }, (_, index) => index + 1));
    // In number order, the callers' rows and refusals are the emits as made. A write the file
    // refused may have taken the writer's own rows with it: those are lost as write_failed too.
    const byNumber = [...fate.entries()].sort(([left], [right]) => left - right).map(([, what]) => what);
    const notFailedWrite = (what: string): boolean => !what.startsWith('audit.') && what !== 'write_failed';
    const accounted = byNumber.filter(notFailedWrite);
    expect(accounted).toEqual(made.filter(notFailedWrite).slice(0, complete ? undefined : accounted.length));
    const failedWrites = (list: readonly string[]): number => list.filter((what) => what === 'write_failed').length;
    if (complete) expect(failedWrites(byNumber)).toBeGreaterThanOrEqual(failedWrites(made));

    const refused: Record<string, number> = {};
    for (const what of made) if (what in refusals) refused[what] = (refused[what] ?? 0) + 1;
    expect(created.sink.stats().rowsWritten).toBe(rows.filter((row) => !ownSeams.has(row.seam)).length);
    // A verbatim line for each of the writer's own rows in the file, in the order made; a row
    // the file refused was logged too, so these lines are a subsequence of those logged.
    const lines = created.lifecycleLines();
    let at = 0;
    for (const line of rows.filter((row) => ownSeams.has(row.seam)).map(lineOf)) {
      at = lines.indexOf(line, at) + 1;
      expect(at, `the line ${line} was logged in its place`).toBeGreaterThan(0);
    }
    if (!steps.some((each) => each.kind === 'break')) expect(lines).toHaveLength(rows.filter((row) => ownSeams.has(row.seam)).length);
    if (!complete) return;

    expect(auditClosedDetails.parse(closedRow?.details)).toEqual({
      trigger: 'close',
      last_seq: lastSeq,
      rows_made: lastSeq - 1,
      rows_written: rows.length - 1,
      rows_lost: lostByReason,
    });
    expect(Object.fromEntries(Object.entries(lostByReason).filter(([reason]) => reason in refusals))).toEqual(refused);
  } finally {
    moveFile(created, false);
    await created.cleanup();
  }
}

// Hundreds of sinks on real files take seconds on a loaded machine: time is not what these test.
describe('the rows of any writer', { timeout: 120_000 }, () => {
  it('account for every number: {1..last_seq} is the file’s numbers and those audit.lost rows name, and audit.closed agrees', async () => {
    await fc.assert(fc.asyncProperty(sinkOptions, fc.array(emitStep, { maxLength: 40 }), expectEveryNumberAccountedFor), {
      numRuns: 200,
      seed: 0x77726974,
    });
  });

  it('account for every number when the file refused writes for a while', async () => {
    await fc.assert(fc.asyncProperty(sinkOptions, fc.array(faultStep, { maxLength: 40 }), expectEveryNumberAccountedFor), {
      numRuns: 300,
      seed: 0x6c6f7374,
    });
    expect([...reasonsSeen].sort()).toEqual(['invalid_details', 'invalid_envelope', 'unknown_seam', 'write_failed']);
  });
});
