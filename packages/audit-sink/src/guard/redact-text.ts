import { findSecrets } from './find-secrets.js';

/**
 * Replaces every secret `findSecrets` finds in `text` with `[REDACTED:<rule-id>]`.
 *
 * `rules` lists the distinct rule ids hit, in order of first appearance. When nothing matched,
 * `text` is returned as given, so callers can detect a change with `!==`.
 */
export function redactText(text: string): { text: string; rules: string[] } {
  const matches = findSecrets(text);
  if (matches.length === 0) return { text, rules: [] };
  const rules = new Set<string>();
  let redacted = '';
  let cursor = 0;
  for (const match of matches) {
    redacted += `${text.slice(cursor, match.start)}[REDACTED:${match.rule}]`;
    cursor = match.end;
    rules.add(match.rule);
  }
  return { text: redacted + text.slice(cursor), rules: [...rules] };
}
