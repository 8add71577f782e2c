import { z } from 'zod';
import {
  ISO_UTC_MILLIS_SHAPE,
  MAX_CALLER_SESSION_ID_LENGTH,
  MAX_WRITER_SEQ,
  UUID_V7_SHAPE,
  isRowSpanId,
  isRowTraceId,
  shapePattern,
} from './row-layout.js';
import { AUDIT_SOURCES, SEAM_NAMES } from './seam-names.js';

export { AUDIT_SCHEMA_VERSION, AUDIT_SCHEMA_VERSIONS } from './row-layout.js';

const uuidV7 = new RegExp(`^${shapePattern(UUID_V7_SHAPE)}$`);
const isoUtcMillis = new RegExp(`^${shapePattern(ISO_UTC_MILLIS_SHAPE)}$`);

/**
 * One JSONL row. Strict: an unknown top-level key is rejected, so schema drift is
 * caught where the row is made, not by the reader months later. Version 2 rows carry
 * `writer` and `seq`; version 1 rows carry neither. A version 2 row made while a trace was
 * active carries its W3C `trace_id` and `span_id` besides, both or neither.
 */
export const auditEnvelope = z
  .strictObject({
    /** Schema version of the envelope: 2 as the sink writes it, 1 for rows written before. */
    v: z.union([z.literal(1), z.literal(2)]),
    /** UUIDv7: time-ordered and unique, the key for idempotent shipping. */
    id: z.string().regex(uuidV7, 'must be a lower-case UUIDv7'),
    /** When the row was made, ISO-8601 UTC with milliseconds. */
    emitted_at: z.string().regex(isoUtcMillis, 'must be ISO-8601 UTC with milliseconds'),
    /** Which seam wrote the row. */
    seam: z.enum(SEAM_NAMES),
    /** Where the act came from, or null when unknown. */
    source: z.enum(AUDIT_SOURCES).nullable(),
    /** The caller's session (`{channel}:{ts}` for Slack, caller identity for MCP), or null. */
    caller_session_id: z.string().max(MAX_CALLER_SESSION_ID_LENGTH).nullable(),
    /** The seam's allow-listed details; each seam validates them with its own strict schema. */
    details: z.record(z.string(), z.unknown()),
    /** Version 2: the writer (one sink instance) that made the row, the id of its `audit.opened` row. */
    writer: z.string().regex(uuidV7, 'must be a lower-case UUIDv7').optional(),
    /** Version 2: the row's place in its writer's sequence, 1, 2, 3… without gaps as made. */
    seq: z.number().int().min(1).max(MAX_WRITER_SEQ).optional(),
    /** Version 2, optional: the W3C trace id active when the row was made, 32 lower-case hex digits, not all zeros. */
    trace_id: z.string().refine(isRowTraceId, 'must be 32 lower-case hex digits, not all zeros').optional(),
    /** Version 2, optional: the span id active when the row was made, 16 lower-case hex digits, not all zeros. */
    span_id: z.string().refine(isRowSpanId, 'must be 16 lower-case hex digits, not all zeros').optional(),
  })
  .superRefine((row, context) => {
    const hasWriter = row.writer !== undefined && row.seq !== undefined;
    if (row.v === 2 && !hasWriter) {
      context.addIssue({
        code: 'custom',
        path: [row.writer === undefined ? 'writer' : 'seq'],
        message: 'a version 2 row names its writer and sequence number',
      });
    } else if (row.v === 1 && (row.writer !== undefined || row.seq !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: [row.writer === undefined ? 'seq' : 'writer'],
        message: 'a version 1 row has no writer or sequence number',
      });
    }
    if ((row.trace_id === undefined) !== (row.span_id === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [row.trace_id === undefined ? 'trace_id' : 'span_id'],
        message: 'a row carries its trace id and span id together, or neither',
      });
    } else if (row.trace_id !== undefined && row.v !== 2) {
      context.addIssue({ code: 'custom', path: ['trace_id'], message: 'only a version 2 row carries a trace id' });
    }
  });

/** One JSONL row as written to and read from the audit file. */
export type AuditEnvelope = z.infer<typeof auditEnvelope>;

/** An envelope whose details are typed by one seam. */
export type AuditEntry<TDetails = Record<string, unknown>> = Omit<AuditEnvelope, 'details'> & {
  details: TDetails;
};
