import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why an e-mail webhook failed verification. */
export type EmailSignatureFailure = 'signature_missing' | 'signature_mismatch';

/** The verdict on one e-mail webhook request. */
export type EmailSignatureCheck = { readonly ok: true } | { readonly ok: false; readonly failure: EmailSignatureFailure };

/** What {@link verifyEmailSignature} needs. */
export interface VerifyEmailSignatureInput {
  /** The shared signing secret. */
  readonly signingSecret: string;
  /** The `X-Purelymail-Signature` header: `<hex>` or `sha256=<hex>`. */
  readonly signature: string | undefined;
  /** The body exactly as received. */
  readonly body: Uint8Array | string;
}

const SIGNATURE_PREFIX = 'sha256=';
// `Buffer.from(text, 'hex')` stops silently at the first non-hex character, so shape is checked first.
const sha256Hex = /^[0-9a-f]{64}$/i;

/**
 * Verify the e-mail provider's signature: hex HMAC-SHA256 of the raw body under the signing
 * secret, with or without a `sha256=` prefix, hex in either case. The digests are compared in
 * constant time. A value that is not 64 hex digits is a mismatch, not an error.
 */
export function verifyEmailSignature(input: VerifyEmailSignatureInput): EmailSignatureCheck {
  if (input.signature === undefined || input.signature.trim() === '') return { ok: false, failure: 'signature_missing' };
  const value = input.signature.trim();
  const hex = value.toLowerCase().startsWith(SIGNATURE_PREFIX) ? value.slice(SIGNATURE_PREFIX.length) : value;
  if (!sha256Hex.test(hex)) return { ok: false, failure: 'signature_mismatch' };
  const expected = Buffer.from(signEmailRequest(input.signingSecret, input.body), 'hex');
  const received = Buffer.from(hex, 'hex');
  // Both are 32 bytes by now; the length check only keeps timingSafeEqual from throwing.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, failure: 'signature_mismatch' };
  }
  return { ok: true };
}

/**
 * Sign an e-mail webhook body, for tests, the demo and local fakes: returns the lower-case hex
 * HMAC-SHA256 without prefix (send it as is or as `sha256=<hex>`).
 */
export function signEmailRequest(signingSecret: string, body: Uint8Array | string): string {
  return createHmac('sha256', signingSecret).update(body).digest('hex');
}
