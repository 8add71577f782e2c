import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidTraceEnvelope, invalidWriterEnvelope, validEnvelope, validTrace } from '../__fixtures__/envelope-arbitraries.js';
import { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import { OUT_OF_LAYOUT_ROWS, SINK_ROW as ROW, expectSinkRowSound } from '../__fixtures__/sink-row-variants.js';
import { readSinkRowBytes } from './check-sink-row-bytes.js';
import { readSinkRowSeam } from './check-sink-row.js';

/** The answer for `bytes`, placed between other lines' bytes as a chunk or a batch holds it. */
function checkAmid(bytes: Buffer, before = '{"v":1,"id":"', after = 'rue}}\n{"v":1'): string | undefined {
  const chunk = Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]);
  return readSinkRowBytes(chunk, before.length, before.length + bytes.length);
}

/**
 * The promise of a defined answer: the bytes are printable ASCII (a printer copies them to a
 * terminal as they are), they are their text exactly, and that text is a sound sink row.
 */
function expectSound(bytes: Buffer, seam: string | undefined): void {
  if (seam === undefined) return;
  expect(bytes.every((byte) => byte >= 0x20 && byte < 0x7f)).toBe(true);
  const text = bytes.toString('utf8');
  expect(Buffer.from(text, 'utf8').equals(bytes)).toBe(true);
  expectSinkRowSound(text, seam);
}

describe('readSinkRowBytes', { timeout: 600_000 }, () => {
  it('answers as the text check does for every row the sink writes in plain ASCII, and leaves the others to it', () => {
    expect(checkAmid(Buffer.from(ROW))).toBe('webhook.dead_letter');
    fc.assert(
      fc.property(validEnvelope, (row) => {
        const text = JSON.stringify(row);
        const bytes = Buffer.from(text);
        const seam = checkAmid(bytes);
        const plainAscii = !/[\\\x00-\x1f\x7f-\uffff]/.test(text);
        expect(seam).toBe(plainAscii ? readSinkRowSeam(text) : undefined);
        expectSound(bytes, seam);
      }),
      { numRuns: 3_000, seed: 0x627974 },
    );
  });

  it('never vouches for a version 2 row whose writer or number the schema refuses', () => {
    fc.assert(
      fc.property(invalidWriterEnvelope, (row) => {
        const text = JSON.stringify(row);
        expect(auditEnvelope.safeParse(JSON.parse(text)).success).toBe(false);
        expect(isAuditEnvelope(JSON.parse(text))).toBe(false);
        expect(checkAmid(Buffer.from(text))).toBeUndefined();
        expect(readSinkRowSeam(text)).toBeUndefined();
      }),
      { numRuns: 2_000, seed: 0x777274 },
    );
    // A number written with a leading zero or an exponent is not JSON the sink writes.
    const row = JSON.stringify({ ...JSON.parse(ROW), v: 2, writer: '0192f7c2-6d30-7f01-8a2b-3c4d5e6f7a8b', seq: 7 });
    for (const spelled of ['07', '7e0', '7.0', '-7', '7 '])
      expect(checkAmid(Buffer.from(row.replace('"seq":7', `"seq":${spelled}`)))).toBeUndefined();
    expect(checkAmid(Buffer.from(row))).toBe('webhook.dead_letter');
  });

  it('agrees with the envelope check and the schema on rows with trace fields, and refuses hostile ones all three ways', () => {
    let traced = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          validEnvelope.map((row) => ({ row, valid: true })),
          invalidTraceEnvelope.map((row) => ({ row, valid: false })),
        ),
        ({ row, valid }) => {
          const text = JSON.stringify(row);
          const value = JSON.parse(text) as unknown;
          // The schema has the final word; the hand check and the byte checks never say more than it.
          expect(auditEnvelope.safeParse(value).success).toBe(valid);
          if (isAuditEnvelope(value)) expect(valid).toBe(true);
          const seam = checkAmid(Buffer.from(text));
          if (seam !== undefined) expect(valid).toBe(true);
          if (!valid) expect(readSinkRowSeam(text)).toBeUndefined();
          if ('trace_id' in row && seam !== undefined) traced += 1;
        },
      ),
      { numRuns: 4_000, seed: 0x747263 },
    );
    // Rows with valid trace fields in plain ASCII are vouched for: the check does not just refuse them all.
    expect(traced).toBeGreaterThan(200);
    const row = JSON.parse(ROW) as Record<string, unknown>;
    const base = { ...row, v: 2, writer: '0192f7c2-6d30-7f01-8a2b-3c4d5e6f7a8b', seq: 7 };
    const trace = fc.sample(validTrace, { numRuns: 1, seed: 1 })[0]!;
    expect(checkAmid(Buffer.from(JSON.stringify({ ...base, ...trace })))).toBe('webhook.dead_letter');
    // In another order, or with the span id first, the row is the parser's to judge.
    expect(checkAmid(Buffer.from(JSON.stringify({ ...base, span_id: trace.span_id, trace_id: trace.trace_id })))).toBeUndefined();
    for (const hostile of [
      { ...base, trace_id: trace.trace_id.toUpperCase().replace(/^./, 'A'), span_id: trace.span_id },
      { ...base, trace_id: '0'.repeat(32), span_id: trace.span_id },
      { ...base, trace_id: trace.trace_id, span_id: '0'.repeat(16) },
      { ...base, trace_id: trace.trace_id.slice(1), span_id: trace.span_id },
      { ...base, trace_id: trace.trace_id },
      { ...base, trace_id: trace.trace_id, span_id: trace.span_id, extra: 1 },
    ]) {
      const text = JSON.stringify(hostile);
      expect(auditEnvelope.safeParse(JSON.parse(text)).success).toBe(false);
      expect(isAuditEnvelope(JSON.parse(text))).toBe(false);
      expect(checkAmid(Buffer.from(text))).toBeUndefined();
    }
  });

  it('never vouches for bytes the parser or the envelope check refuses, however they were edited', () => {
    const piece = fc.oneof(
      fc.constantFrom(...' \t\r\n\\"{}[]:,.-+eE0123456789nulltruefalse_proto'.split('').map((text) => Buffer.from(text))),
      fc.uint8Array({ minLength: 1, maxLength: 3 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ minLength: 1, maxLength: 2 }).map((text) => Buffer.from(text)),
    );
    const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), piece);
    fc.assert(
      fc.property(
        fc.oneof(
          validEnvelope.map((row) => JSON.stringify(row)),
          fc.constant(ROW),
        ),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        (original, edits) => {
          let bytes = Buffer.from(original);
          for (const [position, kind, inserted] of edits) {
            const at = position % (bytes.length + 1);
            bytes =
              kind === 'insert'
                ? Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)])
                : kind === 'delete'
                  ? Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])
                  : Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at + inserted.length)]);
          }
          const seam = checkAmid(bytes);
          expectSound(bytes, seam);
          // Whatever it vouches for, the text check vouches for too, with the same seam.
          if (seam !== undefined) expect(readSinkRowSeam(bytes.toString('utf8'))).toBe(seam);
        },
      ),
      { numRuns: 20_000, seed: 0x656474 },
    );
  });

  it('leaves to the text check whatever is not plain ASCII in the layout the sink writes', () => {
    // Beyond the texts out of the layout: a DEL and a non-ASCII letter, which the text check takes.
    const variants = [...OUT_OF_LAYOUT_ROWS, ROW.replace('Slackbot 1.0', 'Slack\u007fbot'), ROW.replace('Slackbot 1.0', 'Slackbot é')];
    for (const text of variants) expect(checkAmid(Buffer.from(text)), text).toBeUndefined();
    // A byte that is not UTF-8 at all, where the text check would see U+FFFD.
    const invalid = Buffer.from(ROW.replace('Slackbot 1.0', 'Slackbot _'));
    invalid[invalid.indexOf('_')] = 0xff;
    expect(checkAmid(invalid)).toBeUndefined();
  });

  it('never reads a value past the end of its row into the bytes after it', () => {
    // The row cut inside its last value, the rest of that value found in the next line's bytes.
    const cut = ROW.indexOf('"ok":true') + '"ok":t'.length;
    expect(checkAmid(Buffer.from(ROW.slice(0, cut)), '', 'rue,"none":null}}')).toBeUndefined();
    const numberCut = ROW.indexOf('"body_bytes":5') + '"body_bytes":5'.length;
    expect(checkAmid(Buffer.from(ROW.slice(0, numberCut)), '', '12,"headers":{}}}')).toBeUndefined();
  });
});
