import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { escapeJsonControls } from '../format/escape-json-controls.js';

let cachedWriter = '';
let cachedWriterPrefix = '';

/** `,"writer":"<writer>","seq":`, remembered for the last writer asked: a sink asks for its own every row. */
function writerPrefix(writer: string): string {
  if (writer !== cachedWriter) {
    cachedWriterPrefix = `,"writer":"${writer}","seq":`;
    cachedWriter = writer;
  }
  return cachedWriterPrefix;
}

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
 * already serialized), `writer` and `seq` after them in a version 2 row (then `trace_id` and `span_id` when it has them), ending in `\n`. What `JSON.stringify` makes of the whole envelope,
 * without walking it again (`v`, `id`, `emitted_at`, `seam` and `source` are a number, a UUID,
 * an ISO time and registered names, none of which JSON escapes), except that DEL, C1 controls,
 * U+2028, U+2029 and bidirectional controls, which `JSON.stringify` leaves raw, are written as
 * `\uXXXX`: a header or session id from outside cannot drive the terminal of whoever reads
 * the file. The row parses to the same value either way.
 */
export function serializeRow(row: Omit<AuditEnvelope, 'details'>, detailsJson: string): string {
  const source = row.source === null ? 'null' : `"${row.source}"`;
  // Only these two parts can hold text from outside; the rest is ASCII the sink made.
  const callerSessionId = row.caller_session_id === null ? 'null' : escapeJsonControls(JSON.stringify(row.caller_session_id));
  // Version 2 ends with the writer and the row's place in its sequence: a UUID and an integer.
  let writer = row.writer === undefined ? '' : writerPrefix(row.writer) + String(row.seq);
  // And, made while a trace was active, its trace and span ids: hex digits, none escaped.
  if (row.trace_id !== undefined && row.writer !== undefined) writer += `,"trace_id":"${row.trace_id}","span_id":"${row.span_id}"`;
  return `{"v":${row.v},"id":"${row.id}","emitted_at":"${row.emitted_at}","seam":"${row.seam}","source":${source},"caller_session_id":${callerSessionId},"details":${escapeJsonControls(detailsJson)}${writer}}\n`;
}
