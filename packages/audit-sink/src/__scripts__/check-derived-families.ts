import type { SecretRule } from '../guard/secret-rules.js';
import type { GitleaksRule } from './parse-gitleaks-toml.js';
import { translateGitleaksRegex } from './translate-gitleaks-regex.js';

/** One way a committed family has drifted from the gitleaks rule it was derived from. */
export interface DerivationProblem {
  readonly family: string;
  readonly gitleaksId: string;
  /** `gone`: no such gitleaks rule; `drift`: it accepts none of the family's positives; `untranslatable`. */
  readonly kind: 'gone' | 'drift' | 'untranslatable';
  readonly detail: string;
}

/**
 * Checks committed families against gitleaks: every gitleaks rule a family names in `derivedFrom`
 * must exist and, translated, match at least one of the family's positive examples. A format
 * gitleaks changed (a new length, a new prefix) then shows up as drift to review by hand.
 */
export function checkDerivedFamilies(
  gitleaks: readonly GitleaksRule[],
  families: readonly SecretRule[],
  derivedFrom: Readonly<Record<string, readonly string[]>>,
): DerivationProblem[] {
  const byId = new Map(gitleaks.map((rule) => [rule.id, rule]));
  const problems: DerivationProblem[] = [];
  for (const [family, gitleaksIds] of Object.entries(derivedFrom)) {
    const rule = families.find((candidate) => candidate.id === family);
    if (rule === undefined) throw new Error(`checkDerivedFamilies: no committed rule '${family}'`);
    for (const gitleaksId of gitleaksIds) {
      const source = byId.get(gitleaksId)?.regex;
      if (source === undefined) {
        problems.push({ family, gitleaksId, kind: 'gone', detail: 'no such rule with a regex in this gitleaks configuration' });
        continue;
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(translateGitleaksRegex(source));
      } catch (error) {
        problems.push({ family, gitleaksId, kind: 'untranslatable', detail: (error as Error).message });
        continue;
      }
      if (!rule.examples.positive.some((positive) => pattern.test(positive))) {
        problems.push({
          family,
          gitleaksId,
          kind: 'drift',
          detail: `accepts none of the ${rule.examples.positive.length} positives: ${source}`,
        });
      }
    }
  }
  return problems;
}
