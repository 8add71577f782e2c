import type { SecretMatch } from './guard-types.js';
import { SECRET_RULES } from './secret-rules.js';
import type { SecretRule } from './secret-rules.js';

interface CompiledPattern {
  readonly regex: RegExp;
  /** Whether the secret is a capturing group rather than the whole match. */
  readonly grouped: boolean;
}

interface CompiledRule {
  readonly id: string;
  readonly triggers: readonly string[];
  readonly patterns: readonly CompiledPattern[];
  readonly accept: SecretRule['accept'];
}

function countGroups(pattern: RegExp): number {
  // An empty alternative always matches, and the result has one slot per capturing group.
  return (new RegExp(`${pattern.source}|`, pattern.flags.replace(/[gyd]/g, '')).exec('')?.length ?? 1) - 1;
}

function compile(pattern: RegExp): CompiledPattern {
  const grouped = countGroups(pattern) > 0;
  // `d` (match indices) only where needed: it makes every match allocate an index table.
  const flags = `${pattern.flags.replace(/[gyd]/g, '')}g${grouped ? 'd' : ''}`;
  return { regex: new RegExp(pattern.source, flags), grouped };
}

const COMPILED: readonly CompiledRule[] = SECRET_RULES.map((rule) => ({
  id: rule.id,
  triggers: rule.triggers,
  patterns: rule.patterns.map(compile),
  accept: rule.accept,
}));

const escapeLiteral = (literal: string): string => literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

// One test over every trigger: a clean string, the common case on every emit, stops here.
const PREFILTER = new RegExp([...new Set(SECRET_RULES.flatMap((rule) => rule.triggers))].map(escapeLiteral).join('|'), 'i');

function scan(rule: CompiledRule, pattern: CompiledPattern, text: string): SecretMatch[] {
  const { regex } = pattern;
  const found: SecretMatch[] = [];
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    let start = match.index;
    let end = start + match[0].length;
    if (end === start) {
      regex.lastIndex = end + 1;
      continue;
    }
    if (pattern.grouped && match.indices !== undefined) {
      for (let group = 1; group < match.indices.length; group += 1) {
        const span = match.indices[group];
        if (span !== undefined) {
          [start, end] = span;
          break;
        }
      }
    }
    if (rule.accept !== undefined && !rule.accept(text.slice(start, end), match[0])) {
      // A rejected candidate must not hide a real one that starts inside it.
      regex.lastIndex = match.index + 1;
      continue;
    }
    found.push({ rule: rule.id, start, end });
  }
  return found;
}

/** Adds lower-priority candidates that do not overlap any accepted match; both lists are sorted. */
function mergeByPriority(accepted: readonly SecretMatch[], candidates: readonly SecretMatch[]): SecretMatch[] {
  const merged: SecretMatch[] = [];
  let index = 0;
  for (const candidate of candidates) {
    for (let next = accepted[index]; next !== undefined && next.end <= candidate.start; next = accepted[index]) {
      merged.push(next);
      index += 1;
    }
    const next = accepted[index];
    if (next !== undefined && next.start < candidate.end) continue;
    merged.push(candidate);
  }
  for (; index < accepted.length; index += 1) merged.push(accepted[index] as SecretMatch);
  return merged;
}

/**
 * Finds every credential and personal-data shape of `SECRET_RULES` in `text`.
 *
 * Returns non-overlapping matches sorted by start. Where two rules overlap, the one earlier in
 * the table (the more specific) wins and the other is dropped. Runs in time linear in the text;
 * a string with none of the rules' trigger substrings costs one regex test.
 */
export function findSecrets(text: string): SecretMatch[] {
  if (!PREFILTER.test(text)) return [];
  const lower = text.toLowerCase();
  const present = new Map<string, boolean>();
  const triggered = (trigger: string): boolean => {
    let seen = present.get(trigger);
    if (seen === undefined) {
      seen = lower.includes(trigger);
      present.set(trigger, seen);
    }
    return seen;
  };

  let accepted: SecretMatch[] = [];
  for (const rule of COMPILED) {
    if (!rule.triggers.some(triggered)) continue;
    for (const pattern of rule.patterns) {
      const found = scan(rule, pattern, text);
      if (found.length > 0) accepted = accepted.length === 0 ? found : mergeByPriority(accepted, found);
    }
  }
  return accepted;
}
