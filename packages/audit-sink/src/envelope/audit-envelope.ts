import { z } from 'zod';
import { AUDIT_SCHEMA_VERSION, ISO_UTC_MILLIS_SHAPE, MAX_CALLER_SESSION_ID_LENGTH, UUID_V7_SHAPE, shapePattern } from './row-layout.js';
import { AUDIT_SOURCES, SEAM_NAMES } from './seam-names.js';

export { AUDIT_SCHEMA_VERSION } from './row-layout.js';

const uuidV7 = new RegExp(`^${shapePattern(UUID_V7_SHAPE)}$`);
const isoUtcMillis = new RegExp(`^${shapePattern(ISO_UTC_MILLIS_SHAPE)}$`);

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
  caller_session_id: z.string().max(MAX_CALLER_SESSION_ID_LENGTH).nullable(),
  /** The seam's allow-listed details; each seam validates them with its own strict schema. */
  details: z.record(z.string(), z.unknown()),
});

/** One JSONL row as written to and read from the audit file. */
export type AuditEnvelope = z.infer<typeof auditEnvelope>;

/** An envelope whose details are typed by one seam. */
export type AuditEntry<TDetails = Record<string, unknown>> = Omit<AuditEnvelope, 'details'> & {
  details: TDetails;
};
