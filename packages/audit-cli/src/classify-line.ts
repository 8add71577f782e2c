import { AUDIT_ROW_PREFIX, auditEnvelope } from '@kora/audit-sink';
import type { AuditEnvelope } from '@kora/audit-sink';

/** What one complete line of an audit file is, with the same rules as `readAuditEntries`. */
export type LineClass =
  | { readonly kind: 'row'; readonly entry: AuditEnvelope }
  | { readonly kind: 'blank' | 'malformed' | 'invalid' };

/**
 * Classify a line: blank (whitespace only), malformed (not JSON, not an object, or too long:
 * `null`), invalid (fails the strict envelope), or a row.
 */
export function classifyLine(text: string | null): LineClass {
  if (text === null) return { kind: 'malformed' };
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A whole row glued after the torn head of a row whose writer died mid-write is kept,
    // as `readAuditEntries` keeps it.
    const rowStart = text.lastIndexOf(AUDIT_ROW_PREFIX);
    return rowStart > 0 ? classifyLine(text.slice(rowStart)) : { kind: 'malformed' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed' };
  const parsed = auditEnvelope.safeParse(value);
  if (!parsed.success || Number.isNaN(Date.parse(parsed.data.emitted_at))) return { kind: 'invalid' };
  return { kind: 'row', entry: parsed.data };
}
