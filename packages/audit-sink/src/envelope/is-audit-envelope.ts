import type { AuditEnvelope } from './audit-envelope.js';
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

const KEYS = ['v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details'] as const;
// A version 2 row has these two besides.
const WRITER_KEYS = ['writer', 'seq'] as const;
// And a version 2 row made while a trace was active, these two after them.
const TRACE_KEYS = ['trace_id', 'span_id'] as const;
const UUID_V7 = new RegExp(`^${shapePattern(UUID_V7_SHAPE)}$`);
const ISO_UTC_MILLIS = new RegExp(`^${shapePattern(ISO_UTC_MILLIS_SHAPE)}$`);
const seams: ReadonlySet<unknown> = new Set(SEAM_NAMES);
const sources: ReadonlySet<unknown> = new Set(AUDIT_SOURCES);

/**
 * Whether a value parsed from JSON is an envelope as the sink writes it: the `auditEnvelope`
 * schema's rules, checked by hand for the reader's hot path (a schema parse costs about
 * 2 µs a row, this a tenth of that). True only where the schema accepts the value as it is;
 * a false answer means "ask the schema", which has the final word and the error.
 */
export function isAuditEnvelope(value: unknown): value is AuditEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const row = value as Record<string, unknown>;
  let keys = 0;
  for (const key in row) {
    if (!Object.hasOwn(row, key)) return false;
    keys += 1;
  }
  if (!KEYS.every((key) => Object.hasOwn(row, key))) return false;
  if (row.v === 2) {
    const traced = keys === KEYS.length + WRITER_KEYS.length + TRACE_KEYS.length;
    if ((!traced && keys !== KEYS.length + WRITER_KEYS.length) || !WRITER_KEYS.every((key) => Object.hasOwn(row, key))) return false;
    if (traced && (!isRowTraceId(row.trace_id) || !isRowSpanId(row.span_id))) return false;
    const { writer, seq } = row;
    if (
      typeof writer !== 'string' ||
      !UUID_V7.test(writer) ||
      !Number.isInteger(seq) ||
      (seq as number) < 1 ||
      (seq as number) > MAX_WRITER_SEQ
    )
      return false;
  } else if (row.v !== 1 || keys !== KEYS.length) {
    return false;
  }
  const { id, emitted_at: emittedAt, source, caller_session_id: callerSessionId, details } = row;
  return (
    typeof id === 'string' &&
    UUID_V7.test(id) &&
    typeof emittedAt === 'string' &&
    ISO_UTC_MILLIS.test(emittedAt) &&
    seams.has(row.seam) &&
    (source === null || sources.has(source)) &&
    (callerSessionId === null || (typeof callerSessionId === 'string' && callerSessionId.length <= MAX_CALLER_SESSION_ID_LENGTH)) &&
    typeof details === 'object' &&
    details !== null &&
    Object.getPrototypeOf(details) === Object.prototype &&
    !Object.hasOwn(details, '__proto__')
  );
}
