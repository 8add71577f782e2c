import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEAM_NAMES } from '@kora/audit-sink';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, envelopeRow, makeTempDir } from '../__fixtures__/cli-harness.js';
import { HOSTILE_TEXT, RAW_UNSAFE_OUTPUT } from '../__fixtures__/hostile-rows.js';
import { main } from '../main.js';
import type { VerifyOutput } from './verify.js';

// Any code point, lone surrogates included, and often one a terminal acts on.
const unit = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.constantFrom('\x9b', '\x1b', '\x85', '\x7f', '\u2028', '\u202e', '\u2066', '\r', '\t', '"', '\\', '{', '}'), weight: 2 },
);
const text = fc.string({ unit, maxLength: 24 });
const WRITERS = ['0192f7c2-6d3e-7a4b-9c1d-000000000001', '0192f7c2-6d3e-7a4b-9c1d-000000000002'] as const;

/** Details an `audit.*` row may hold: its allow-list's, or anything. */
const details = fc.oneof(
  fc.record({
    host: fc.constantFrom('h', HOSTILE_TEXT),
    pid: fc.integer({ min: 0, max: 10 }),
    mode: fc.constantFrom('sync', 'batched', 'x'),
    batch_size: fc.integer({ min: 0, max: 20 }),
    failure: fc.constant('best-effort'),
    version: fc.constant('0.1.0'),
    path: text,
  }),
  fc.record({
    reason: fc.constantFrom('write_failed', 'queue_full', 'invalid_details'),
    ranges: fc.array(fc.record({ first: fc.integer({ min: 0, max: 14 }), last: fc.integer({ min: 0, max: 14 }) }), { maxLength: 3 }),
    rows: fc.integer({ min: 0, max: 14 }),
  }),
  fc.record({
    trigger: fc.constantFrom('close', 'exit', 'SIGKILL'),
    last_seq: fc.integer({ min: 0, max: 14 }),
    rows_made: fc.integer({ min: 0, max: 14 }),
    rows_written: fc.integer({ min: 0, max: 14 }),
    rows_lost: fc.dictionary(fc.oneof(fc.constantFrom('write_failed', 'queue_full'), text), fc.integer({ min: -1, max: 5 })),
  }),
  fc.dictionary(text, fc.oneof(text, fc.integer())),
);

/** A row of version 2 of one of two writers, any seq, any seam, with hostile text in its details. */
const writerRow = fc
  .record({
    writer: fc.constantFrom(...WRITERS),
    seq: fc.integer({ min: 1, max: 14 }),
    n: fc.integer({ min: 0, max: 4000 }),
    seam: fc.constantFrom(...SEAM_NAMES),
    details,
    opens: fc.boolean(),
  })
  .map(({ writer, seq, n, seam, details: rowDetails, opens }) => {
    const row = envelopeRow(n, { seam, details: rowDetails, caller_session_id: null });
    return JSON.stringify({ ...row, v: 2, id: opens ? writer : row.id, writer, seq });
  });

/** Any line: rows, cut rows, glued rows, hostile text, raw bytes. */
const line = fc.oneof(
  { arbitrary: writerRow, weight: 6 },
  {
    arbitrary: fc.integer({ min: 0, max: 4000 }).map((n) => JSON.stringify(envelopeRow(n, { details: { note: HOSTILE_TEXT } }))),
    weight: 2,
  },
  { arbitrary: fc.tuple(writerRow, fc.nat()).map(([row, cut]) => row.slice(0, cut % row.length)), weight: 2 },
  { arbitrary: fc.tuple(writerRow, writerRow, fc.nat()).map(([head, row, cut]) => head.slice(0, cut % head.length) + row), weight: 1 },
  { arbitrary: text, weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')), weight: 1 },
);

const fileArbitrary = fc.record({
  lines: fc.array(fc.oneof(line, fc.uint8Array({ maxLength: 30 })), { maxLength: 30 }),
  newlineAtEnd: fc.boolean(),
});

let dir: string;
let path: string;
beforeAll(() => {
  dir = makeTempDir();
  path = join(dir, 'kora_audit_log.jsonl');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('verify of any file', { timeout: 600_000 }, () => {
  it('never fails to answer, prints no raw control or bidi character, and exits 1 exactly when it lists a problem', async () => {
    const seen = { clean: 0, problems: 0, writers: 0 };
    await fc.assert(
      fc.asyncProperty(fileArbitrary, async ({ lines, newlineAtEnd }) => {
        const parts = lines.map((item) => (typeof item === 'string' ? Buffer.from(item, 'utf8') : Buffer.from(item)));
        const bytes = Buffer.concat(
          parts.flatMap((part, index) => (index < parts.length - 1 || newlineAtEnd ? [part, Buffer.from('\n')] : [part])),
        );
        writeFileSync(path, bytes);
        const lineCount = bytes.length === 0 ? 0 : bytes.toString('latin1').split('\n').length - (bytes.at(-1) === 0x0a ? 1 : 0);

        const json = createTestIo();
        const code = await main(['verify', '--path', path, '--json'], json);
        expect(json.err()).toBe('');
        expect([0, 1]).toContain(code);
        expect(RAW_UNSAFE_OUTPUT.test(json.out())).toBe(false);
        const output = JSON.parse(json.out()) as VerifyOutput;
        expect(output.ok).toBe(code === 0);
        expect(output.problem_count > 0).toBe(code === 1);
        expect(output.files).toEqual([{ path, lines: lineCount }]);
        for (const place of [...output.problems, ...output.notes]) {
          expect(place.file).toBe(path);
          expect(place.line).toBeGreaterThanOrEqual(1);
          expect(place.line).toBeLessThanOrEqual(lineCount);
        }

        const human = createTestIo();
        expect(await main(['verify', '--path', path], human)).toBe(code);
        expect(human.err()).toBe('');
        expect(RAW_UNSAFE_OUTPUT.test(human.out())).toBe(false);
        // A line per problem listed and per writer.
        const printed = human.out().split('\n');
        expect(printed.filter((text) => text.startsWith(`${path}:`) && !text.includes(': note: '))).toHaveLength(output.problems.length);
        expect(printed.filter((text) => text.startsWith('writer '))).toHaveLength(output.writers.length);
        seen[code === 0 ? 'clean' : 'problems'] += 1;
        if (output.writers.length > 0) seen.writers += 1;
      }),
      { numRuns: 400, seed: 0x766572 },
    );
    // The files generated reach both answers, and writers.
    expect(seen.clean).toBeGreaterThan(10);
    expect(seen.problems).toBeGreaterThan(10);
    expect(seen.writers).toBeGreaterThan(100);
  });
});
