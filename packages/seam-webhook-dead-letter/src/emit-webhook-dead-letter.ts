import { isIP } from 'node:net';
import { emitSeamEvent, escapeToken, fitRedactedLength } from '@kora/audit-sink';
import type { AuditSource, EmitOutcome, EmitTargets } from '@kora/audit-sink';
import { summarizeWebhookHeaders } from './summarize-webhook-headers.js';
import type { RawWebhookHeaders } from './summarize-webhook-headers.js';
import { MAX_REQUEST_ID_LENGTH, seam } from './webhook-dead-letter.js';
import type { WebhookDeadLetterDetails } from './webhook-dead-letter.js';

/** Raw inputs of {@link emitWebhookDeadLetter}, as the listener has them. */
export interface EmitWebhookDeadLetterInput {
  /** Which listener rejected the request. */
  readonly source: 'slack' | 'email';
  /** Why, as a short code: `slack_signature_mismatch`, `purelymail_hmac_mismatch`, … */
  readonly reason: string;
  /** When the request arrived, in epoch seconds; defaults to `receivedAt`, then now. */
  readonly ts?: number;
  /** When the request arrived, used when `ts` is not given. */
  readonly receivedAt?: Date;
  /** The socket's remote address; dropped when empty or not an IP address. */
  readonly peerIp?: string | null;
  /** The request's id; dropped when empty. */
  readonly requestId?: string | null;
  /** The raw body: only its size in bytes is kept. */
  readonly body?: string | Uint8Array | ArrayBuffer | null;
  /** The body's size when the body itself was not read (too large); wins over `body`. */
  readonly bodyBytes?: number;
  /** The raw request headers (`req.headers`, `req.rawHeaders`, `Headers`, pairs). */
  readonly headers?: RawWebhookHeaders | null;
  /** The HTTP status the request was answered with; dropped unless an integer 100-599. */
  readonly status?: number | null;
}

const ENVELOPE_SOURCES: Readonly<Record<EmitWebhookDeadLetterInput['source'], AuditSource>> = {
  slack: 'slack_dm',
  email: 'email',
};

/**
 * Audit one rejected webhook request: logs the `[kora.webhook.dead_letter]` line at warn and
 * appends the row. The body never leaves this function (only its byte length), headers are
 * summarized by {@link summarizeWebhookHeaders}. Never throws in best-effort mode.
 */
export function emitWebhookDeadLetter(input: EmitWebhookDeadLetterInput, targets?: EmitTargets): EmitOutcome {
  const peerIp = typeof input.peerIp === 'string' && isIP(input.peerIp) !== 0 ? input.peerIp : undefined;
  // Cut as written, secrets counted as their markers, so that a sender's id cannot cost the row.
  const requestId =
    typeof input.requestId === 'string' && input.requestId !== ''
      ? fitRedactedLength(escapeToken(input.requestId, 8 * MAX_REQUEST_ID_LENGTH), MAX_REQUEST_ID_LENGTH)
      : undefined;
  const bodyBytes = input.bodyBytes ?? byteLength(input.body);
  const details: WebhookDeadLetterDetails = {
    source: input.source,
    reason: input.reason,
    ts: input.ts ?? (input.receivedAt ?? new Date()).getTime() / 1000,
    ...(peerIp === undefined ? {} : { peer_ip: peerIp }),
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...(bodyBytes === undefined ? {} : { body_bytes: bodyBytes }),
    ...(isHttpStatus(input.status) ? { status: input.status } : {}),
    headers: summarizeWebhookHeaders(input.headers),
  };
  // An unlisted source (an untyped caller) has no envelope source; the allow-list refuses it.
  const source = ENVELOPE_SOURCES[input.source] as AuditSource | undefined;
  return emitSeamEvent(seam, details, { source: source ?? null, caller_session_id: null }, targets);
}

function byteLength(body: EmitWebhookDeadLetterInput['body']): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  try {
    if (body instanceof Uint8Array || body instanceof ArrayBuffer) return body.byteLength;
  } catch {
    // A revoked proxy throws even on `instanceof`; a body we cannot measure has no size.
  }
  return undefined;
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}
