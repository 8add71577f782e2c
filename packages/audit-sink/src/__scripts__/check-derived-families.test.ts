import { describe, expect, it } from 'vitest';
import type { SecretRule } from '../guard/secret-rules.js';
import { CREDENTIAL_FAMILY_RULES } from '../guard/credential-family-rules.js';
import { checkDerivedFamilies } from './check-derived-families.js';
import { GITLEAKS_DERIVED_FAMILIES } from './gitleaks-derived-families.js';
import type { GitleaksRule } from './parse-gitleaks-toml.js';

const gitleaksRule = (id: string, regex: string): GitleaksRule => ({ id, description: '', regex, keywords: [], entropy: undefined });
const family: SecretRule = {
  id: 'example-token',
  description: 'An example token.',
  triggers: ['exm_'],
  patterns: [/exm_[a-f0-9]{8}/],
  examples: { positive: ['exm_0123abcd'], negative: [] },
};

describe('checkDerivedFamilies', () => {
  it('passes a family whose positives the gitleaks rule still accepts', () => {
    const gitleaks = [gitleaksRule('example', String.raw`\b(exm_[a-f0-9]{8})(?:[\x60'"\s;]|\\[nr]|$)`)];
    expect(checkDerivedFamilies(gitleaks, [family], { 'example-token': ['example'] })).toEqual([]);
  });

  it('reports drift when gitleaks changed the format, and a gitleaks rule that is gone', () => {
    const gitleaks = [gitleaksRule('example', String.raw`\b(exm_[a-f0-9]{12})\b`)];
    expect(
      checkDerivedFamilies(gitleaks, [family], { 'example-token': ['example', 'example-v2'] }).map((problem) => [
        problem.kind,
        problem.gitleaksId,
      ]),
    ).toEqual([
      ['drift', 'example'],
      ['gone', 'example-v2'],
    ]);
  });

  it('names only committed families and gitleaks rules with a regex', () => {
    const ids = new Set(CREDENTIAL_FAMILY_RULES.map((rule) => rule.id));
    for (const [familyId, gitleaksIds] of Object.entries(GITLEAKS_DERIVED_FAMILIES)) {
      expect(ids, familyId).toContain(familyId);
      expect(gitleaksIds.length, familyId).toBeGreaterThan(0);
    }
  });
});
