import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
import { AUDIT_ROW_PREFIXES } from '../envelope/row-layout.js';
import { loadEnvelopeSchema, loadedEnvelopeSchema } from './load-envelope-schema.js';
import type { AuditEnvelopeSchema } from './load-envelope-schema.js';

/**
 * What one line of an audit file is. `afterTornHead` marks what was found after the torn head
 * of a row whose writer died mid-write: another writer's row, glued on the same line.
 */
export type AuditLineClass = { readonly afterTornHead?: true } &
  /** A row the strict envelope accepts; `text` is its JSON, without a torn head before it. */
  (
    | { readonly kind: 'row'; readonly text: string; readonly entry: AuditEnvelope }
    /** Empty or whitespace only. */
    | { readonly kind: 'blank' }
    /** Not JSON, not a JSON object, or too long to be held (`null`). */
    | { readonly kind: 'malformed' }
    /** A last line without its `\n`: its writer is mid-write, or died. */
    | { readonly kind: 'torn' }
    /** A JSON object the strict envelope refuses; `reason` names the first failing key, never a value. */
    | { readonly kind: 'invalid'; readonly reason: string }
  );

/** Options of {@link classifyAuditLine}. */
export interface ClassifyAuditLineOptions {
  /** False for a line with no `\n` after it, which is torn whatever it holds (default true). */
  readonly terminated?: boolean | undefined;
}

/**
 * Classify one line of an audit file (without its `\n`; `null` for one too long to hold), by
 * the rules every reader of the file keeps: blank, malformed, torn, invalid (with the reason),
 * or a row. A row must pass the strict envelope schema and hold a time a `Date` can; a whole
 * row glued after a dead writer's torn head is kept, since its emit was acknowledged.
 *
 * Answers at once for a row as the sink writes it (a hand check, a tenth of the schema's
 * cost), and for anything once the schema is loaded; the first line only the schema can judge
 * is answered once it has loaded, so most reads never load zod.
 */
export function classifyAuditLine(text: string | null, options?: ClassifyAuditLineOptions): AuditLineClass | Promise<AuditLineClass> {
  const now = classifyAuditLineNow(text, options);
  if (now !== undefined) return now;
  return loadEnvelopeSchema().then(() => classifyAuditLineNow(text, options) ?? { kind: 'invalid', reason: 'invalid_row' });
}

/**
 * {@link classifyAuditLine} without waiting: undefined when only the envelope schema can
 * judge the line and it is not loaded yet (`loadEnvelopeSchema`, then ask again).
 */
export function classifyAuditLineNow(text: string | null, options?: ClassifyAuditLineOptions): AuditLineClass | undefined {
  if (options?.terminated === false) return TORN;
  if (text === null) return MALFORMED;
  // A row starts with `{`: only other lines need the trim, which copies the line.
  if (text.charCodeAt(0) !== 0x7b && text.trim() === '') return BLANK;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Inside JSON strings a quote is escaped, so the row prefix marks where a row starts.
    const rowStart = Math.max(text.lastIndexOf(AUDIT_ROW_PREFIXES[0]), text.lastIndexOf(AUDIT_ROW_PREFIXES[1]));
    if (rowStart <= 0) return MALFORMED;
    const glued = classifyAuditLineNow(text.slice(rowStart));
    return glued === undefined ? undefined : { ...glued, afterTornHead: true };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return MALFORMED;
  if (isAuditEnvelope(value)) return withTime(value, text);
  const schema = loadedEnvelopeSchema();
  return schema === undefined ? undefined : bySchema(schema, value, text);
}

const TORN: AuditLineClass = Object.freeze({ kind: 'torn' });
const MALFORMED: AuditLineClass = Object.freeze({ kind: 'malformed' });
const BLANK: AuditLineClass = Object.freeze({ kind: 'blank' });
const BAD_TIME: AuditLineClass = Object.freeze({ kind: 'invalid', reason: 'invalid_emitted_at' });

/** The schema's word on a JSON object the hand check could not vouch for. */
function bySchema(schema: AuditEnvelopeSchema, value: object, text: string): AuditLineClass {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === 'unrecognized_keys' ? 'unknown_key' : String(issue?.path[0] ?? 'row');
    return { kind: 'invalid', reason: `invalid_${key}` };
  }
  return withTime(parsed.data, text);
}

/** A row the envelope accepts, unless its time is one no `Date` can hold (the schema checks the shape only: month 13 passes). */
function withTime(entry: AuditEnvelope, text: string): AuditLineClass {
  return Number.isNaN(Date.parse(entry.emitted_at)) ? BAD_TIME : { kind: 'row', text, entry };
}
