import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signEmailRequest, verifyEmailSignature } from './verify-email-signature.js';

const signingSecret = 'email-signing-secret-for-tests';
const body = JSON.stringify({ from: 'sender', to: 'inbox', subject: 'Hello', text: 'Hi there' });

describe('signEmailRequest', () => {
  it('is the lower-case hex HMAC-SHA256 of the body, without prefix', () => {
    const expected = createHmac('sha256', signingSecret).update(body).digest('hex');
    expect(signEmailRequest(signingSecret, body)).toBe(expected);
    expect(signEmailRequest(signingSecret, Buffer.from(body))).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifyEmailSignature', () => {
  const hex = signEmailRequest(signingSecret, body);

  it('accepts the signature with or without the sha256= prefix, in either case', () => {
    for (const signature of [hex, `sha256=${hex}`, `SHA256=${hex.toUpperCase()}`, ` sha256=${hex} `]) {
      expect(verifyEmailSignature({ signingSecret, signature, body })).toEqual({ ok: true });
    }
  });

  it('reports a missing signature', () => {
    for (const signature of [undefined, '', '   ']) {
      expect(verifyEmailSignature({ signingSecret, signature, body })).toEqual({ ok: false, failure: 'signature_missing' });
    }
  });

  it('reports a mismatch for another body, another secret, or a value that is not 64 hex digits', () => {
    const mismatch = { ok: false, failure: 'signature_mismatch' };
    expect(verifyEmailSignature({ signingSecret, signature: hex, body: `${body} ` })).toEqual(mismatch);
    expect(verifyEmailSignature({ signingSecret: 'another-secret', signature: hex, body })).toEqual(mismatch);
    // `${hex.slice(0, 63)}z` would decode to the first 31 bytes only if the shape were not checked.
    for (const signature of [hex.slice(0, 62), `${hex.slice(0, 63)}z`, `${hex}00`, 'sha256=', `sha1=${hex}`]) {
      expect(verifyEmailSignature({ signingSecret, signature, body })).toEqual(mismatch);
    }
  });
});
