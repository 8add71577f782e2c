import { describe, expect, it } from 'vitest';
import { CREDENTIAL_FAMILY_RULES } from './credential-family-rules.js';
import { findSecrets } from './find-secrets.js';
import { SECRET_RULES } from './secret-rules.js';

const fake = (...parts: string[]): string => parts.join('');
const familyIds = new Set(CREDENTIAL_FAMILY_RULES.map((rule) => rule.id));
const olderRules = SECRET_RULES.filter((rule) => !familyIds.has(rule.id));

/** Every match of `rule`'s own patterns in `text`, as the whole regex matched it. */
function ownMatches(rule: (typeof SECRET_RULES)[number], text: string): string[] {
  return rule.patterns.flatMap((pattern) => [...text.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))].map((match) => match[0]));
}

describe('CREDENTIAL_FAMILY_RULES', () => {
  it('puts the credential families the guard promises into the table the sink and the scanner use', () => {
    const tableIds = new Set(SECRET_RULES.map((rule) => rule.id));
    for (const id of [
      'twilio-api-key',
      'pypi-upload-token',
      'vault-token',
      'sentry-token',
      'grafana-token',
      'doppler-token',
      'digitalocean-token',
      'linear-api-key',
      'shopify-token',
      'databricks-token',
      'telegram-bot-token',
      'azure-storage-key',
      'gcp-service-account-key-id',
      'api-token-assignment',
    ]) {
      expect(tableIds).toContain(id);
    }
  });

  it('sits in SECRET_RULES after the prefix-anchored rules and before the generic ones', () => {
    const ids = SECRET_RULES.map((rule) => rule.id);
    const first = ids.indexOf(CREDENTIAL_FAMILY_RULES[0]!.id);
    expect(ids.slice(first, first + CREDENTIAL_FAMILY_RULES.length)).toEqual([...familyIds]);
    expect(first).toBeGreaterThan(ids.indexOf('sendgrid-api-key'));
    for (const generic of [
      'private-key',
      'json-web-token',
      'url-password',
      'basic-auth',
      'bearer-token',
      'password-assignment',
      'email-address',
    ]) {
      expect(ids.indexOf(generic), generic).toBeGreaterThan(first + CREDENTIAL_FAMILY_RULES.length - 1);
    }
  });

  it('gives every rule of the whole table a unique id', () => {
    const ids = SECRET_RULES.map((rule) => rule.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('puts a lower-case trigger inside every match of every positive, not just somewhere in it', () => {
    for (const rule of CREDENTIAL_FAMILY_RULES) {
      for (const trigger of rule.triggers) expect(trigger, rule.id).toBe(trigger.toLowerCase());
      for (const positive of rule.examples.positive) {
        const matches = ownMatches(rule, positive);
        expect(matches.length, `${rule.id}: ${positive}`).toBeGreaterThan(0);
        for (const match of matches) {
          expect(
            rule.triggers.some((trigger) => match.toLowerCase().includes(trigger)),
            `${rule.id}: ${match}`,
          ).toBe(true);
        }
      }
    }
  });

  it('starts every trigger with a character the older rules already start one with', () => {
    // The prefilter regex stays fast only while its triggers start with few distinct characters
    // (see the note in credential-family-rules.ts): a family must not add a new one.
    // A trigger holding another one (`ops_eyj` holds `eyj`) never reaches the prefilter.
    const all = SECRET_RULES.flatMap((rule) => rule.triggers);
    const reaches = (trigger: string): boolean => !all.some((other) => other !== trigger && trigger.includes(other));
    const firsts = new Set(olderRules.flatMap((rule) => rule.triggers.filter(reaches).map((trigger) => trigger.charAt(0))));
    for (const rule of CREDENTIAL_FAMILY_RULES) {
      for (const trigger of rule.triggers.filter(reaches)) expect(firsts.has(trigger.charAt(0)), `${rule.id}: ${trigger}`).toBe(true);
    }
  });

  it('redacts the value of an assignment and leaves the key readable', () => {
    const value = fake('FAKE', '0123456789abcdef', 'Z');
    const text = `GITHUB_TOKEN=${value} api_key: "${value}"`;
    expect(findSecrets(text)).toEqual([
      { rule: 'api-token-assignment', start: 'GITHUB_TOKEN='.length, end: 'GITHUB_TOKEN='.length + value.length },
      { rule: 'api-token-assignment', start: text.lastIndexOf(value), end: text.lastIndexOf(value) + value.length },
    ]);
  });

  it('names a family before the generic assignment or authorization that carries it', () => {
    const hex = '0123456789abcdef'.repeat(4);
    expect(findSecrets(fake('DIGITALOCEAN_TOKEN=', 'dop_', 'v1_', hex)).map((match) => match.rule)).toEqual(['digitalocean-token']);
    expect(findSecrets(fake('Authorization: Bearer ', 'dop_', 'v1_', hex)).map((match) => match.rule)).toEqual(['digitalocean-token']);
    expect(findSecrets(fake('client_secret=', 'shpss_', hex.slice(0, 32))).map((match) => match.rule)).toEqual(['shopify-token']);
  });

  it('leaves a JSON Web Token after token= to the rule that names it', () => {
    const jwt = fake('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiJmYWtlIn0', '.', 'FAKEsignatureFAKE');
    expect(findSecrets(`id_token=${jwt}`).map((match) => match.rule)).toEqual(['json-web-token']);
  });

  it('finds an assignment after a long run of low-entropy values in linear time', () => {
    // A rejected value must not make the scan restart inside it for every character.
    const text = 'token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 '.repeat(30_000);
    expect(findSecrets(text)).toEqual([]);
    expect(findSecrets(`token=${'a'.repeat(1 << 20)}1`)).toEqual([]);
  });
});

// Near-misses built from each family's triggers: each starts a match attempt and fails late.
const MEGABYTE = 1 << 20;
const NEAR_MISSES = CREDENTIAL_FAMILY_RULES.flatMap((rule) =>
  rule.triggers.flatMap((trigger) => [`${trigger} `, `SK${trigger}${'0a'.repeat(20)}-`, `x${trigger.toUpperCase()}${'Fa1'.repeat(30)}:`]),
);

describe('the credential families on hostile text', () => {
  it.each(NEAR_MISSES)('scans a megabyte of %j near-misses in linear time', (fragment) => {
    const text = fragment.repeat(Math.ceil(MEGABYTE / fragment.length));
    findSecrets(text);
  });
});
