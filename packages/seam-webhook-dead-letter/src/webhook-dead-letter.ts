import { isIP } from 'node:net';
import { defineSeam, formatFixedHalfEven, formatPythonStr, readDetailsField } from '@kora/audit-sink';
import type { LineContext } from '@kora/audit-sink';
import { z } from 'zod';
import { MAX_HEADER_VALUE_LENGTH, SIGNATURE_HEADER_NAMES, TRUNCATION_MARKER, WEBHOOK_HEADER_NAMES } from './summarize-webhook-headers.js';
import type { WebhookHeaderName } from './summarize-webhook-headers.js';
import { webhookDeadLetterExport } from './webhook-dead-letter-export.js';

/** Longest request id the emit helper keeps. */
export const MAX_REQUEST_ID_LENGTH = 128;

// Schema bounds are twice the helper's caps: the guard may replace a short secret inside a
// value with a longer `[REDACTED:<rule>]` marker after the helper cut it to size.
const headerValue = z.string().max(MAX_HEADER_VALUE_LENGTH * 2);
const signatureHeaders: readonly WebhookHeaderName[] = [...SIGNATURE_HEADER_NAMES];

/** The allow-list of `webhook.dead_letter`: what one rejected webhook request may record. */
export const webhookDeadLetterDetails = z.strictObject({
  /** Which listener rejected the request. */
  source: z.enum(['slack', 'email']),
  /** Why it was rejected, as a short code: `slack_signature_mismatch`, `body_too_large`, … */
  reason: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . : -'),
  /**
   * When the request arrived, in epoch seconds. Bounded below 1e11 so that epoch
   * milliseconds, a common slip, are refused rather than recorded as the year 55000.
   */
  ts: z.number().min(0).max(99_999_999_999),
  /** The connecting peer's IP address (v4 or v6); absent when unknown. */
  peer_ip: z
    .string()
    .max(64)
    .refine((value) => isIP(value) !== 0, 'must be an IP address')
    .optional(),
  /** The request's id, when there is one. */
  request_id: z
    .string()
    .regex(/^[\x21-\x7e]{1,256}$/, 'must be 1-256 printable ASCII characters without spaces')
    .optional(),
  /** The body's size in bytes; never the body. */
  body_bytes: z.number().int().nonnegative().optional(),
  /** The HTTP status the listener answered with, e.g. 401 or 429. */
  status: z.number().int().min(100).max(599).optional(),
  /**
   * The allow-listed request headers in arrival order, values bounded; signatures cut to
   * their first 12 characters + `...(truncated)`.
   */
  headers: z.partialRecord(z.enum(WEBHOOK_HEADER_NAMES), headerValue).refine(
    (headers) =>
      signatureHeaders.every((name) => {
        const value = headers[name];
        return value === undefined || value === '' || value.endsWith(TRUNCATION_MARKER);
      }),
    'signature headers must be truncated',
  ),
});

/** Details of one `webhook.dead_letter` row. */
export type WebhookDeadLetterDetails = z.infer<typeof webhookDeadLetterDetails>;

/** The documented fields of `webhook.dead_letter`, locked by the allow-list gate. */
export const fields = [
  { key: 'source', classification: 'machine_code', description: 'The listener that rejected the request: slack or email.' },
  { key: 'reason', classification: 'machine_code', description: 'Why the request was rejected, as a short code.' },
  { key: 'ts', classification: 'timestamp', description: 'When the request arrived, in epoch seconds.' },
  { key: 'peer_ip', classification: 'network', description: "The connecting peer's IP address, when known." },
  { key: 'request_id', classification: 'identifier', description: "The request's id, when there is one." },
  { key: 'body_bytes', classification: 'count', description: "The request body's size in bytes; never the body." },
  { key: 'status', classification: 'machine_code', description: 'The HTTP status the listener answered the request with.' },
  {
    key: 'headers',
    classification: 'header_summary',
    description: 'The eight allow-listed request headers, values bounded and signatures truncated.',
  },
] as const;

/**
 * `[kora.webhook.dead_letter] source=%s reason=%s ts=%.3f peer_ip=%s request_id=%s
 * body_bytes=%s headers=%s`: a missing or empty peer_ip/request_id and a missing body_bytes
 * print `-`; ts is rounded half-to-even on its exact binary value; headers is the dict's
 * Python repr. Formats any input.
 */
export function formatLine(details: Readonly<Record<string, unknown>>, _context?: LineContext): string {
  const value = (key: string): unknown => readDetailsField(details, key);
  return (
    `[kora.webhook.dead_letter] source=${formatPythonStr(value('source'))} reason=${formatPythonStr(value('reason'))}` +
    ` ts=${formatSeconds(value('ts'))} peer_ip=${orDash(value('peer_ip'), true)} request_id=${orDash(value('request_id'), true)}` +
    ` body_bytes=${orDash(value('body_bytes'), false)} headers=${formatPythonStr(value('headers'))}`
  );
}

/** The `webhook.dead_letter` seam: a warn line and a row per rejected webhook request. */
export const seam = defineSeam({
  name: 'webhook.dead_letter',
  level: 'warn',
  source: null,
  details: webhookDeadLetterDetails,
  fields,
  formatLine,
  exportMapping: webhookDeadLetterExport,
});

function formatSeconds(value: unknown): string {
  if (typeof value === 'number') return formatFixedHalfEven(value, 3);
  if (typeof value === 'bigint') return `${value.toString()}.000`;
  return formatPythonStr(value);
}

function orDash(value: unknown, emptyIsMissing: boolean): string {
  if (value === undefined || value === null || (emptyIsMissing && value === '')) return '-';
  return formatPythonStr(value);
}
