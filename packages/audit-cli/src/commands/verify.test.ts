import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, rowsText, runCli, waitFor } from '../__fixtures__/cli-harness.js';
import { RAW_UNSAFE_OUTPUT } from '../__fixtures__/hostile-rows.js';
import { runWritersTogether, startWriter } from '../__fixtures__/start-writer.js';
import type { WriterPlan } from '../__fixtures__/start-writer.js';
import { main } from '../main.js';
import type { VerifyOutput } from './verify.js';

let dir: string;
let path: string;
let clean: string;

/** A row of the file, as much of it as the tampering needs. */
interface FileRow {
  readonly id: string;
  readonly seam: string;
  readonly writer: string;
  readonly seq: number;
}

async function verifyJson(target: string): Promise<{ code: number | null; output: VerifyOutput; stderr: string }> {
  const result = await runCli(['verify', '--path', target, '--json']);
  return { code: result.code, output: JSON.parse(result.stdout) as VerifyOutput, stderr: result.stderr };
}

/** The file's lines (without their newlines) and rows. */
function readRows(file: string): { lines: string[]; rows: FileRow[] } {
  const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  return { lines, rows: lines.map((line) => JSON.parse(line) as FileRow) };
}

/** The 0-based index of the first data row of `writer` at or after `from`. */
function nextRowOf(rows: readonly FileRow[], writer: string, from: number): number {
  const index = rows.findIndex((row, at) => at >= from && row.writer === writer && !row.seam.startsWith('audit.'));
  if (index === -1) throw new Error('no such row');
  return index;
}

const hostName = hostname();
const printableHost = /^[\x21-\x7e]{1,255}$/.test(hostName);

beforeAll(async () => {
  dir = makeTempDir();
  clean = join(dir, 'clean.jsonl');
  // Three writers at once: the file every tampering test starts from.
  await runWritersTogether(clean, [
    { mode: 'sync', rows: 150, ending: 'close' },
    { mode: 'batched', batchSize: 8, rows: 150, ending: 'exit' },
    { mode: 'sync', rows: 150, ending: 'close', refuseEvery: 20 },
  ]);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  path = join(mkdirTemp(), 'kora_audit_log.jsonl');
});

let temps = 0;
function mkdirTemp(): string {
  const sub = join(dir, `case-${(temps += 1)}`);
  mkdirSync(sub);
  return sub;
}

describe('verify', { timeout: 120_000 }, () => {
  it('accounts for ten writers appending at once, half sync and half batched, each closed, with exact counts', async () => {
    const plans: WriterPlan[] = Array.from({ length: 10 }, (_, index) => ({
      mode: index % 2 === 0 ? 'sync' : 'batched',
      batchSize: 16,
      rows: 400 + index * 7,
      // Half close their sink, half let the process end, which closes it on exit.
      ending: index < 5 ? 'close' : 'exit',
      // Some lose rows the allow-list refuses: each is named by an audit.lost row.
      refuseEvery: index % 3 === 0 ? 0 : 23 + index,
    }));
    const writers = await runWritersTogether(path, plans);
    const { code, output } = await verifyJson(path);
    expect(code).toBe(0);
    expect(output.ok).toBe(true);
    expect(output.problems).toEqual([]);
    expect(output.problem_count).toBe(0);
    expect(output.v1_rows).toBe(0);
    expect(output.writers).toHaveLength(10);
    let rows = 0;
    for (const [index, writer] of writers.entries()) {
      const counts = await writer.done;
      const plan = plans[index]!;
      const report = output.writers.find((candidate) => candidate.pid === writer.child.pid);
      // Every emit took a seq: the acknowledged ones are rows, the refused ones are lost and
      // each named by a loss row; the opened and closed rows besides.
      const expected = {
        mode: plan.mode,
        batch_size: plan.mode === 'batched' ? 16 : 1,
        first_seq: 1,
        last_seq: counts.emitted + counts.refused + 2,
        rows: counts.acked + counts.refused + 2,
        lost: counts.refused,
        lost_by_reason: counts.refused === 0 ? {} : { invalid_details: counts.refused },
        missing: 0,
        began_before_chain: false,
        closed: true,
        trigger: plan.ending === 'close' ? 'close' : 'exit',
        may_have_lost_at_most: 0,
      };
      expect(report).toMatchObject(expected);
      if (printableHost) expect(report?.host).toBe(hostName);
      rows += expected.rows;
    }
    expect(output.rows).toBe(rows);
    expect(readFileSync(path, 'utf8').split('\n').length - 1).toBe(rows);

    const human = await runCli(['verify', '--path', path]);
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('writer '))).toHaveLength(10);
    expect(lines.at(-1)).toBe('ok: every row of every writer is accounted for');
    expect(human.stderr).toBe('');
  });

  describe('names the line of a tampered file', () => {
    let lines: string[];
    let rows: FileRow[];
    let writer: string;
    let middle: number;

    beforeAll(() => {
      ({ lines, rows } = readRows(clean));
      writer = rows[0]!.writer;
      // The middle one of the writer's rows, wherever the writers' rows fell in the file.
      const own = rows.flatMap((row, index) => (row.writer === writer && !row.seam.startsWith('audit.') ? [index] : []));
      middle = own[Math.floor(own.length / 2)]!;
    });

    it('starts from a file that verifies clean', async () => {
      const { code, output } = await verifyJson(clean);
      expect(code).toBe(0);
      expect(output.writers.map((report) => report.closed)).toEqual([true, true, true]);
    });

    it('reports a removed line as a gap at the next row of its writer', async () => {
      const next = nextRowOf(rows, writer, middle + 1);
      writeFileSync(path, [...lines.slice(0, middle), ...lines.slice(middle + 1), ''].join('\n'));
      const { code, output } = await verifyJson(path);
      expect(code).toBe(1);
      expect(output.problems).toEqual([{ kind: 'gap', file: path, line: next, writer, first: rows[middle]!.seq, last: rows[middle]!.seq }]);
      const human = await runCli(['verify', '--path', path]);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`${path}:${next}: gap: writer ${writer}: seq ${rows[middle]!.seq} missing`);
    });

    it('reports a duplicated line as a duplicate at the copy', async () => {
      writeFileSync(path, [...lines.slice(0, middle + 1), lines[middle], ...lines.slice(middle + 1), ''].join('\n'));
      const { code, output } = await verifyJson(path);
      expect(code).toBe(1);
      expect(output.problems).toEqual([
        { kind: 'duplicate', file: path, line: middle + 2, writer, seq: rows[middle]!.seq, reason: 'seq', rows: 1 },
      ]);
    });

    it('reports two swapped rows of one writer as out of order at the lower seq', async () => {
      const next = nextRowOf(rows, writer, middle + 1);
      const swapped = [...lines];
      swapped[middle] = lines[next]!;
      swapped[next] = lines[middle]!;
      writeFileSync(path, [...swapped, ''].join('\n'));
      const { code, output } = await verifyJson(path);
      expect(code).toBe(1);
      expect(output.problems).toEqual([{ kind: 'out_of_order', file: path, line: next + 1, writer, seq: rows[middle]!.seq, rows: 1 }]);
    });

    it('reports a row copied from earlier to the end as a duplicate at the last line', async () => {
      writeFileSync(path, [...lines, lines[middle], ''].join('\n'));
      const { code, output } = await verifyJson(path);
      expect(code).toBe(1);
      expect(output.problems).toEqual([
        { kind: 'duplicate', file: path, line: lines.length + 1, writer, seq: rows[middle]!.seq, reason: 'seq', rows: 1 },
      ]);
    });

    it('reports an edited sequence number as a gap at the edited row and a duplicate where its new seq is', async () => {
      const next = nextRowOf(rows, writer, middle + 1);
      const seq = rows[middle]!.seq;
      const edited = [...lines];
      edited[middle] = lines[middle]!.replace(/"seq":\d+\}$/, `"seq":${seq + 1}}`);
      writeFileSync(path, [...edited, ''].join('\n'));
      const { code, output } = await verifyJson(path);
      expect(code).toBe(1);
      expect(output.problems).toEqual([
        { kind: 'gap', file: path, line: middle + 1, writer, first: seq, last: seq },
        { kind: 'duplicate', file: path, line: next + 1, writer, seq: seq + 1, reason: 'seq', rows: 1 },
      ]);
    });

    it('reports a row appended after its writer closed', async () => {
      const closed = rows.findIndex((row) => row.writer === writer && row.seam === 'audit.closed');
      const last = rows[closed]!.seq;
      const appended = lines[middle]!.replace(/"id":"[^"]+"/, '"id":"ffffffff-ffff-7fff-bfff-ffffffffffff"').replace(
        /"seq":\d+\}$/,
        `"seq":${last + 1}}`,
      );
      writeFileSync(path, [...lines, appended, ''].join('\n'));
      const { code, output } = await verifyJson(path);
      expect(code).toBe(1);
      expect(output.problems).toEqual([{ kind: 'after_closed', file: path, line: lines.length + 1, writer, seq: last + 1, rows: 1 }]);
    });

    it('reports a closing row whose count disagrees with the file', async () => {
      const closed = rows.findIndex((row) => row.writer === writer && row.seam === 'audit.closed');
      const edited = [...lines];
      edited[closed] = lines[closed]!.replace(/"rows_written":(\d+)/, (_, written: string) => `"rows_written":${Number(written) + 1}`);
      writeFileSync(path, [...edited, ''].join('\n'));
      const { code, output } = await verifyJson(path);
      expect(code).toBe(1);
      expect(output.problems.map((problem) => [problem.kind, problem.line])).toContainEqual(['count_mismatch', closed + 1]);
      expect(output.problems.every((problem) => problem.line === closed + 1)).toBe(true);
    });

    it('takes a torn write the next row recovers from as a note, and a torn head nothing follows as a problem', async () => {
      const torn = lines[middle]!.slice(0, 40);
      writeFileSync(path, [...lines.slice(0, middle), torn, ...lines.slice(middle), ''].join('\n'));
      const recovered = await verifyJson(path);
      expect(recovered.code).toBe(0);
      expect(recovered.output.notes).toEqual([{ kind: 'torn_write', file: path, line: middle + 1 }]);

      writeFileSync(path, [...lines, torn, ''].join('\n'));
      const unrecovered = await verifyJson(path);
      expect(unrecovered.code).toBe(1);
      expect(unrecovered.output.problems).toEqual([{ kind: 'invalid_line', file: path, line: lines.length + 1, reason: 'malformed' }]);

      // A last line without its newline: a writer mid-write.
      writeFileSync(path, [...lines, torn].join('\n'));
      const midWrite = await verifyJson(path);
      expect(midWrite.code).toBe(0);
      expect(midWrite.output.notes).toEqual([{ kind: 'torn_last_line', file: path, line: lines.length + 1 }]);
    });
  });

  it('reports a batched writer killed mid-stream as not closed, having lost fewer rows than its batch size', async () => {
    const writer = startWriter(path, { mode: 'batched', batchSize: 16, rows: 'stdin', ending: 'close' });
    await writer.ready;
    writer.go();
    await writer.waitForAcked(500);
    writer.child.kill('SIGKILL');
    const { code: exitCode } = await writer.exited;
    expect(exitCode).toBeNull();
    // Acknowledged at least this many: it said so before it was killed.
    const acked = writer.acked();

    const { code, output } = await verifyJson(path);
    expect(code).toBe(0);
    expect(output.problems).toEqual([]);
    expect(output.writers).toHaveLength(1);
    const report = output.writers[0]!;
    expect(report).toMatchObject({ pid: writer.child.pid, mode: 'batched', batch_size: 16, closed: false, trigger: null });
    expect(report.may_have_lost_at_most).toBe(15);
    // The opened row and the acknowledged rows, but the batch still in memory: fewer than 16.
    expect(report.rows).toBeGreaterThanOrEqual(acked + 1 - 15);
    expect(report.rows).toBe(report.last_seq);

    const human = await runCli(['verify', '--path', path]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`writer ${report.writer}: host `);
    expect(human.stdout).toContain('not closed: may have lost up to 15 rows (its unwritten batch)');
  });

  it("verifies a writer's rows across the rotated file and the live one, oldest first", async () => {
    const writer = startWriter(path, { mode: 'sync', rows: 'stdin', ending: 'close' });
    await writer.ready;
    writer.go();
    await writer.waitForAcked(200);
    // Rotation as logrotate does it: rename, then tell the writer to reopen.
    renameSync(path, `${path}.1`);
    writer.child.kill('SIGHUP');
    await waitFor(() => existsSync(path) && statSync(path).size > 0, 20_000);
    writer.stop();
    const { code: exitCode, stderr } = await writer.exited;
    expect(exitCode, stderr).toBe(0);

    const { code, output } = await verifyJson(path);
    expect(code).toBe(0);
    expect(output.problems).toEqual([]);
    expect(output.files.map((file) => file.path)).toEqual([`${path}.1`, path]);
    expect(output.writers).toHaveLength(1);
    expect(output.writers[0]).toMatchObject({ closed: true, trigger: 'close', first_seq: 1, missing: 0 });
    expect(output.writers[0]?.first.file).toBe(`${path}.1`);
    expect(output.writers[0]?.last.file).toBe(path);

    // Retention deleting the older file leaves a writer that began before the chain: a note.
    rmSync(`${path}.1`);
    const retained = await verifyJson(path);
    expect(retained.code).toBe(0);
    expect(retained.output.writers[0]).toMatchObject({ began_before_chain: true, closed: true });
    expect(retained.output.notes.map((note) => note.kind)).toEqual(['began_before_chain']);
  });

  it('accounts for rows that carry trace fields after seq as for any row, and refuses one whose trace id is not valid', async () => {
    const { lines, rows } = readRows(clean);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    // Every data row as the sink writes it in a trace: the two ids after seq.
    const traced = lines.map((line, index) =>
      rows[index]!.seam.startsWith('audit.') ? line : `${line.slice(0, -1)},"trace_id":"${traceId}","span_id":"${spanId}"}`,
    );
    writeFileSync(path, `${traced.join('\n')}\n`);
    const expected = await verifyJson(clean);
    const { code, output } = await verifyJson(path);
    expect(code).toBe(0);
    expect(output).toMatchObject({ ok: true, rows: expected.output.rows, problem_count: 0 });
    // The same writers, rows and sequence numbers as the file without trace fields, in its own path.
    expect(output.writers).toEqual(JSON.parse(JSON.stringify(expected.output.writers).replaceAll(clean, path)));

    const dataRow = rows.findIndex((row) => !row.seam.startsWith('audit.'));
    const broken = [...traced];
    broken[dataRow] = broken[dataRow]!.replace(`"trace_id":"${traceId}"`, `"trace_id":"${traceId.toUpperCase()}"`);
    writeFileSync(path, `${broken.join('\n')}\n`);
    const refused = await verifyJson(path);
    expect(refused.code).toBe(1);
    expect(refused.output.problems).toContainEqual(expect.objectContaining({ kind: 'invalid_line', line: dataRow + 1 }));
  });

  it('counts rows of version 1 as rows no writer accounts for, without failing', async () => {
    writeFileSync(path, rowsText(0, 20));
    const { code, output } = await verifyJson(path);
    expect(code).toBe(0);
    expect(output).toMatchObject({ ok: true, rows: 20, v1_rows: 20, writers: [], problems: [], problem_count: 0 });
    const human = await runCli(['verify', '--path', path]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('20 v1 rows: no writer, cannot be accounted for');
  });

  it('prints one JSON object with ok, rows, writers and problems that each name a kind, file and line', async () => {
    writeFileSync(path, `${rowsText(0, 3)}not a row\n\n`);
    const io = createTestIo();
    expect(await main(['verify', '--path', path, '--json'], io)).toBe(1);
    const output = JSON.parse(io.out()) as Record<string, unknown>;
    expect(output).toMatchObject({
      ok: false,
      path,
      files: [{ path, lines: 5 }],
      rows: 3,
      v1_rows: 3,
      writers: [],
      problems: [{ kind: 'invalid_line', file: path, line: 4, reason: 'malformed' }],
      problem_count: 1,
      notes: [{ kind: 'blank_line', file: path, line: 5 }],
      note_count: 1,
    });
    expect(Object.keys(output.problems_by_kind as object)).toContain('gap');
  });

  it('lists the first hundred problems and counts them all', async () => {
    writeFileSync(path, 'not a row\n'.repeat(250));
    const io = createTestIo();
    expect(await main(['verify', '--path', path], io)).toBe(1);
    const lines = io.out().trimEnd().split('\n');
    expect(lines.filter((line) => line.includes(': invalid_line: '))).toHaveLength(100);
    expect(lines).toContain('... and 150 more problems');
    expect(lines.at(-1)).toBe('250 problems: invalid_line 250');
  });

  it('exits 2 with one line on stderr for a missing file, a directory and a bad option', async () => {
    const missing = createTestIo();
    expect(await main(['verify', '--path', path], missing)).toBe(2);
    expect(missing.err()).toBe(`kora-audit verify: ${path}: no such file\n`);
    mkdirSync(path);
    const directory = createTestIo();
    expect(await main(['verify', '--path', path], directory)).toBe(2);
    expect(directory.err()).toMatch(/^kora-audit verify: .* is a directory, not an audit log file\n$/);
    const option = await runCli(['verify', '--colour']);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("kora-audit verify: Unknown option '--colour'\n");
  });

  it('prints a path holding control or bidi characters escaped, in its report and in its errors', async () => {
    const hostile = join(mkdirTemp(), 'audit\u202e\x9b.jsonl');
    writeFileSync(hostile, `${rowsText(0, 2)}not a row\n`);
    for (const args of [
      ['verify', '--path', hostile],
      ['verify', '--path', hostile, '--json'],
    ]) {
      const io = createTestIo();
      expect(await main(args, io)).toBe(1);
      expect(RAW_UNSAFE_OUTPUT.test(io.out())).toBe(false);
    }
    const json = createTestIo();
    await main(['verify', '--path', hostile, '--json'], json);
    expect((JSON.parse(json.out()) as VerifyOutput).problems[0]?.file).toBe(hostile);
    const missing = createTestIo();
    expect(await main(['verify', '--path', `${hostile}.gone\x1b[2J`], missing)).toBe(2);
    expect(RAW_UNSAFE_OUTPUT.test(missing.err())).toBe(false);
  });

  it('reads the default path when --path is not given', async () => {
    writeFileSync(path, rowsText(0, 2));
    const result = await runCli(['verify', '--json'], { KORA_AUDIT_LOG_PATH: path });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as VerifyOutput).path).toBe(path);
  });
});
