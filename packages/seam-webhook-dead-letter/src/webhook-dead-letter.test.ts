import { fileURLToPath } from 'node:url';
import { expectSeamContract, readGoldenLines } from '@kora/audit-sink/testing';
import { describe, expect, it } from 'vitest';
import { seam, webhookDeadLetterDetails } from './webhook-dead-letter.js';

const goldenPath = fileURLToPath(new URL('../../../../shared/spec/golden-lines.jsonl', import.meta.url));
const golden = readGoldenLines(goldenPath, 'webhook.dead_letter');

const validDetails = {
  source: 'slack',
  reason: 'slack_signature_mismatch',
  ts: 1700000000.123,
  peer_ip: '203.0.113.7',
  request_id: 'req-abc',
  body_bytes: 42,
  status: 401,
  headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=a2114d57b...(truncated)' },
};

describe('seam', () => {
  it('reproduces every golden webhook.dead_letter line byte for byte at warn', () => {
    expect(golden.length).toBeGreaterThan(0);
    for (const vector of golden) {
      expect(seam.formatLine(vector.details, { caller_session_id: vector.caller_session_id })).toBe(vector.line);
      expect(vector.level).toBe(seam.level);
    }
  });

  it('keeps allow-listed fields, rejects unknown and missing ones, and matches the golden lines', async () => {
    await expectSeamContract(seam, { validDetails, goldenPath });
  });

  it('accepts every golden row except the one with empty peer_ip and request_id', () => {
    const rejected = golden
      .filter((vector) => !webhookDeadLetterDetails.safeParse(vector.details).success)
      .map((vector) => vector.details.reason);
    // The emit helper drops empty values, which the line prints as `-` either way.
    expect(rejected).toEqual(['missing_signature']);
  });

  it('rounds ts half-to-even on its exact binary value', () => {
    const line = (ts: unknown): string => seam.formatLine({ ...validDetails, ts });
    expect(line(1700000004.3125)).toContain(' ts=1700000004.312 ');
    expect(line(1700000004.3135)).toContain(' ts=1700000004.313 ');
    expect(line(1699999999.9999)).toContain(' ts=1700000000.000 ');
    expect(line('soon\n')).toContain(String.raw` ts=soon\n `);
    expect(line(undefined)).toContain(' ts=None ');
  });

  it('prints - for missing or empty optional fields but 0 for an empty body', () => {
    expect(seam.formatLine({ ...validDetails, peer_ip: null, request_id: '', body_bytes: 0 })).toContain(
      ' peer_ip=- request_id=- body_bytes=0 ',
    );
    expect(seam.formatLine({ source: 'email', reason: 'r', ts: 1, headers: {} })).toBe(
      '[kora.webhook.dead_letter] source=email reason=r ts=1.000 peer_ip=- request_id=- body_bytes=- headers={}',
    );
  });

  it('escapes control characters in every field, header values included', () => {
    const line = seam.formatLine({
      ...validDetails,
      request_id: 'r\n[kora.webhook.dead_letter] source=forged',
      headers: { 'user-agent': 'ua\r\n\u2028x' },
    });
    expect(line).not.toMatch(/[\r\n\u2028]/);
    expect(line).toContain(String.raw`request_id=r\n[kora.webhook.dead_letter]\x20source=forged`);
    expect(line).toContain(String.raw`headers={'user-agent': 'ua\r\n\u2028x'}`);
  });
});

describe('webhookDeadLetterDetails', () => {
  const parses = (patch: Record<string, unknown>): boolean => webhookDeadLetterDetails.safeParse({ ...validDetails, ...patch }).success;

  it('refuses text in count and timestamp fields', () => {
    expect(parses({ body_bytes: 'hello' })).toBe(false);
    expect(parses({ body_bytes: -1 })).toBe(false);
    expect(parses({ body_bytes: 1.5 })).toBe(false);
    expect(parses({ ts: '1700000000.123' })).toBe(false);
  });

  it('refuses epoch milliseconds as ts', () => {
    expect(parses({ ts: 1700000000123 })).toBe(false);
    expect(parses({ ts: 1700000000.123 })).toBe(true);
  });

  it('accepts IPv4 and IPv6 peers and refuses anything else', () => {
    expect(parses({ peer_ip: '2001:db8::1' })).toBe(true);
    expect(parses({ peer_ip: '::ffff:203.0.113.7' })).toBe(true);
    expect(parses({ peer_ip: '' })).toBe(false);
    expect(parses({ peer_ip: 'localhost' })).toBe(false);
    expect(parses({ peer_ip: '203.0.113.7:443' })).toBe(false);
  });

  it('refuses headers outside the allow-list and untruncated signatures', () => {
    expect(parses({ headers: { authorization: 'Bearer abc' } })).toBe(false);
    expect(parses({ headers: { 'Content-Type': 'text/plain' } })).toBe(false);
    expect(parses({ headers: { 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' } })).toBe(false);
    expect(parses({ headers: { 'x-purelymail-signature': '' } })).toBe(true);
    expect(parses({ headers: { 'user-agent': 'u'.repeat(513) } })).toBe(false);
  });

  it('refuses reasons and request ids that carry text', () => {
    expect(parses({ reason: 'signature did not match' })).toBe(false);
    expect(parses({ request_id: 'two words' })).toBe(false);
    expect(parses({ source: 'sms' })).toBe(false);
  });
});
