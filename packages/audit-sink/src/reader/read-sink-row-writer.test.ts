import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { validEnvelope, validTrace } from '../__fixtures__/envelope-arbitraries.js';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { createAuditSink } from '../sink/create-audit-sink.js';
import { readSinkRowBytes } from './check-sink-row-bytes.js';
import { loadLifecycleSchemas } from './load-lifecycle-schemas.js';
import { readSinkRowWriter } from './read-sink-row-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'kora-row-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const writerId = fc
  .tuple(hex(8), hex(4), hex(3), fc.constantFrom('8', '9', 'a', 'b'), hex(3), hex(12))
  .map(([a, b, c, variant, d, e]) => `${a}-${b}-7${c}-${variant}${d}-${e}`);

describe('readSinkRowWriter', { timeout: 120_000 }, () => {
  it("reads every row's writer and sequence number as the sink wrote them, its lifecycle rows included", async () => {
    const path = join(dir, 'written.jsonl');
    const sink = createAuditSink({ path, logger: { info: () => {}, warn: () => {} } });
    for (let count = 0; count < 12; count += 1) sink.emit(exampleSeam, { tool_name: 'probe', count });
    await sink.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    // The opened row, twelve rows, the closed row.
    expect(lines).toHaveLength(14);
    for (const line of lines) {
      const bytes = Buffer.from(line);
      const row = JSON.parse(line) as { writer: string; seq: number };
      expect(readSinkRowBytes(bytes, 0, bytes.length)).toBeDefined();
      expect(readSinkRowWriter(bytes, 0, bytes.length)).toEqual({ writer: row.writer, seq: row.seq });
    }
  });

  it('agrees with the parser on any version 2 row the byte check vouches for, wherever it sits in a chunk, and answers undefined for version 1', () => {
    let vouched = 0;
    const seq = fc.oneof(
      fc.integer({ min: 1, max: 1_000 }),
      fc.constant(Number.MAX_SAFE_INTEGER),
      fc.maxSafeNat().map((n) => n + 1),
    );
    fc.assert(
      fc.property(validEnvelope, writerId, seq, fc.boolean(), fc.option(validTrace), (envelope, writer, n, asVersion2, trace) => {
        // A row made in a trace ends in its trace fields, after `seq`.
        const tail = { writer, seq: Math.min(n, Number.MAX_SAFE_INTEGER), ...trace };
        const row: Record<string, unknown> = asVersion2 ? { ...envelope, v: 2, ...tail } : envelope;
        const text = JSON.stringify(row);
        const chunk = Buffer.from(`{"v":2,"id":"\n${text}\n{"v":1`);
        const from = chunk.indexOf('\n') + 1;
        const to = chunk.lastIndexOf('\n');
        if (readSinkRowBytes(chunk, from, to) === undefined) return;
        vouched += 1;
        expect(readSinkRowWriter(chunk, from, to)).toEqual(row.v === 2 ? { writer: row.writer, seq: row.seq } : undefined);
        // A plain Uint8Array, not a Buffer, reads the same.
        expect(readSinkRowWriter(new Uint8Array(chunk), from, to)).toEqual(readSinkRowWriter(chunk, from, to));
      }),
      { numRuns: 2_000, seed: 0x777274 },
    );
    // Rows with plain ASCII details, in the sink's layout, are common among those generated.
    expect(vouched).toBeGreaterThan(200);
  });
});

describe('loadLifecycleSchemas', () => {
  it("loads the allow-lists of the writer's own rows, which refuse details the envelope alone would take", async () => {
    const schemas = await loadLifecycleSchemas();
    expect(schemas['audit.lost'].safeParse({ reason: 'queue_full', ranges: [{ first: 3, last: 5 }], rows: 3 }).success).toBe(true);
    expect(schemas['audit.lost'].safeParse({ reason: 'queue_full', ranges: [], rows: 0 }).success).toBe(false);
    expect(schemas['audit.closed'].safeParse({ trigger: 'close', last_seq: 1 }).success).toBe(false);
    expect(schemas['audit.opened'].safeParse({ host: 'h', pid: 1, mode: 'sync' }).success).toBe(false);
    expect(await loadLifecycleSchemas()).toBe(schemas);
  });
});
