import { z } from 'zod';
import { AUDIT_SCHEMA_VERSION } from './row-layout.js';
import { AUDIT_SOURCES, SEAM_NAMES } from './seam-names.js';

export { AUDIT_ROW_PREFIX, AUDIT_SCHEMA_VERSION } from './row-layout.js';

// UUIDv7: version nibble 7, RFC 4122 variant; lower-case as written by the sink.
const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// ISO-8601 UTC with exactly milliseconds and `Z`, as Date#toISOString writes it.
const isoUtcMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * One JSONL row. Strict: an unknown top-level key is rejected, so schema drift is
 * caught where the row is made, not by the reader months later.
 */
export const auditEnvelope = z.strictObject({
  /** Schema version of the envelope. */
  v: z.literal(AUDIT_SCHEMA_VERSION),
  /** UUIDv7: time-ordered and unique, the key for idempotent shipping. */
  id: z.string().regex(uuidV7, 'must be a lower-case UUIDv7'),
  /** When the row was made, ISO-8601 UTC with milliseconds. */
  emitted_at: z.string().regex(isoUtcMillis, 'must be ISO-8601 UTC with milliseconds'),
  /** Which seam wrote the row. */
  seam: z.enum(SEAM_NAMES),
  /** Where the act came from, or null when unknown. */
  source: z.enum(AUDIT_SOURCES).nullable(),
  /** The caller's session (`{channel}:{ts}` for Slack, caller identity for MCP), or null. */
  caller_session_id: z.string().max(256).nullable(),
  /** The seam's allow-listed details; each seam validates them with its own strict schema. */
  details: z.record(z.string(), z.unknown()),
});

/** One JSONL row as written to and read from the audit file. */
export type AuditEnvelope = z.infer<typeof auditEnvelope>;

/** An envelope whose details are typed by one seam. */
export type AuditEntry<TDetails = Record<string, unknown>> = Omit<AuditEnvelope, 'details'> & {
  details: TDetails;
};
