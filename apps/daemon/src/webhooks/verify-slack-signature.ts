import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from now, either side: Slack's own 5-minute window. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 300;

/** Why a Slack request failed verification; the listener prefixes it with `slack_` as the reason code. */
export type SlackSignatureFailure =
  'signature_missing' | 'timestamp_missing' | 'timestamp_invalid' | 'timestamp_stale' | 'signature_mismatch';

/** The verdict on one Slack request. */
export type SlackSignatureCheck = { readonly ok: true } | { readonly ok: false; readonly failure: SlackSignatureFailure };

/** What {@link verifySlackSignature} needs: the secret, the two headers as received, the raw body, now. */
export interface VerifySlackSignatureInput {
  /** The app's signing secret. */
  readonly signingSecret: string;
  /** The `X-Slack-Signature` header: `v0=<hex>`. */
  readonly signature: string | undefined;
  /** The `X-Slack-Request-Timestamp` header: epoch seconds. */
  readonly timestamp: string | undefined;
  /** The body exactly as received; parsing it first would change what was signed. */
  readonly body: Uint8Array | string;
  /** Now, in epoch milliseconds. */
  readonly now: number;
}

// Digits only: `Number()` would accept ' 1e9', '0x10' or '' and let a strange value through.
const epochSeconds = /^\d{1,12}$/;

/**
 * Verify Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` under
 * the signing secret, with the timestamp within 5 minutes of `now` either side (a captured
 * request cannot be replayed later). The comparison takes the same time wherever the strings
 * differ. Returns the first failure found.
 */
export function verifySlackSignature(input: VerifySlackSignatureInput): SlackSignatureCheck {
  if (input.signature === undefined || input.signature === '') return { ok: false, failure: 'signature_missing' };
  if (input.timestamp === undefined || input.timestamp === '') return { ok: false, failure: 'timestamp_missing' };
  if (!epochSeconds.test(input.timestamp)) return { ok: false, failure: 'timestamp_invalid' };
  const skewSeconds = Math.abs(input.now / 1000 - Number(input.timestamp));
  if (skewSeconds > SLACK_TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, failure: 'timestamp_stale' };
  const expected = Buffer.from(signSlackRequest(input.signingSecret, input.timestamp, input.body), 'utf8');
  const received = Buffer.from(input.signature, 'utf8');
  // timingSafeEqual throws on unequal lengths; the length of a valid signature is public anyway.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, failure: 'signature_mismatch' };
  }
  return { ok: true };
}

/**
 * Sign a request body the way Slack does, for tests, the demo and local fakes: returns the
 * `X-Slack-Signature` value `v0=<hex>` for the given `X-Slack-Request-Timestamp`.
 */
export function signSlackRequest(signingSecret: string, timestamp: number | string, body: Uint8Array | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}
