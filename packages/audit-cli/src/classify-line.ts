import { AUDIT_ROW_PREFIX, isAuditEnvelope, loadEnvelopeSchema, loadedEnvelopeSchema } from '@kora/audit-sink/reader';
import type { AuditEnvelope, AuditEnvelopeSchema } from '@kora/audit-sink/reader';

/** What one complete line of an audit file is, with the same rules as `readAuditEntries`. */
export type LineClass =
  | { readonly kind: 'row'; readonly entry: AuditEnvelope }
  | { readonly kind: 'blank' | 'malformed' | 'invalid' };

/**
 * Classify a line: blank (whitespace only), malformed (not JSON, not an object, or too long:
 * `null`), invalid (fails the strict envelope), or a row. Answers at once, unless the line is
 * the first that only the envelope schema can judge: then once the schema has loaded.
 */
export function classifyLine(text: string | null): LineClass | Promise<LineClass> {
  const value = parseLine(text);
  if (!('value' in value)) return value;
  if (isAuditEnvelope(value.value)) return judged(value.value);
  // Rows as the sink writes them pass the hand check, so `tail` and `stats` usually never load the schema.
  const schema = loadedEnvelopeSchema();
  if (schema !== undefined) return withSchema(schema, value.value);
  return loadEnvelopeSchema().then((loaded) => withSchema(loaded, value.value));
}

/** The JSON object a line holds, or its class when it holds none. */
function parseLine(text: string | null): LineClass | { readonly value: object } {
  if (text === null) return { kind: 'malformed' };
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A whole row glued after the torn head of a row whose writer died mid-write is kept,
    // as `readAuditEntries` keeps it.
    const rowStart = text.lastIndexOf(AUDIT_ROW_PREFIX);
    return rowStart > 0 ? parseLine(text.slice(rowStart)) : { kind: 'malformed' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed' };
  return { value };
}

function withSchema(schema: AuditEnvelopeSchema, value: object): LineClass {
  const parsed = schema.safeParse(value);
  return parsed.success ? judged(parsed.data) : { kind: 'invalid' };
}

/** A row the envelope accepts, unless its time is one no Date can hold. */
function judged(entry: AuditEnvelope): LineClass {
  return Number.isNaN(Date.parse(entry.emitted_at)) ? { kind: 'invalid' } : { kind: 'row', entry };
}
