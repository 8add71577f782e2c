import type { AuditEnvelope } from '../envelope/audit-envelope.js';

let cachedMsecs = Number.NaN;
let cachedIso = '';

/**
 * `new Date(msecs).toISOString()`, remembered for the last millisecond asked: a busy sink
 * writes hundreds of rows in one, and formatting a date costs more than the rest of a row's
 * envelope. Throws a RangeError for a time no Date can hold, as `toISOString` does.
 */
export function formatEmittedAt(msecs: number): string {
  if (msecs !== cachedMsecs) {
    cachedIso = new Date(msecs).toISOString();
    cachedMsecs = msecs;
  }
  return cachedIso;
}

/**
 * One JSONL row: the envelope in its documented key order around `detailsJson` (the details
 * already serialized), ending in `\n`. Byte for byte what `JSON.stringify` makes of the whole
 * envelope, without walking it again: `v`, `id`, `emitted_at`, `seam` and `source` are a
 * number, a UUID, an ISO time and registered names, none of which JSON escapes.
 */
export function serializeRow(row: Omit<AuditEnvelope, 'details'>, detailsJson: string): string {
  const source = row.source === null ? 'null' : `"${row.source}"`;
  const callerSessionId = row.caller_session_id === null ? 'null' : JSON.stringify(row.caller_session_id);
  return `{"v":${row.v},"id":"${row.id}","emitted_at":"${row.emitted_at}","seam":"${row.seam}","source":${source},"caller_session_id":${callerSessionId},"details":${detailsJson}}\n`;
}
