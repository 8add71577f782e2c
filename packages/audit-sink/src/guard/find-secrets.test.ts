import { describe, expect, it } from 'vitest';
import { readGoldenLines } from '../testing/read-golden-lines.js';
import { findSecrets } from './find-secrets.js';
import { SECRET_RULES } from './secret-rules.js';

const fake = (...parts: string[]): string => parts.join('');

/** Strings that look a little like secrets or personal data and must pass the guard untouched. */
const LOOK_ALIKES = [
  'icon@2x.png',
  'user@localhost',
  'desk-ant-farm',
  'skip-ant',
  'bearer_token_missing',
  'password_reset_requested',
  'password=',
  '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  'D01CHAN01',
  'C0123ABCD',
  '1700000000.000100',
  'v0=a2114d57b...(truncated)',
  'sha256=00112...(truncated)',
  'kora__create_sea_ticket',
  'slack_api:invalid_auth',
  'transport:503',
  'denied:missing_capability',
  'error:TypeError',
  '203.0.113.7',
  '2001:db8::1',
  '2024-05-01T12:34:56.789Z',
  '2024-05-01T12:34:56+02:00',
];

const cases = SECRET_RULES.flatMap((rule) => [
  ...rule.examples.positive.map((text) => ({ id: rule.id, kind: 'positive', text })),
  ...rule.examples.negative.map((text) => ({ id: rule.id, kind: 'negative', text })),
]);

// Near-miss fragments: each triggers the prefilter and starts a match attempt everywhere.
const MEGABYTE = 1 << 20;
const ADVERSARIAL = [
  'aaaa@',
  'a@b.',
  'sk-',
  'sk-ant- ',
  'xoxb',
  'eyJ',
  'eyJa.',
  'Bearer ',
  'Basic ',
  'AKIA',
  'SG.a',
  '-----BEGIN ',
  'a://b:',
  'password',
  'secret:"",',
  'hf_',
  'ghp_',
  'hooks.slack.com/services/T',
];

describe('findSecrets', () => {
  it.each(cases.filter((entry) => entry.kind === 'positive'))('finds $id in $text', ({ id, text }) => {
    expect(findSecrets(text).map((match) => match.rule)).toContain(id);
  });

  it.each(cases.filter((entry) => entry.kind === 'negative'))('leaves the $id look-alike $text clean', ({ text }) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it.each(LOOK_ALIKES)('leaves %s clean under every rule', (text) => {
    expect(findSecrets(text)).toEqual([]);
    expect(findSecrets(`note: ${text} (seen twice: ${text})`)).toEqual([]);
  });

  it('leaves every golden line value clean', () => {
    const strings: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') strings.push(value);
      else if (typeof value === 'object' && value !== null) Object.entries(value).forEach(([key, item]) => (strings.push(key), collect(item)));
    };
    for (const golden of readGoldenLines()) {
      collect(golden.details);
      collect(golden.caller_session_id);
    }
    expect(strings.length).toBeGreaterThan(50);
    expect(strings.filter((text) => findSecrets(text).length > 0)).toEqual([]);
  });

  it('reports the offsets of the secret, leaving labels and schemes outside', () => {
    const token = fake('xoxb-', '1234567890-', 'FAKEFAKEFAKEFAKE');
    const text = `Authorization: Bearer ${token} and password=hunter2!`;
    expect(findSecrets(text)).toEqual([
      { rule: 'slack-bot-token', start: 22, end: 22 + token.length },
      { rule: 'password-assignment', start: text.indexOf('hunter2!'), end: text.length },
    ]);
  });

  it('prefers the more specific rule where two rules overlap', () => {
    const jwt = fake('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiJmYWtlIn0', '.', 'FAKEsig');
    expect(findSecrets(`Bearer ${jwt}`).map((match) => match.rule)).toEqual(['json-web-token']);
    expect(findSecrets(fake('xoxe.', 'xoxp-1-', 'FAKEFAKEFAKEFAKE')).map((match) => match.rule)).toEqual(['slack-config-token']);
    expect(findSecrets(fake('sk-ant-', 'oat01-', 'FAKEFAKEFAKEFAKE')).map((match) => match.rule)).toEqual(['anthropic-oauth-token']);
    expect(findSecrets(fake('sk-ant-', 'admin01-', 'FAKEFAKEFAKEFAKE')).map((match) => match.rule)).toEqual(['anthropic-admin-key']);
    expect(findSecrets(fake('https://bot:', 'FAKEpass', '@example.com')).map((match) => match.rule)).toEqual(['url-password']);
    expect(findSecrets(fake('secret=', 'sk_live_', 'FAKEFAKEFAKEFAKE')).map((match) => match.rule)).toEqual(['stripe-secret-key']);
  });

  it('returns non-overlapping matches sorted by start', () => {
    const text = SECRET_RULES.flatMap((rule) => rule.examples.positive).join(' | ');
    const matches = findSecrets(text);
    expect(new Set(matches.map((match) => match.rule)).size).toBe(SECRET_RULES.length);
    for (let index = 1; index < matches.length; index += 1) {
      expect(matches[index]!.start).toBeGreaterThanOrEqual(matches[index - 1]!.end);
    }
  });

  it('recognises Basic credentials only when they decode to user:pass', () => {
    const encoded = (text: string): string => Buffer.from(text).toString('base64');
    expect(findSecrets(`Basic ${encoded('ops:FAKEpass')}`)).toHaveLength(1);
    expect(findSecrets(`Basic ${encoded('opsFAKEpass')}`)).toEqual([]);
    expect(findSecrets(`Basic Basic ${encoded('ops:FAKEpass')}`).map((match) => match.rule)).toEqual(['basic-auth']);
  });

  it.each(ADVERSARIAL)('scans a megabyte of %j near-misses in linear time', (fragment) => {
    const text = fragment.repeat(Math.ceil(MEGABYTE / fragment.length));
    expect(findSecrets(text)).toEqual([]);
  });

  it('scans a megabyte-long run before its only trigger', () => {
    expect(findSecrets(`${'a'.repeat(MEGABYTE)}@`)).toEqual([]);
    expect(findSecrets(`eyJ${'A'.repeat(MEGABYTE)}`)).toEqual([]);
    expect(findSecrets(`https://${'a'.repeat(MEGABYTE)}:x`)).toEqual([]);
  });

  it('finds every secret in a megabyte dense with them', () => {
    const email = 'ops@example.com ';
    expect(findSecrets(email.repeat(MEGABYTE / email.length))).toHaveLength(MEGABYTE / email.length);
  });

  it('sees through the Python escapes the formatters write before the guard runs', () => {
    // escapeToken writes a space as `\x20`: the `0` must not hide where the token starts.
    const token = fake('xoxb-', '1234567890-', 'FAKEFAKEFAKEFAKE');
    const escaped = `run\\x20${token}\\x0a`;
    expect(findSecrets(escaped)).toEqual([{ rule: 'slack-bot-token', start: 7, end: 7 + token.length }]);
    expect(findSecrets(`a\\n${token}`).map((match) => match.rule)).toEqual(['slack-bot-token']);
    // A match that needs the decoded character covers the escape in the original text.
    const bearer = 'Bearer\\x20FAKEtoken0123';
    expect(findSecrets(bearer)).toEqual([{ rule: 'bearer-token', start: 10, end: bearer.length }]);
    expect(findSecrets(String.raw`C:\x41\new`)).toEqual([]);
  });

  it('returns nothing for the empty string', () => {
    expect(findSecrets('')).toEqual([]);
  });
});
