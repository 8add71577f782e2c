import { describe, expect, it } from 'vitest';
import { goldenLinesPath } from '@kora/test-support';
import { readGoldenLines } from '../testing/read-golden-lines.js';
import { findSecrets } from './find-secrets.js';
import { redactText } from './redact-text.js';
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
  // Any run of upper-case letters ending in `AKIA` and 16 more is a key id: the near-miss
  // needs a character a key cannot hold.
  'AKIA_',
  'SG.a',
  '-----BEGIN ',
  'a://b:',
  'password',
  'secret:"",',
  'hf_',
  'ghp_',
  'hooks.slack.com/services/T',
  '4111 ',
  '4111-1111-',
  '%C3',
  '%4',
  '%25',
  'eyJ-',
  'Authorization: Basic "',
  'a.eyJb',
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
      else if (typeof value === 'object' && value !== null)
        Object.entries(value).forEach(([key, item]) => (strings.push(key), collect(item)));
    };
    for (const golden of readGoldenLines(goldenLinesPath())) {
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
    expect(findSecrets(`${'4'.repeat(MEGABYTE)}`)).toEqual([]);
    expect(findSecrets(`eyJ${'A'.repeat(MEGABYTE)}`)).toEqual([]);
    expect(findSecrets(`${'%41'.repeat(MEGABYTE / 3)}`)).toEqual([]);
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

  it('treats anything after Authorization or Proxy-Authorization as a credential, Basic or Bearer', () => {
    const notUserPass = Buffer.from('FAKEtoken-without-colon').toString('base64');
    expect(redactText(`Authorization: Basic ${notUserPass}`).text).toBe('Authorization: Basic [REDACTED:basic-auth]');
    expect(redactText('Proxy-Authorization: Basic FAKE!raw').text).toBe('Proxy-Authorization: Basic [REDACTED:basic-auth]');
    expect(redactText('{"Proxy-Authorization":"Bearer x"}').text).toBe('{"Proxy-Authorization":"Bearer [REDACTED:bearer-token]"}');
    expect(redactText('{\\"authorization\\":\\"Basic FAKE\\"}').text).toBe('{\\"authorization\\":\\"Basic [REDACTED:basic-auth]\\"}');
    expect(findSecrets('Basic word')).toEqual([]);
    expect(findSecrets('the Basic scheme sends Basic credentials')).toEqual([]);
  });

  it('finds a secret whatever is glued in front of it', () => {
    const googleKey = fake('AIza', 'Sy', 'FAKE'.repeat(8), '_');
    const jwt = fake('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiJmYWtlIn0', '.', 'FAKEsig');
    const sendgrid = fake('SG.', 'FAKEFAKEFAKEFAKEFAKE00', '.', 'FAKE'.repeat(10));
    expect(redactText(`cfg_${googleKey}`).text).toBe('cfg_[REDACTED:google-api-key]');
    expect(redactText(`id_token_${jwt}`).text).toBe('id_token_[REDACTED:json-web-token]');
    expect(redactText(`eyJeyJ${jwt}`).text).toBe('eyJeyJ[REDACTED:json-web-token]');
    expect(redactText(`x_${sendgrid}`).text).toBe('x_[REDACTED:sendgrid-api-key]');
    expect(redactText(fake('inbo', 'xoxb-', '1234567890-', 'FAKEFAKEFAKEFAKE')).text).toBe('inbo[REDACTED:slack-bot-token]');
    expect(redactText(fake('HTTP_AUTHORIZATION=Bearer ', 'FAKE')).text).toBe('HTTP_AUTHORIZATION=Bearer [REDACTED:bearer-token]');
    expect(redactText(fake('xpostgres://app:', 'FAKEpw', '@db')).text).toBe('xpostgres://app:[REDACTED:url-password]@db');
  });

  it('redacts an e-mail address after a run of 65 or more local-part characters, up to 64 of them', () => {
    const text = `${'a'.repeat(100)}.ops@example.com`;
    expect(findSecrets(text)).toEqual([{ rule: 'email-address', start: text.indexOf('@') - 64, end: text.length }]);
    expect(findSecrets(`${'a'.repeat(100_000)}@example.com`)).toHaveLength(1);
  });

  it('sees through %XX escapes and redacts the escaped span', () => {
    expect(redactText('to=ops%40example.com&x=1').text).toBe('to=[REDACTED:email-address]&x=1');
    expect(redactText('Authorization=Bearer%20FAKEtoken0123').text).toBe('Authorization=Bearer%20[REDACTED:bearer-token]');
    const token = fake('xoxb-', '1234567890-', 'FAKEFAKEFAKEFAKE');
    const escaped = [...Buffer.from(token)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
    expect(findSecrets(`t=${escaped};`)).toEqual([{ rule: 'slack-bot-token', start: 2, end: 2 + escaped.length }]);
    // Encoded twice, as a URL inside a query parameter is.
    expect(redactText('next=ops%2540example.com').text).toBe('next=[REDACTED:email-address]');
    expect(redactText('4111%201111%201111%201111').text).toBe('[REDACTED:payment-card]');
  });

  it('reads malformed UTF-8 escapes as U+FFFD and still finds what touches them', () => {
    expect(redactText('%C3ops%40example.com').text).toBe('%C3[REDACTED:email-address]');
    expect(redactText('%C3%A9 ops%40example.com').text).toBe('%C3%A9 [REDACTED:email-address]');
    expect(redactText('%E0%80%AF %ED%A0%80 %F4%90%80%80 %FF ops%40example.com').text).toBe(
      '%E0%80%AF %ED%A0%80 %F4%90%80%80 %FF [REDACTED:email-address]',
    );
    expect(redactText('%C3%34%31%31%31%31%31%31%31%31%31%31%31%31%31%31%31').text).toBe('%C3[REDACTED:payment-card]');
    expect(findSecrets('%C3 %e9 %zz %4 100% 50%off')).toEqual([]);
  });

  it('redacts a base64 run of JSON holding a secret, whole, and leaves clean ones alone', () => {
    const wrapped = Buffer.from(JSON.stringify({ user: 'ops', password: 'hunter2' })).toString('base64');
    expect(redactText(`state=${wrapped}&x=1`).text).toBe('state=[REDACTED:password-assignment]&x=1');
    const urlSafe = Buffer.from(JSON.stringify({ to: 'ops@example.com', pad: '??>>' })).toString('base64url');
    expect(redactText(`t_${urlSafe}`).text).toBe('t_[REDACTED:email-address]');
    const clean = Buffer.from(JSON.stringify({ page: 2, sort: 'name' })).toString('base64');
    expect(findSecrets(`cursor=${clean}`)).toEqual([]);
    // Not a JWT's header, which the JWT rule reports as such.
    const jwt = fake('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiJmYWtlIn0', '.', 'FAKEsig');
    expect(findSecrets(jwt).map((match) => match.rule)).toEqual(['json-web-token']);
  });

  it('finds payment card numbers where a header or an id carries one', () => {
    expect(redactText('Mozilla/5.0 (X11; 4111 1111 1111 1111) Gecko').text).toBe('Mozilla/5.0 (X11; [REDACTED:payment-card]) Gecko');
    expect(redactText('req-5555-5555-5555-4444').text).toBe('req-[REDACTED:payment-card]');
    expect(redactText('C4111111111111111').text).toBe('C[REDACTED:payment-card]');
    expect(redactText('amex 3782 822463 10005.').text).toBe('amex [REDACTED:payment-card].');
    expect(findSecrets('ts=1733450000123 id=1700000000.000100 tel=+1 415 555 2671 n=4111111111111112')).toEqual([]);
  });

  it('finds a password in JSON text inside a JSON string inside another, its quotes escaped three times', () => {
    const nested = JSON.stringify({ outer: JSON.stringify({ inner: JSON.stringify({ password: 'FAKEpw-nested' }) }) });
    const [match] = findSecrets(nested);
    expect(match?.rule).toBe('password-assignment');
    expect(nested.slice(match?.start, match?.end)).toBe('FAKEpw-nested');
  });

  it('returns nothing for the empty string', () => {
    expect(findSecrets('')).toEqual([]);
  });
});
