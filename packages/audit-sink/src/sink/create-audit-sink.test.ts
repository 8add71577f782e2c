import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { defineSeam } from '../seam/define-seam.js';
import type { Seam } from '../seam/define-seam.js';
import { createCaptureSink } from '../testing/create-capture-sink.js';
import type { CaptureSink } from '../testing/create-capture-sink.js';
import { createAuditSink } from './create-audit-sink.js';
import { sinkOptionsFromEnv } from './default-sink.js';

const captures: CaptureSink[] = [];
function capture(options: Parameters<typeof createCaptureSink>[0] = {}): CaptureSink {
  const created = createCaptureSink(options);
  captures.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(captures.splice(0).map((created) => created.cleanup()));
});

// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '1234567890', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');

describe('createAuditSink', () => {
  it('writes one parseable line per emit with the envelope keys in order', () => {
    const { sink, fileText } = capture({ clock: () => Date.parse('2026-11-26T17:15:48.123Z') });
    const outcome = sink.emit(exampleSeam, { tool_name: 'kora__list_tickets', count: 3 }, { caller_session_id: 'sess-1' });
    expect(outcome.ok).toBe(true);
    // The writer's audit.opened row comes first, then the row.
    const lines = fileText().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const opened = JSON.parse(lines[0]!) as Record<string, unknown>;
    const row = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(opened).toMatchObject({ v: 2, seam: 'audit.opened', writer: opened.id, seq: 1 });
    expect(Object.keys(row)).toEqual(['v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details', 'writer', 'seq']);
    expect(row).toMatchObject({
      v: 2,
      writer: opened.id,
      seq: 2,
      emitted_at: '2026-11-26T17:15:48.123Z',
      seam: 'mcp.tool_called',
      source: 'mcp_http',
      caller_session_id: 'sess-1',
      details: { tool_name: 'kora__list_tickets', count: 3 },
    });
    expect(outcome.ok && outcome.id).toBe(row.id);
  });

  it('gives every row a unique, time-ordered UUIDv7', () => {
    const { sink, rows } = capture();
    for (let index = 0; index < 200; index += 1) sink.emit(exampleSeam, { tool_name: 't', count: index });
    const ids = rows().map((row) => row.id);
    expect(new Set(ids).size).toBe(200);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('creates the parent directory 0700 and the file 0600', () => {
    const { sink, path } = capture();
    sink.emit(exampleSeam, { tool_name: 't' });
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('appends to what the file already holds, from another sink too', async () => {
    const { sink, path, rows } = capture();
    sink.emit(exampleSeam, { tool_name: 'first' });
    const second = createAuditSink({ path, logger: { info: () => {}, warn: () => {} } });
    second.emit(exampleSeam, { tool_name: 'second' });
    await second.close();
    sink.emit(exampleSeam, { tool_name: 'third' });
    expect(rows().map((row) => row.details.tool_name)).toEqual(['first', 'second', 'third']);
  });

  it('starts on a fresh line after a torn last line', () => {
    const { sink, path, fileText } = capture();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '{"v":1,"id":"torn');
    sink.emit(exampleSeam, { tool_name: 'after' });
    const lines = fileText().split('\n');
    expect(lines[0]).toBe('{"v":1,"id":"torn');
    expect(JSON.parse(lines[1]!)).toMatchObject({ seam: 'audit.opened' });
    expect(JSON.parse(lines[2]!)).toMatchObject({ details: { tool_name: 'after' } });
  });

  it('skips an unknown seam with a warning and writes no row', () => {
    const { sink, warnings, fileText } = capture();
    const forged = { ...exampleSeam } as unknown as Seam;
    expect(sink.emit(forged, { tool_name: 't' })).toEqual({ ok: false, reason: 'unknown_seam' });
    expect(warnings()).toEqual(['[kora.audit.skipped] seam=mcp.tool_called reason=unknown_seam']);
    expect(fileText()).toBe('');
    expect(sink.stats().skipped).toEqual({ unknown_seam: 1 });
  });

  it('skips invalid details naming the keys, never the values', () => {
    const { sink, warnings, rows, fileText } = capture();
    const outcome = sink.emit(exampleSeam, { tool_name: 'has spaces in it', count: 'seven', secret_field: 'hunter2' });
    expect(outcome).toEqual({ ok: false, reason: 'invalid_details' });
    expect(rows()).toEqual([]);
    expect(fileText()).not.toMatch(/has spaces|seven|hunter2/);
    const [warning] = warnings();
    expect(warning).toContain('reason=invalid_details');
    expect(warning).toContain('details.tool_name(invalid_format)');
    expect(warning).toContain('details.count(invalid_type)');
    expect(warning).toContain('details.secret_field(unknown)');
    expect(warning).not.toMatch(/has spaces|seven|hunter2/);
  });

  it('refuses text in a count field', () => {
    const { sink, rows } = capture();
    expect(sink.emit(exampleSeam, { tool_name: 't', count: 'a whole paragraph of user text' }).ok).toBe(false);
    expect(sink.emit(exampleSeam, { tool_name: 't', count: -1 }).ok).toBe(false);
    expect(sink.emit(exampleSeam, { tool_name: 't', count: 1.5 }).ok).toBe(false);
    expect(rows()).toEqual([]);
  });

  it('rejects an unknown source and an oversized caller session id', () => {
    const { sink, rows, warnings } = capture();
    expect(sink.emit(exampleSeam, { tool_name: 't' }, { source: 'fax' as never })).toEqual({
      ok: false,
      reason: 'invalid_envelope',
    });
    expect(sink.emit(exampleSeam, { tool_name: 't' }, { caller_session_id: 'x'.repeat(300) }).ok).toBe(false);
    expect(rows()).toEqual([]);
    expect(warnings()).toEqual([
      '[kora.audit.skipped] seam=mcp.tool_called reason=invalid_envelope keys=source',
      '[kora.audit.skipped] seam=mcp.tool_called reason=invalid_envelope keys=caller_session_id',
    ]);
  });

  it('redacts a secret before the row and the line are written', () => {
    const { sink, logger, rows, verbatimLines, warnings, allOutput } = capture();
    sink.emitWithLine(exampleSeam, { tool_name: 't', note: `token ${slackToken}` }, { caller_session_id: 'ops@example.com' }, logger);
    const [row] = rows();
    expect(row?.details.note).toBe('token [REDACTED:slack-bot-token]');
    expect(row?.caller_session_id).toBe('[REDACTED:email-address]');
    expect(verbatimLines()).toEqual(['[kora.mcp.tool_called] tool=t count=undefined']);
    expect(warnings()).toEqual([
      '[kora.audit.redacted] seam=mcp.tool_called rules=slack-bot-token,email-address paths=details.note,caller_session_id',
    ]);
    expect(allOutput()).not.toContain(slackToken);
    expect(allOutput()).not.toContain('ops@example.com');
    expect(sink.stats().redacted).toBe(2);
  });

  it("logs the writer's opened line, then the verbatim line at the seam level, each naming its row, then writes the row", () => {
    const { sink, logger, logLines, allRows } = capture();
    const outcome = sink.emitWithLine(exampleSeam, { tool_name: 'kora__x', count: 2 }, undefined, logger);
    const [opened, row] = allRows();
    expect(outcome).toEqual({ ok: true, id: row?.id });
    expect(logLines().map(({ level, msg, seam, audit_id }) => ({ level, msg, seam, audit_id }))).toEqual([
      {
        level: 'info',
        msg: expect.stringMatching(/^\[kora\.audit\.opened\] writer=\S+ host=/) as string,
        seam: 'audit.opened',
        audit_id: opened?.id,
      },
      { level: 'info', msg: '[kora.mcp.tool_called] tool=kora__x count=2', seam: 'mcp.tool_called', audit_id: row?.id },
    ]);
    expect(allRows()).toHaveLength(2);
  });

  it('logs the line of a refused row with its seam and no audit_id', () => {
    const { sink, logger, logLines, rows } = capture();
    const outcome = sink.emitWithLine(exampleSeam, { tool_name: 'kora__x', unknown: 1 }, undefined, logger);
    expect(outcome).toEqual({ ok: false, reason: 'invalid_details' });
    const line = logLines().find((entry) => entry.msg.startsWith('[kora.mcp.tool_called] '));
    expect(line?.seam).toBe('mcp.tool_called');
    expect(JSON.parse(line?.raw ?? '{}')).not.toHaveProperty('audit_id');
    expect(rows()).toEqual([]);
  });

  it('gives a logger with logLine every verbatim line with its fields, and one without it the line alone', async () => {
    const fielded: unknown[][] = [];
    const plain: unknown[][] = [];
    const withFields = {
      info: (...args: unknown[]) => void fielded.push(['info', ...args]),
      warn: (...args: unknown[]) => void fielded.push(['warn', ...args]),
      logLine: (...args: unknown[]) => void fielded.push(['line', ...args]),
    };
    // As console.info is: it prints every argument it is given.
    const variadic = {
      info: (...args: unknown[]) => void plain.push(['info', ...args]),
      warn: (...args: unknown[]) => void plain.push(['warn', ...args]),
    };
    const { sink, allRows } = capture();
    const first = createAuditSink({ path: sink.path, logger: withFields, flushOnExit: false, reopenOnHangup: false });
    const outcome = first.emitWithLine(exampleSeam, { tool_name: 'kora__x', count: 1 }, undefined, withFields);
    await first.close();
    const second = createAuditSink({ path: sink.path, logger: variadic, flushOnExit: false, reopenOnHangup: false });
    second.emitWithLine(exampleSeam, { tool_name: 'kora__y', count: 2 }, undefined, variadic);
    await second.close();
    const rows = allRows();
    expect(fielded).toEqual([
      ['line', 'info', expect.stringMatching(/^\[kora\.audit\.opened\] /) as string, { seam: 'audit.opened', audit_id: rows[0]?.id }],
      ['line', 'info', '[kora.mcp.tool_called] tool=kora__x count=1', { seam: 'mcp.tool_called', audit_id: outcome.ok ? outcome.id : '' }],
      ['line', 'info', expect.stringMatching(/^\[kora\.audit\.closed\] /) as string, { seam: 'audit.closed', audit_id: rows[2]?.id }],
    ]);
    expect(plain).toEqual([
      ['info', expect.stringMatching(/^\[kora\.audit\.opened\] /) as string],
      ['info', '[kora.mcp.tool_called] tool=kora__y count=2'],
      ['info', expect.stringMatching(/^\[kora\.audit\.closed\] /) as string],
    ]);
  });

  it('keeps a row over the size cap whole by truncating its long strings', () => {
    const { sink, rows, warnings, fileText } = capture({ maxRowBytes: 4096 });
    expect(sink.emit(exampleSeam, { tool_name: 't', note: 'n'.repeat(10_000) }).ok).toBe(true);
    const [row] = rows();
    expect(row?.details.note).toBe(`${'n'.repeat(1024)}...(truncated)`);
    expect(warnings()[0]).toMatch(/^\[kora\.audit\.truncated\] seam=mcp\.tool_called bytes=\d+ max=4096$/);
    sink.emit(exampleSeam, { tool_name: 't', keys: Array.from({ length: 900 }, (_, index) => `key_${index}_${'k'.repeat(60)}`) });
    const [, second] = rows();
    const keys = second?.details.keys as string[];
    expect(keys.length).toBeLessThanOrEqual(256);
    expect(keys[0]).toMatch(/^key_0_k+\.\.\.\(truncated\)$/);
    expect(Buffer.byteLength(fileText().split('\n')[1]!)).toBeLessThanOrEqual(4096);
    expect(sink.stats().truncated).toBe(2);
  });

  it('replaces a row that no truncation can fit with an oversized marker', () => {
    // 1024 bytes is the smallest cap; sixteen 64-character strings do not fit in it.
    const { sink, rows, fileText } = capture({ maxRowBytes: 1024 });
    const keys = Array.from({ length: 900 }, (_, index) => `key_${index}_${'k'.repeat(60)}`);
    const outcome = sink.emit(exampleSeam, { tool_name: 't', keys }, { caller_session_id: 's'.repeat(200) });
    expect(outcome.ok).toBe(true);
    expect(Buffer.byteLength(fileText())).toBeLessThanOrEqual(1024);
    const [row] = rows();
    expect(row?.details).toEqual({ oversized: true, original_bytes: expect.any(Number) as number });
    expect(row?.details.original_bytes).toBeGreaterThan(60_000);
    expect(row?.caller_session_id).toBe('s'.repeat(64));
    expect(fileText().endsWith('\n')).toBe(true);
  });

  it('writes C1 controls, separators and bidi controls from outside as \\u escapes on disk', () => {
    const { sink, path, rows } = capture();
    const hostile = 'csi\x9b[2J nel\u0085 ls\u2028 rlo\u202e fsi\u2068 rlm\u200f';
    expect(sink.emit(exampleSeam, { tool_name: 't', note: hostile, keys: [hostile] }, { caller_session_id: hostile }).ok).toBe(true);
    const bytes = readFileSync(path);
    // Everything else in the row is ASCII, so the escaped row is ASCII through and through.
    expect(bytes.every((byte) => byte < 0x80)).toBe(true);
    expect(bytes.toString('latin1')).toContain(
      String.raw`"caller_session_id":"csi\u009b[2J nel\u0085 ls\u2028 rlo\u202e fsi\u2068 rlm\u200f"`,
    );
    expect(rows()[0]).toMatchObject({ caller_session_id: hostile, details: { note: hostile, keys: [hostile] } });
  });

  it('names a key path with a bidi control escaped in the redacted warning', () => {
    const { sink, warnings } = capture();
    // An unknown key is refused, but its secret is still redacted and its path named.
    sink.emit(exampleSeam, { tool_name: 't', [`\u202e${slackToken}`]: 1 });
    const redacted = warnings().find((warning) => warning.startsWith('[kora.audit.redacted]'));
    expect(redacted).toContain(String.raw`paths=details["\u202e[REDACTED:slack-bot-token]"]{key}`);
    expect(redacted).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('counts the escapes against the size cap', () => {
    // 1,000 bidi controls are 3,000 bytes raw, within the cap, but 6,000 escaped.
    const { sink, rows, fileText } = capture({ maxRowBytes: 4096 });
    expect(sink.emit(exampleSeam, { tool_name: 't', note: '\u202e'.repeat(1000) }).ok).toBe(true);
    const [line] = fileText().split('\n');
    expect(Buffer.byteLength(line!) + 1).toBeLessThanOrEqual(4096);
    expect(rows()[0]?.details.note).toBe(`${'\u202e'.repeat(256)}...(truncated)`);
    expect(sink.stats().truncated).toBe(1);
  });

  it('reports a closed sink instead of writing', async () => {
    const { sink, rows } = capture();
    await sink.close();
    expect(sink.emit(exampleSeam, { tool_name: 't' })).toEqual({ ok: false, reason: 'sink_closed' });
    expect(rows()).toEqual([]);
  });
});

describe('createAuditSink options', () => {
  const path = join(tmpdir(), 'kora-audit-options-never-written.jsonl');
  const create = (options: Record<string, unknown>): unknown =>
    createAuditSink({ path, flushOnExit: false, reopenOnHangup: false, ...options });

  it('refuses a number out of range or not whole with a RangeError naming the option, instead of changing it', () => {
    expect(() => create({ maxRowBytes: 100 })).toThrow(
      new RangeError('createAuditSink: maxRowBytes must be an integer from 1024 to 16777216, got 100'),
    );
    expect(() => create({ maxRowBytes: 64 * 1024 * 1024 })).toThrow(RangeError);
    expect(() => create({ batchSize: -1 })).toThrow(
      new RangeError('createAuditSink: batchSize must be an integer from 0 to 1000000, got -1'),
    );
    expect(() => create({ batchSize: 2.5 })).toThrow(RangeError);
    expect(() => create({ flushIntervalMs: 0 })).toThrow(
      new RangeError('createAuditSink: flushIntervalMs must be an integer from 1 to 3600000, got 0'),
    );
    expect(() => create({ flushIntervalMs: Number.NaN })).toThrow(RangeError);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an unknown mode or failure policy with a RangeError, and a value of the wrong type with a TypeError', () => {
    expect(() => create({ mode: 'batch' })).toThrow(new RangeError("createAuditSink: mode must be 'sync' or 'batched'"));
    expect(() => create({ failure: 'strict' })).toThrow(new RangeError("createAuditSink: failure must be 'best-effort' or 'required'"));
    expect(() => create({ batchSize: '100' })).toThrow(
      new TypeError('createAuditSink: batchSize must be an integer from 0 to 1000000, got a string'),
    );
    expect(() => create({ path: '' })).toThrow(new TypeError('createAuditSink: path must be a non-empty string'));
  });

  it('takes the bounds themselves, and batchSize 0 in batched mode as the default batch', async () => {
    const { sink, rows } = capture({ mode: 'batched', batchSize: 0, maxRowBytes: 1024, flushIntervalMs: 3_600_000 });
    for (let index = 0; index < 99; index += 1) sink.emit(exampleSeam, { tool_name: 't', count: index });
    expect(sink.stats().rowsPending).toBe(99);
    sink.emit(exampleSeam, { tool_name: 't', count: 99 });
    expect(sink.stats().rowsPending).toBe(0);
    expect(rows()).toHaveLength(100);
    await sink.close();
  });

  it('accepts every option the KORA_AUDIT_* variables can produce', () => {
    const value = fc.oneof(fc.constant(undefined), fc.string(), fc.integer({ min: -10, max: 20_000_000 }).map(String));
    fc.assert(
      fc.property(value, value, value, value, (batchSize, flushIntervalMs, maxRowBytes, required) => {
        const { options } = sinkOptionsFromEnv({
          KORA_AUDIT_LOG_PATH: path,
          KORA_AUDIT_BATCH_SIZE: batchSize,
          KORA_AUDIT_FLUSH_INTERVAL_MS: flushIntervalMs,
          KORA_AUDIT_MAX_ROW_BYTES: maxRowBytes,
          KORA_AUDIT_REQUIRED: required,
        });
        // Nothing was written: closing only lets go of the sink, so it is not awaited.
        void createAuditSink({ ...options, flushOnExit: false, reopenOnHangup: false }).close();
      }),
    );
  });
});

describe('createAuditSink write failures', () => {
  it('never throws on an unwritable path, warns once, counts and resumes', () => {
    const { sink, logger, path, verbatimLines, warnings, rows, allRows, dir } = capture();
    // The file's directory is a regular file: creating it fails (EEXIST, or ENOTDIR on open).
    writeFileSync(join(dir, 'audit'), 'not a directory');
    const first = sink.emitWithLine(exampleSeam, { tool_name: 'lost1' }, undefined, logger);
    const second = sink.emitWithLine(exampleSeam, { tool_name: 'lost2' }, undefined, logger);
    expect(first).toMatchObject({ ok: false, reason: 'write_failed' });
    expect(second).toMatchObject({ ok: false, reason: 'write_failed' });
    expect(verbatimLines()).toHaveLength(2);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/^\[kora\.audit\.skipped\] reason=write_failed code=(EEXIST|ENOTDIR) rows=1 path=/);
    expect(sink.stats()).toMatchObject({
      writeFailures: 2,
      skipped: { write_failed: 2 },
      lastError: { code: expect.stringMatching(/^(EEXIST|ENOTDIR)$/) as string },
    });

    rmSync(join(dir, 'audit'));
    expect(sink.emit(exampleSeam, { tool_name: 'kept' }).ok).toBe(true);
    expect(rows().map((row) => row.details.tool_name)).toEqual(['kept']);
    // Lost: the opened row (1) with the first row (2), then the loss row naming them (3) with the
    // second row (4). The next loss row names all four, in the write with the row that was kept.
    expect(allRows().map((row) => [row.seam, row.seq])).toEqual([
      ['audit.lost', 5],
      ['mcp.tool_called', 6],
    ]);
    expect(allRows()[0]?.details).toEqual({ reason: 'write_failed', ranges: [{ first: 1, last: 4 }], rows: 4 });
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });

  it('tells the caller in required mode that the row was not written', () => {
    const { sink, dir } = capture({ failure: 'required', mode: 'batched', batchSize: 10 });
    writeFileSync(join(dir, 'audit'), 'not a directory');
    expect(sink.emit(exampleSeam, { tool_name: 't' })).toMatchObject({ ok: false, reason: 'write_failed' });
    rmSync(join(dir, 'audit'));
    // Required mode acknowledges only written rows, so it does not wait for a batch.
    expect(sink.emit(exampleSeam, { tool_name: 't' }).ok).toBe(true);
    expect(sink.stats().rowsWritten).toBe(1);
  });

  it('keeps a failed batch and writes it once the disk is back', async () => {
    const { sink, dir, rows } = capture({ mode: 'batched', batchSize: 2 });
    mkdirSync(join(dir, 'audit'), { mode: 0o500 });
    chmodSync(join(dir, 'audit'), 0o500);
    sink.emit(exampleSeam, { tool_name: 'a' });
    sink.emit(exampleSeam, { tool_name: 'b' });
    // root ignores directory permissions; only assert the failure where it really happened.
    const failed = sink.stats().writeFailures > 0;
    chmodSync(join(dir, 'audit'), 0o700);
    await sink.flush();
    expect(rows().map((row) => row.details.tool_name)).toEqual(['a', 'b']);
    expect(sink.stats()).toMatchObject({ rowsWritten: 2, rowsPending: 0 });
    if (failed) expect(sink.stats().skipped.write_failed ?? 0).toBe(0);
  });
});

describe('createAuditSink batched mode', () => {
  it('writes nothing until the batch is full, then the whole batch', () => {
    const { sink, rows } = capture({ mode: 'batched', batchSize: 3, flushIntervalMs: 60_000 });
    sink.emit(exampleSeam, { tool_name: 'a' });
    sink.emit(exampleSeam, { tool_name: 'b' });
    expect(rows()).toEqual([]);
    expect(sink.stats().rowsPending).toBe(2);
    sink.emit(exampleSeam, { tool_name: 'c' });
    expect(rows().map((row) => row.details.tool_name)).toEqual(['a', 'b', 'c']);
  });

  it('flushes on the interval', () => {
    vi.useFakeTimers();
    try {
      const { sink, rows } = capture({ mode: 'batched', batchSize: 100, flushIntervalMs: 500 });
      sink.emit(exampleSeam, { tool_name: 'a' });
      vi.advanceTimersByTime(499);
      expect(rows()).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(rows()).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('flushes on flush() and on close()', async () => {
    const { sink, rows } = capture({ mode: 'batched', batchSize: 100, flushIntervalMs: 60_000 });
    sink.emit(exampleSeam, { tool_name: 'a' });
    await sink.flush();
    expect(rows()).toHaveLength(1);
    sink.emit(exampleSeam, { tool_name: 'b' });
    await sink.close();
    expect(rows()).toHaveLength(2);
  });

  it('writes synchronously when batching is off', () => {
    const { sink, rows } = capture({ batchSize: 0 });
    expect(sink.mode).toBe('sync');
    sink.emit(exampleSeam, { tool_name: 'a' });
    expect(rows()).toHaveLength(1);
  });
});

describe('createAuditSink with hostile values', () => {
  it('scans what the schema read, so a getter cannot show the guard one value and the row another', () => {
    const { sink, rows, allOutput, warnings } = capture();
    let reads = 0;
    const flipFlop = {
      get tool_name(): string {
        reads += 1;
        return reads === 1 ? slackToken : 'clean';
      },
    };
    // An inherited getter: the guard walks own keys, the schema reads by name.
    const inherited = Object.create({
      get tool_name(): string {
        return slackToken;
      },
    }) as object;
    expect(sink.emit(exampleSeam, flipFlop).ok).toBe(true);
    expect(sink.emit(exampleSeam, inherited).ok).toBe(true);
    expect(rows().map((row) => row.details.tool_name)).toEqual(['[REDACTED:slack-bot-token]', '[REDACTED:slack-bot-token]']);
    // Read once: what the schema saw is what was scanned and what was written.
    expect(reads).toBe(1);
    expect(warnings()).toEqual([
      '[kora.audit.redacted] seam=mcp.tool_called rules=slack-bot-token paths=details.tool_name',
      '[kora.audit.redacted] seam=mcp.tool_called rules=slack-bot-token paths=details.tool_name',
    ]);
    expect(allOutput()).not.toContain(slackToken);
  });

  it('scans the line as formatted, which prints what the guard does not walk', () => {
    const { sink, logger, verbatimLines, warnings, allOutput } = capture();
    // An error's message is not an own enumerable key, so the walk of the details misses it.
    sink.emitWithLine(exampleSeam, { tool_name: 't', count: new Error(`token ${slackToken}`) }, undefined, logger);
    expect(verbatimLines()).toEqual(['[kora.mcp.tool_called] tool=t count=Error: token [REDACTED:slack-bot-token]']);
    expect(warnings()[0]).toBe('[kora.audit.redacted] seam=mcp.tool_called rules=slack-bot-token paths=line');
    expect(allOutput()).not.toContain(slackToken);
  });

  it('redacts key names in a skipped warning, inherited ones included, and names at most 32', () => {
    const { sink, warnings, allOutput } = capture();
    const inheritedKey = Object.assign(Object.create({ [slackToken]: 1 }) as object, { tool_name: 't' });
    expect(sink.emit(exampleSeam, inheritedKey)).toEqual({ ok: false, reason: 'invalid_details' });
    expect(warnings()[0]).toBe(
      '[kora.audit.skipped] seam=mcp.tool_called reason=invalid_details keys=details._REDACTED:slack-bot-token_(unknown)',
    );
    expect(allOutput()).not.toContain(slackToken);
    const many = Object.fromEntries([['tool_name', 't'], ...Array.from({ length: 100 }, (_, index) => [`k${index}`, 1])]);
    sink.emit(exampleSeam, many);
    expect(warnings()[1]).toMatch(/keys=details\.k0\(unknown\),.*details\.k31\(unknown\),\.\.\.\(\+68\)$/);
  });

  it('cuts long strings between code points', () => {
    const { sink, rows } = capture({ maxRowBytes: 4096 });
    // Unit 1024 is the second half of a pair: a plain cut would leave a lone surrogate.
    expect(sink.emit(exampleSeam, { tool_name: 't', note: `a${'\u{1f600}'.repeat(2000)}` }).ok).toBe(true);
    expect(rows()[0]?.details.note).toBe(`a${'\u{1f600}'.repeat(511)}...(truncated)`);
  });

  it('writes the oversize record rather than details that cutting made invalid for the seam', () => {
    const uniqueKeysSeam = defineSeam({
      ...exampleSeam,
      details: z.strictObject({
        tool_name: z.string(),
        keys: z.array(z.string()).refine((keys) => new Set(keys).size === keys.length, 'must be unique'),
      }),
      fields: exampleSeam.fields.filter((field) => field.key === 'tool_name' || field.key === 'keys'),
    });
    const { sink, rows } = capture({ maxRowBytes: 4096 });
    // Unique, but equal in their first 1024 characters: every cut makes duplicates.
    const keys = Array.from({ length: 8 }, (_, index) => `${'k'.repeat(2000)}${index}`);
    expect(sink.emit(uniqueKeysSeam, { tool_name: 't', keys }).ok).toBe(true);
    expect(rows()[0]?.details).toEqual({ oversized: true, original_bytes: expect.any(Number) as number });
  });
});
