import { findSecrets, fitRedactedLength } from '@kora/audit-sink';
/** The only request headers a dead-letter row may record, lower-cased, in no particular order. */
export const WEBHOOK_HEADER_NAMES = [
  'content-type',
  'content-length',
  'user-agent',
  'x-slack-request-timestamp',
  'x-forwarded-for',
  'x-real-ip',
  'x-slack-signature',
  'x-purelymail-signature',
] as const;

/** One of the allow-listed header names. */
export type WebhookHeaderName = (typeof WEBHOOK_HEADER_NAMES)[number];

/** The header summary written into `details.headers`: allow-listed names only, bounded values. */
export type WebhookHeaderSummary = Partial<Record<WebhookHeaderName, string>>;

/**
 * Raw request headers as they come: name/value pairs (`Headers`, a `Map`, `[name, value][]`),
 * Node's flat `req.rawHeaders` list, or a record such as Node's `IncomingHttpHeaders`.
 */
export type RawWebhookHeaders =
  Iterable<readonly [string, string]> | readonly string[] | Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** Header names whose value is a signature: only its first characters are kept. */
export const SIGNATURE_HEADER_NAMES: ReadonlySet<WebhookHeaderName> = new Set(['x-slack-signature', 'x-purelymail-signature']);
/** Characters of a signature kept before the truncation marker. */
export const SIGNATURE_PREFIX_LENGTH = 12;
/** Longest header value kept, in characters, truncation marker included. */
export const MAX_HEADER_VALUE_LENGTH = 256;
/** Appended to every cut value. */
export const TRUNCATION_MARKER = '...(truncated)';

const allowed: ReadonlySet<string> = new Set(WEBHOOK_HEADER_NAMES);

/**
 * Summarize a rejected request's headers for the audit row. Keeps only the eight allow-listed
 * names (lower-cased; a later duplicate overwrites the value but keeps the first position),
 * turns a non-empty signature into its first 12 characters + `...(truncated)`, and cuts any
 * other value longer than 256 characters. `Authorization`, `Cookie` and every other header are
 * dropped. Never throws.
 */
export function summarizeWebhookHeaders(raw: RawWebhookHeaders | null | undefined): WebhookHeaderSummary {
  const summary: WebhookHeaderSummary = {};
  for (const [name, value] of readPairs(raw)) {
    const lowerName = name.toLowerCase();
    if (!allowed.has(lowerName)) continue;
    const headerName = lowerName as WebhookHeaderName;
    summary[headerName] = SIGNATURE_HEADER_NAMES.has(headerName) ? truncateSignature(value) : boundValue(value);
  }
  return summary;
}

function truncateSignature(value: string): string {
  if (value === '') return '';
  // Cut by code point, as Python's `value[:12]` does, so no surrogate pair is split; and
  // never through a secret (see boundValue).
  const prefix = fitRedactedLength(value, SIGNATURE_PREFIX_LENGTH);
  const truncated = `${prefix}${TRUNCATION_MARKER}`;
  // A label in the prefix (`password=`) would make the guard take the marker for its value
  // and redact it away, and a signature must end with the marker: keep the marker alone then.
  return findSecrets(truncated).some((match) => match.end > prefix.length) ? TRUNCATION_MARKER : truncated;
}

/**
 * At most 256 code points as written, cut with the marker. The cap counts each secret as the
 * longer `[REDACTED:<rule>]` the guard will write, so that a value full of short secrets
 * cannot outgrow the allow-list and cost the row; without secrets this is Python's
 * `value[:242] + '...(truncated)'` for a value longer than 256.
 */
function boundValue(value: string): string {
  if (fitRedactedLength(value, MAX_HEADER_VALUE_LENGTH) === value) return value;
  return `${fitRedactedLength(value, MAX_HEADER_VALUE_LENGTH - TRUNCATION_MARKER.length)}${TRUNCATION_MARKER}`;
}

// Node refuses requests with more than 2000 headers by default; far beyond that, the input is
// not a request's headers (a sparse array claiming 2^32 slots, an endless iterator).
const MAX_HEADER_PAIRS = 10_000;

function* readPairs(raw: RawWebhookHeaders | null | undefined): Generator<[string, string]> {
  if (typeof raw !== 'object' || raw === null) return;
  try {
    if (Array.isArray(raw) && raw.length <= 2 * MAX_HEADER_PAIRS && raw.every((item) => typeof item === 'string')) {
      // Node's `req.rawHeaders`: name, value, name, value, …
      const flat = raw as readonly string[];
      for (let index = 0; index + 1 < flat.length; index += 2) yield [flat[index] ?? '', flat[index + 1] ?? ''];
      return;
    }
    if (Symbol.iterator in raw) {
      let read = 0;
      for (const entry of raw as Iterable<unknown>) {
        if ((read += 1) > MAX_HEADER_PAIRS) return;
        if (!Array.isArray(entry)) continue;
        const pair = entry as readonly unknown[];
        const name = pair[0];
        const value = pair[1];
        const text = headerText(value);
        if (typeof name === 'string' && text !== undefined) yield [name, text];
      }
      return;
    }
    for (const [name, value] of Object.entries(raw)) {
      const text = headerText(value);
      if (text !== undefined) yield [name, text];
    }
  } catch {
    // Hostile input (a throwing iterator or getter): keep what was summarized so far.
  }
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  // Node joins most repeated headers itself; the rest arrive as arrays.
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join(', ');
  return undefined;
}
