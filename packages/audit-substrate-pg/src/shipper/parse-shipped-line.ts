import { AUDIT_ROW_PREFIX, auditEnvelope, isAuditEnvelope } from '@kora/audit-sink';

/** What one complete line of an audit file is, to the shipper. */
export type ShippedLine =
  /** A valid row; `text` is its JSON (the line, or the whole row found after a torn head). */
  | { readonly kind: 'row'; readonly text: string }
  | { readonly kind: 'blank' }
  /** Not JSON, not an object, or too long. */
  | { readonly kind: 'malformed' }
  /** A JSON object the strict envelope refuses; `reason` names the first failing key, never a value. */
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Classify one line (without its `\n`) by the reader's rules: a row must pass the strict
 * envelope schema; a writer that died mid-row leaves a torn head, and the whole row another
 * writer glued after it on the same line is kept, as `readAuditEntries` keeps it.
 */
export function parseShippedLine(text: string): ShippedLine {
  // A row starts with `{`: only other lines need the trim, which copies the line.
  if (text.charCodeAt(0) !== 0x7b && text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const rowStart = text.lastIndexOf(AUDIT_ROW_PREFIX);
    return rowStart > 0 ? parseShippedLine(text.slice(rowStart)) : { kind: 'malformed' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed' };
  // A row as the sink writes it passes the hand check (a tenth of the schema's cost); the
  // schema has the word on anything else, and names the key that fails.
  if (isAuditEnvelope(value)) {
    return Number.isNaN(Date.parse(value.emitted_at)) ? { kind: 'invalid', reason: 'invalid_emitted_at' } : { kind: 'row', text };
  }
  const parsed = auditEnvelope.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === 'unrecognized_keys' ? 'unknown_key' : String(issue?.path[0] ?? 'row');
    return { kind: 'invalid', reason: `invalid_${key}` };
  }
  // The schema checks the shape of the time; the calendar (month 13) only a parse does.
  if (Number.isNaN(Date.parse(parsed.data.emitted_at))) return { kind: 'invalid', reason: 'invalid_emitted_at' };
  return { kind: 'row', text };
}
