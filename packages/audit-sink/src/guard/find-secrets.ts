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

/**
 * A regex source matching any of `words`, as a trie: `s(?:k[-_]|ecret)` rather than
 * `sk-|sk_|secret`, so the engine tries one branch per first character, not every word.
 */
function compileTrie(words: readonly string[]): string {
  const byFirst = new Map<string, string[]>();
  for (const word of words) {
    const rests = byFirst.get(word.charAt(0)) ?? [];
    rests.push(word.slice(1));
    byFirst.set(word.charAt(0), rests);
  }
  return [...byFirst]
    .map(([first, rests]) => (rests.includes('') ? escapeLiteral(first) : `${escapeLiteral(first)}(?:${compileTrie(rests)})`))
    .join('|');
}

const TRIGGERS = [...new Set(SECRET_RULES.flatMap((rule) => rule.triggers))];
// A trigger holding another (`secret` in `client_secret`) adds nothing to "is any present".
const MINIMAL_TRIGGERS = TRIGGERS.filter((trigger) => !TRIGGERS.some((other) => other !== trigger && trigger.includes(other)));
// One test over every trigger, on lower-cased text: a case-sensitive trie runs about twice as
// fast as the same words under the `i` flag, and a clean string (the common case on every
// emit) stops here. Lower-casing maps at least what `i` would, so nothing slips past.
const PREFILTER = new RegExp(compileTrie(MINIMAL_TRIGGERS));
// The same, or a backslash: text with escapes is also scanned decoded.
const MAY_HOLD_SECRET = new RegExp(`${PREFILTER.source}|\\\\`);
// A trigger holding another one is present only where that one (its witness) is.
const WITNESS = new Map(TRIGGERS.map((trigger) => [trigger, MINIMAL_TRIGGERS.find((minimal) => trigger.includes(minimal)) ?? trigger]));
const TRIGGER_SCAN = new RegExp(PREFILTER.source, 'g');
// Which rules each prefilter trigger may set off, so a hit costs the rules it concerns only.
const RULES_BY_WITNESS = new Map<string, CompiledRule[]>();
for (const rule of COMPILED) {
  for (const witness of new Set(rule.triggers.map((trigger) => WITNESS.get(trigger) ?? trigger))) {
    RULES_BY_WITNESS.set(witness, [...(RULES_BY_WITNESS.get(witness) ?? []), rule]);
  }
}

/**
 * The prefilter's triggers present in `lower`, in one pass: a search per trigger would cost as
 * many passes over the text as there are triggers. Two triggers matching at one position would
 * have to be prefixes of each other, and neither would then be minimal, so restarting one
 * character after each match finds them all.
 */
function findTriggers(lower: string): Set<string> {
  const found = new Set<string>();
  TRIGGER_SCAN.lastIndex = 0;
  for (let match = TRIGGER_SCAN.exec(lower); match !== null; match = TRIGGER_SCAN.exec(lower)) {
    found.add(match[0]);
    TRIGGER_SCAN.lastIndex = match.index + 1;
  }
  return found;
}

/**
 * Whether `text` may hold anything {@link findSecrets} finds: false guarantees it finds nothing.
 *
 * One regex test, for callers that guard many strings at once: a JSON text is clean when this
 * is false for it, since JSON escaping leaves every trigger as it is and turns the characters
 * it escapes into backslashes.
 */
export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET.test(text.toLowerCase());
}

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

/** Every match of every rule in `text`, the earlier rule winning where two overlap. */
function scanText(text: string): SecretMatch[] {
  const lower = text.toLowerCase();
  if (!PREFILTER.test(lower)) return [];
  const found = findTriggers(lower);
  const triggered = (trigger: string): boolean => {
    const witness = WITNESS.get(trigger) ?? trigger;
    return found.has(witness) && (witness === trigger || lower.includes(trigger));
  };

  const candidates = new Set<CompiledRule>();
  for (const witness of found) for (const rule of RULES_BY_WITNESS.get(witness) ?? []) candidates.add(rule);
  let accepted: SecretMatch[] = [];
  for (const rule of COMPILED) {
    if (!candidates.has(rule) || !rule.triggers.some(triggered)) continue;
    for (const pattern of rule.patterns) {
      const found = scan(rule, pattern, text);
      if (found.length > 0) accepted = accepted.length === 0 ? found : mergeByPriority(accepted, found);
    }
  }
  return accepted;
}

// The escapes our formatters write for characters they will not print (`\x20`, `\u2028`,
// `\U0001f600`, `\n`): escapeToken and the args-key printer apply them before the guard runs.
const PYTHON_ESCAPE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[ntr])/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r' };

/** `text` with its escapes decoded, and for each decoded UTF-16 unit the span it came from. */
interface DecodedText {
  readonly text: string;
  readonly from: readonly number[];
  readonly to: readonly number[];
}

/**
 * `text` with its escapes decoded, or undefined when it has none. The offset tables cost an
 * entry per character, so they are built only when asked for: most decoded text holds nothing.
 */
function decodeEscapes(text: string, withOffsets: boolean): DecodedText | undefined {
  let decoded = '';
  const from: number[] = [];
  const to: number[] = [];
  let cursor = 0;
  const copy = (start: number, end: number): void => {
    decoded += text.slice(start, end);
    if (!withOffsets) return;
    for (let index = start; index < end; index += 1) {
      from.push(index);
      to.push(index + 1);
    }
  };
  PYTHON_ESCAPE.lastIndex = 0;
  for (let match = PYTHON_ESCAPE.exec(text); match !== null; match = PYTHON_ESCAPE.exec(text)) {
    const escape = match[0];
    const codePoint = escape.length === 2 ? undefined : Number.parseInt(escape.slice(2), 16);
    if (codePoint !== undefined && codePoint > 0x10ffff) continue;
    const character = codePoint === undefined ? (SHORT_ESCAPES[escape.charAt(1)] ?? '') : String.fromCodePoint(codePoint);
    copy(cursor, match.index);
    decoded += character;
    if (withOffsets) {
      for (let unit = 0; unit < character.length; unit += 1) {
        from.push(match.index);
        to.push(match.index + escape.length);
      }
    }
    cursor = match.index + escape.length;
  }
  if (cursor === 0) return undefined;
  copy(cursor, text.length);
  return { text: decoded, from, to };
}

/** The union of two sorted, non-overlapping match lists; overlapping matches become one span. */
function unionMatches(primary: readonly SecretMatch[], secondary: readonly SecretMatch[]): SecretMatch[] {
  // A stable sort keeps `primary` first where two matches start together.
  const all = [...primary, ...secondary].sort((left, right) => left.start - right.start);
  const merged: SecretMatch[] = [];
  for (const match of all) {
    const last = merged[merged.length - 1];
    if (last === undefined || match.start >= last.end) merged.push(match);
    else if (match.end > last.end) merged[merged.length - 1] = { ...last, end: match.end };
  }
  return merged;
}

/**
 * Finds every credential and personal-data shape of `SECRET_RULES` in `text`.
 *
 * Returns non-overlapping matches sorted by start. Where two rules overlap, the one earlier in
 * the table (the more specific) wins and the other is dropped. Runs in time linear in the text;
 * a string with none of the rules' trigger substrings costs one regex test.
 *
 * Text holding Python escapes (`\x20`, `\n`, `\u00e9`) is also scanned as it reads with
 * them decoded, and those matches are mapped back over the escapes: `\x20` before a token
 * is a space, not the `0` that would hide the token's start.
 */
export function findSecrets(text: string): SecretMatch[] {
  const found = scanText(text);
  if (!text.includes('\\')) return found;
  const decoded = decodeEscapes(text, false);
  if (decoded === undefined) return found;
  const inDecoded = scanText(decoded.text);
  if (inDecoded.length === 0) return found;
  const { from, to } = decodeEscapes(text, true) ?? decoded;
  const mapped = inDecoded.map((match) => ({
    rule: match.rule,
    start: from[match.start] ?? text.length,
    end: to[match.end - 1] ?? text.length,
  }));
  return unionMatches(found, mapped);
}
