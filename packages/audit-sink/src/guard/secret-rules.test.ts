import { describe, expect, it } from 'vitest';
import { SECRET_RULES } from './secret-rules.js';

describe('SECRET_RULES', () => {
  it('gives every rule a unique kebab-case id and a one-sentence description', () => {
    const ids = SECRET_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of SECRET_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(rule.description).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('covers every credential family the guard promises', () => {
    const ids = new Set(SECRET_RULES.map((rule) => rule.id));
    for (const id of [
      'slack-bot-token',
      'slack-user-token',
      'slack-app-token',
      'slack-config-token',
      'slack-refresh-token',
      'slack-webhook-url',
      'anthropic-oauth-token',
      'anthropic-admin-key',
      'anthropic-api-key',
      'bearer-token',
      'aws-access-key-id',
      'aws-temporary-access-key-id',
      'aws-secret-access-key',
      'email-address',
      'github-token',
      'openai-api-key',
      'stripe-secret-key',
      'stripe-restricted-key',
      'stripe-webhook-secret',
      'google-api-key',
      'json-web-token',
      'private-key',
      'url-password',
      'npm-token',
      'gitlab-token',
      'sendgrid-api-key',
      'huggingface-token',
      'basic-auth',
      'password-assignment',
      'payment-card',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('gives every rule true positives, look-alikes and lower-case triggers or a run trigger', () => {
    for (const rule of SECRET_RULES) {
      expect(rule.examples.positive.length, rule.id).toBeGreaterThan(0);
      expect(rule.examples.negative.length, rule.id).toBeGreaterThan(0);
      expect(rule.triggers.length > 0 || rule.runTrigger !== undefined, rule.id).toBe(true);
      for (const trigger of rule.triggers) expect(trigger).toBe(trigger.toLowerCase());
    }
  });

  it('puts a trigger in every positive, so the prefilter never skips a real secret', () => {
    for (const rule of SECRET_RULES) {
      for (const positive of rule.examples.positive) {
        const lower = positive.toLowerCase();
        expect(
          rule.triggers.some((trigger) => lower.includes(trigger)) ||
            (rule.runTrigger !== undefined && new RegExp(`${rule.runTrigger.characters.source}{${rule.runTrigger.length}}`).test(positive)),
          `${rule.id}: ${positive}`,
        ).toBe(true);
      }
    }
  });

  it('declares patterns without stateful flags', () => {
    for (const rule of SECRET_RULES) {
      for (const pattern of [...rule.patterns, ...(rule.runTrigger === undefined ? [] : [rule.runTrigger.characters])])
        expect(pattern.flags, rule.id).not.toMatch(/[gy]/);
    }
  });
});
