// Derives guard rules from gitleaks' rule set (https://github.com/gitleaks/gitleaks, MIT licence,
// copyright (c) 2019 Zachary Rice).
//
//   pnpm --filter @kora/audit-sink derive:gitleaks path/to/gitleaks.toml           # candidates
//   pnpm --filter @kora/audit-sink derive:gitleaks path/to/gitleaks.toml --check   # drift check
//
// The first form prints each prefix-anchored gitleaks rule as a `SecretRule` candidate: its
// keywords as triggers, its regex translated to JavaScript with every quantifier bounded and no
// boundary before its literal prefix. A candidate is a starting point, not a rule: `credential-family-rules.ts`
// is the source of truth, written and reviewed by hand (triggers chosen for the prefilter, FAKE
// examples, look-alikes). The second form checks those committed families against the gitleaks
// rules they were derived from (`gitleaks-derived-families.ts`) and exits 1 on drift. Nothing is
// downloaded: pass the `config/gitleaks.toml` of the gitleaks release to compare with.
import { readFileSync } from 'node:fs';
import { CREDENTIAL_FAMILY_RULES } from '../guard/credential-family-rules.js';
import { SECRET_RULES } from '../guard/secret-rules.js';
import { checkDerivedFamilies } from './check-derived-families.js';
import { GITLEAKS_DERIVED_FAMILIES } from './gitleaks-derived-families.js';
import { parseGitleaksToml } from './parse-gitleaks-toml.js';
import type { GitleaksRule } from './parse-gitleaks-toml.js';
import { leadingLiteral, translateGitleaksRegex } from './translate-gitleaks-regex.js';

/** A candidate as TypeScript source to paste and edit, or why the rule has none. */
function describeCandidate(rule: GitleaksRule, covered: ReadonlySet<string>): { source: string } | { skipped: string } {
  if (rule.regex === undefined) return { skipped: 'no regex (a path rule)' };
  let translated: string;
  try {
    translated = translateGitleaksRegex(rule.regex);
  } catch (error) {
    return { skipped: (error as Error).message };
  }
  if (leadingLiteral(translated).length < 3)
    return { skipped: 'no literal prefix of 3 or more characters (gitleaks finds it near a vendor name, or by shape alone)' };
  // gitleaks' `\b` refuses a word character before the prefix; the guard has no boundary there,
  // so nothing glued in front (`cfg_`, `x`) hides a secret.
  const pattern = translated.replace(/^\\b/, '').replace(/(?<!\\)\//g, '\\/');
  const note = covered.has(rule.id) ? '  // already covered by a committed rule' : '';
  return {
    source: [
      `  {${note}`,
      `    id: '${rule.id}',`,
      `    description: ${JSON.stringify(rule.description)},`,
      `    triggers: ${JSON.stringify(rule.keywords)},`,
      `    patterns: [/${pattern}/],`,
      `    examples: { positive: [], negative: [] },`,
      `  },`,
    ].join('\n'),
  };
}

const [path, ...flags] = process.argv.slice(2);
if (path === undefined || flags.some((flag) => flag !== '--check')) {
  process.stderr.write('usage: derive-gitleaks-rules <gitleaks.toml> [--check]\n');
  process.exit(2);
}
const gitleaks = parseGitleaksToml(readFileSync(path, 'utf8'));
if (flags.includes('--check')) {
  const problems = checkDerivedFamilies(gitleaks, CREDENTIAL_FAMILY_RULES, GITLEAKS_DERIVED_FAMILIES);
  for (const problem of problems) process.stdout.write(`${problem.kind}: ${problem.family} ← ${problem.gitleaksId}: ${problem.detail}\n`);
  const checked = Object.values(GITLEAKS_DERIVED_FAMILIES).flat().length;
  process.stdout.write(`${checked - problems.length} of ${checked} gitleaks rules still accept a committed positive\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}
const covered = new Set([...Object.values(GITLEAKS_DERIVED_FAMILIES).flat(), ...SECRET_RULES.map((rule) => rule.id)]);
let skipped = 0;
process.stdout.write(`// Candidates derived from gitleaks (MIT, copyright Zachary Rice): review each before use.\n`);
for (const rule of gitleaks) {
  const candidate = describeCandidate(rule, covered);
  if ('source' in candidate) process.stdout.write(`${candidate.source}\n`);
  else {
    skipped += 1;
    process.stderr.write(`skipped ${rule.id}: ${candidate.skipped}\n`);
  }
}
process.stderr.write(`${gitleaks.length - skipped} candidates, ${skipped} rules skipped\n`);
