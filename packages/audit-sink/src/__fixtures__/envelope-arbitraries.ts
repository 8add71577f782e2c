// fast-check arbitraries of envelopes, for the tests of the hand checks against the schema.
import fc from 'fast-check';
import { AUDIT_SOURCES, SEAM_NAMES } from '../envelope/seam-names.js';

const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

const uuidV7 = fc
  .tuple(hex(8), hex(4), hex(3), fc.constantFrom('8', '9', 'a', 'b'), hex(3), hex(12))
  .map(([a, b, c, variant, d, e]) => `${a}-${b}-7${c}-${variant}${d}-${e}`);

const versionOneEnvelope = fc.record({
  v: fc.constant(1),
  id: uuidV7,
  emitted_at: fc
    .date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  seam: fc.constantFrom(...SEAM_NAMES),
  source: fc.constantFrom(...AUDIT_SOURCES, null),
  caller_session_id: fc.oneof(fc.constant(null), fc.string({ maxLength: 256 })),
  details: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
});

/** Sequence numbers a writer gives, the edges most of all. */
const seq = fc.oneof(fc.constantFrom(1, 2, 9, 10, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));

/** A hex id of `length` digits that is not all zeros, the edges (one digit set, all `f`) most of all. */
const hexId = (length: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(`${'0'.repeat(length - 1)}1`, 'f'.repeat(length), `1${'0'.repeat(length - 1)}`),
    hex(length).filter((id) => !/^0+$/.test(id)),
  );

/** The W3C trace fields of a row made while a trace was active. */
export const validTrace = fc.record({ trace_id: hexId(32), span_id: hexId(16) });

const versionTwoEnvelope = fc
  .tuple(versionOneEnvelope, uuidV7, seq)
  .map(([row, writer, number]) => ({ ...row, v: 2, writer, seq: number }));

/**
 * Any row the sink could write, as a plain object, `details` of up to four keys of any JSON:
 * version 1, or version 2 with its writer and number, and its trace fields or not.
 */
export const validEnvelope = fc.oneof(
  versionOneEnvelope,
  versionTwoEnvelope,
  fc.tuple(versionTwoEnvelope, validTrace).map(([row, trace]) => ({ ...row, ...trace })),
);

/** Trace id and span id values a row must not carry: upper case, wrong length, all zeros, not hex, not a string. */
const invalidTraceValue = (length: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    hexId(length)
      .map((id) => id.toUpperCase())
      .filter((id) => /[A-F]/.test(id)),
    fc.constant('0'.repeat(length)),
    hexId(length - 1),
    hexId(length + 1),
    hexId(length).map((id) => `${id.slice(0, -1)}g`),
    fc.constantFrom<unknown>('', null, 7, true, [], {}),
  );

/**
 * Rows whose trace fields the schema refuses: a hostile trace id or span id, one without the
 * other, or trace fields on a version 1 row.
 */
export const invalidTraceEnvelope = fc.oneof(
  fc
    .tuple(versionTwoEnvelope, invalidTraceValue(32), hexId(16))
    .map(([row, traceId, spanId]) => ({ ...row, trace_id: traceId, span_id: spanId })),
  fc
    .tuple(versionTwoEnvelope, hexId(32), invalidTraceValue(16))
    .map(([row, traceId, spanId]) => ({ ...row, trace_id: traceId, span_id: spanId })),
  fc.tuple(versionTwoEnvelope, hexId(32)).map(([row, traceId]) => ({ ...row, trace_id: traceId })),
  fc.tuple(versionTwoEnvelope, hexId(16)).map(([row, spanId]) => ({ ...row, span_id: spanId })),
  fc.tuple(versionOneEnvelope, validTrace).map(([row, trace]) => ({ ...row, ...trace })),
);

/** Version 2 rows whose writer or number the schema refuses, or version 1 rows that carry one. */
export const invalidWriterEnvelope = fc.oneof(
  fc
    .tuple(versionOneEnvelope, uuidV7, fc.constantFrom<unknown>(0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 1, '7', null, true))
    .map(([row, writer, number]) => ({ ...row, v: 2, writer, seq: number })),
  fc
    .tuple(versionOneEnvelope, fc.constantFrom<unknown>('not-a-uuid', '0192F7C2-6D3E-7A4B-9C1D-2E3F4A5B6C7D', null, 7), seq)
    .map(([row, writer, number]) => ({ ...row, v: 2, writer, seq: number })),
  versionOneEnvelope.map((row) => ({ ...row, v: 2 })),
  fc.tuple(versionOneEnvelope, uuidV7, seq).map(([row, writer, number]) => ({ ...row, writer, seq: number })),
);
