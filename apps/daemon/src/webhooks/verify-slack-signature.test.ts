import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackSignature } from './verify-slack-signature.js';
import type { VerifySlackSignatureInput } from './verify-slack-signature.js';

// The worked example from Slack's "Verifying requests from Slack" page.
const slackExample = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
    '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
    '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const exampleNow = Number(slackExample.timestamp) * 1000;

describe('signSlackRequest', () => {
  it("reproduces Slack's published example signature", () => {
    expect(signSlackRequest(slackExample.signingSecret, slackExample.timestamp, slackExample.body)).toBe(slackExample.signature);
    expect(signSlackRequest(slackExample.signingSecret, Number(slackExample.timestamp), Buffer.from(slackExample.body))).toBe(
      slackExample.signature,
    );
  });
});

describe('verifySlackSignature', () => {
  it("accepts Slack's example within the window on either side", () => {
    for (const now of [exampleNow, exampleNow - 300_000, exampleNow + 300_000]) {
      expect(verifySlackSignature({ ...slackExample, now })).toEqual({ ok: true });
    }
  });

  it('accepts raw bytes that are not valid UTF-8', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    const signature = signSlackRequest('secret', 1700000000, body);
    expect(verifySlackSignature({ signingSecret: 'secret', signature, timestamp: '1700000000', body, now: 1700000000000 })).toEqual({
      ok: true,
    });
  });

  it('names the first failure: missing signature, missing or non-numeric timestamp, stale, mismatch', () => {
    const verdict = (changes: Partial<VerifySlackSignatureInput>) => verifySlackSignature({ ...slackExample, now: exampleNow, ...changes });
    expect(verdict({ signature: undefined })).toEqual({ ok: false, failure: 'signature_missing' });
    expect(verdict({ signature: '' })).toEqual({ ok: false, failure: 'signature_missing' });
    expect(verdict({ timestamp: undefined })).toEqual({ ok: false, failure: 'timestamp_missing' });
    for (const timestamp of ['soon', '1e9', ' 1531420618', '-1531420618', '0x5b47']) {
      expect(verdict({ timestamp })).toEqual({ ok: false, failure: 'timestamp_invalid' });
    }
    expect(verdict({ now: exampleNow + 300_001 })).toEqual({ ok: false, failure: 'timestamp_stale' });
    expect(verdict({ now: exampleNow - 300_001 })).toEqual({ ok: false, failure: 'timestamp_stale' });
    expect(verdict({ body: `${slackExample.body}&x=1` })).toEqual({ ok: false, failure: 'signature_mismatch' });
    expect(verdict({ signingSecret: 'another-secret' })).toEqual({ ok: false, failure: 'signature_mismatch' });
  });

  it('refuses a signature re-dated into the window: the timestamp is part of what is signed', () => {
    const now = exampleNow + 3_600_000;
    const timestamp = String(now / 1000);
    expect(verifySlackSignature({ ...slackExample, timestamp, now })).toEqual({ ok: false, failure: 'signature_mismatch' });
  });

  it('refuses truncated, upper-case and unprefixed signatures without throwing', () => {
    const hex = slackExample.signature.slice(3);
    for (const signature of [
      slackExample.signature.slice(0, -1),
      `v0=${hex.toUpperCase()}`,
      hex,
      `v1=${hex}`,
      `${slackExample.signature}00`,
    ]) {
      expect(verifySlackSignature({ ...slackExample, signature, now: exampleNow })).toEqual({ ok: false, failure: 'signature_mismatch' });
    }
  });
});
