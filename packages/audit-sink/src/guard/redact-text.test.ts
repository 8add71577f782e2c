import { describe, expect, it } from 'vitest';
import { redactText } from './redact-text.js';
import { SECRET_RULES } from './secret-rules.js';

const fake = (...parts: string[]): string => parts.join('');

describe('redactText', () => {
  it('replaces each secret with its rule id and keeps the text around it', () => {
    const token = fake('xoxb-', '1234567890-', 'FAKEFAKEFAKEFAKE');
    const result = redactText(`sent by ops@example.com with ${token}, cc ${'dev'}@example.org`);
    expect(result.text).toBe('sent by [REDACTED:email-address] with [REDACTED:slack-bot-token], cc [REDACTED:email-address]');
    expect(result.rules).toEqual(['email-address', 'slack-bot-token']);
  });

  it('keeps the scheme of an authorization and the label of an assignment', () => {
    expect(redactText('Authorization: Bearer x').text).toBe('Authorization: Bearer [REDACTED:bearer-token]');
    expect(redactText('{"password":"correct horse"}').text).toBe('{"password":"[REDACTED:password-assignment]"}');
    expect(redactText(fake('postgres://app:', 'FAKEpw', '@db:5432/app')).text).toBe('postgres://app:[REDACTED:url-password]@db:5432/app');
  });

  it('returns the same string and no rules when nothing matched', () => {
    const text = `kora__create_sea_ticket ${'x'.repeat(10)}`;
    const result = redactText(text);
    expect(result.text).toBe(text);
    expect(result.rules).toEqual([]);
  });

  it('finds nothing more in text it already redacted', () => {
    for (const rule of SECRET_RULES) {
      for (const positive of rule.examples.positive) {
        const once = redactText(positive);
        expect(once.rules, positive).toContain(rule.id);
        expect(redactText(once.text).rules, once.text).toEqual([]);
      }
    }
  });
});
