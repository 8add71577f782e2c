import { decodePercentEscapes } from './decode-percent-escapes.js';
import { decodePythonEscapes } from './decode-python-escapes.js';
import { decodeBase64, findBase64JsonRuns } from './find-base64-json-runs.js';
import type { DecodedText, SecretMatch } from './guard-types.js';
import { compileRunCharacters, hasCharacterRun } from './has-character-run.js';
import { SECRET_RULES } from './secret-rules.js';
import type { SecretRule } from './secret-rules.js';

interface CompiledPattern {
  readonly regex: RegExp;
  /** The unnamed capturing groups, by number: the first that took part is the secret. */
  readonly secretGroups: readonly number[];
  /** Whether a group named `from` moves the secret's start back. */
  readonly extendsBack: boolean;
}

interface CompiledRule {
  readonly id: string;
  readonly triggers: readonly string[];
  readonly run: { readonly characters: Uint8Array; readonly length: number } | undefined;
  readonly patterns: readonly CompiledPattern[];
  readonly accept: SecretRule['accept'];
}

/** For each capturing group of `source`, in order, its name, or undefined when it has none. */
function readGroups(source: string): (string | undefined)[] {
  const groups: (string | undefined)[] = [];
  let inClass = false;
  for (let index = 0; index < source.length; index += 1) {
    const character = source.charAt(index);
    if (character === '\\') index += 1;
    else if (inClass) inClass = character !== ']';
    else if (character === '[') inClass = true;
    else if (character === '(') {
      if (source.charAt(index + 1) !== '?') groups.push(undefined);
      else if (/^\?<[A-Za-z_$]/.test(source.slice(index + 1, index + 4)))
        groups.push(/^\?<([A-Za-z_$][\w$]*)>/.exec(source.slice(index + 1))?.[1]);
    }
  }
  return groups;
}

function compile(pattern: RegExp): CompiledPattern {
  const groups = readGroups(pattern.source);
  const secretGroups = groups.flatMap((name, index) => (name === undefined ? [index + 1] : []));
  // `d` (match indices) only where needed: it makes every match allocate an index table.
  const flags = `${pattern.flags.replace(/[gyd]/g, '')}g${groups.length > 0 ? 'd' : ''}`;
  return { regex: new RegExp(pattern.source, flags), secretGroups, extendsBack: groups.includes('from') };
}

const COMPILED: readonly CompiledRule[] = SECRET_RULES.map((rule) => ({
  id: rule.id,
  triggers: rule.triggers,
  run:
    rule.runTrigger === undefined
      ? undefined
      : { characters: compileRunCharacters(rule.runTrigger.characters), length: rule.runTrigger.length },
  patterns: rule.patterns.map(compile),
  accept: rule.accept,
}));

const escapeLiteral = (literal: string): string => literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * A regex source matching any of `words`, as a trie: `s(?:k[-_]|ecret)` rather than
 * `sk-|sk_|secret`, so the engine tries one branch per first character, not every word.
 */
export function compileTrie(words: readonly string[]): string {
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
// The triggers, a backslash or a `%`: text with escapes is also scanned decoded. Nothing else
// goes into this regex: V8 compiles a regex for the text it first meets, and one more
// alternative of another shape (a digit class, `%[0-9a-f]{2}`) was measured to cost up to twice
// as much on clean rows, where a lone `%` beside `@` costs nothing measurable (and less than an
// `includes('%')` after it). A `%` with no escape after it only sends the text to `findSecrets`.
// New literal triggers join the trie; shapes no literal marks are looked for by `hasCharacterRun`.
const MAY_HOLD_SECRET = new RegExp(`${PREFILTER.source}|\\\\|%`);
const RUN_TRIGGERS = COMPILED.flatMap((rule) => (rule.run === undefined ? [] : [rule.run]));

/** Whether `text` holds a run some rule's `runTrigger` asks for. */
function hasRunTrigger(text: string): boolean {
  for (const run of RUN_TRIGGERS) if (hasCharacterRun(text, run.characters, run.length)) return true;
  return false;
}

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
 * One regex test (the rules' triggers, a backslash, a `%`) and a look at one character in 13
 * for a run of digits and separators a card number needs, for callers that guard many strings at once: a JSON text is clean when this
 * is false for it, since JSON escaping leaves every trigger, `%` and digit as it is and turns
 * the characters it escapes into backslashes.
 */
export function mayHoldSecret(text: string): boolean {
  // Text with escapes is also scanned decoded; base64-wrapped JSON's `eyJ` is a trigger.
  return MAY_HOLD_SECRET.test(text.toLowerCase()) || hasRunTrigger(text);
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
    if (match.indices !== undefined) {
      for (const group of pattern.secretGroups) {
        const span = match.indices[group];
        if (span !== undefined) {
          [start, end] = span;
          break;
        }
      }
      const from = pattern.extendsBack ? match.indices.groups?.from : undefined;
      if (from !== undefined) start = Math.min(start, from[0]);
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
  const hasRun = hasRunTrigger(text);
  const literal = PREFILTER.test(lower);
  if (!hasRun && !literal) return [];
  const present = literal ? findTriggers(lower) : new Set<string>();
  const triggered = (trigger: string): boolean => {
    const witness = WITNESS.get(trigger) ?? trigger;
    return present.has(witness) && (witness === trigger || lower.includes(trigger));
  };

  const candidates = new Set<CompiledRule>();
  for (const witness of present) for (const rule of RULES_BY_WITNESS.get(witness) ?? []) candidates.add(rule);
  let accepted: SecretMatch[] = [];
  for (const rule of COMPILED) {
    const byTrigger = candidates.has(rule) && rule.triggers.some(triggered);
    const byRun = hasRun && rule.run !== undefined && hasCharacterRun(text, rule.run.characters, rule.run.length);
    if (!byTrigger && !byRun) continue;
    for (const pattern of rule.patterns) {
      const found = scan(rule, pattern, text);
      if (found.length > 0) accepted = accepted.length === 0 ? found : mergeByPriority(accepted, found);
    }
  }
  return accepted;
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

/** How many decodings deep a scan goes: `%2540` and base64 holding `%40` are read through. */
const MAX_DECODE_DEPTH = 2;

/** `inDecoded` (matches in the decoded text) mapped back onto the spans of `text` they came from. */
function mapBack(text: string, inDecoded: readonly SecretMatch[], decoded: DecodedText): SecretMatch[] {
  return inDecoded.map((match) => ({
    rule: match.rule,
    start: decoded.from[match.start] ?? text.length,
    end: decoded.to[match.end - 1] ?? text.length,
  }));
}

/** What `findLayered` finds in `text` decoded by `decode`, mapped back onto `text`. */
function findDecoded(text: string, depth: number, decode: (text: string, withOffsets: boolean) => DecodedText | undefined): SecretMatch[] {
  const decoded = decode(text, false);
  if (decoded === undefined) return [];
  const inDecoded = findLayered(decoded.text, depth + 1);
  if (inDecoded.length === 0) return [];
  return mapBack(text, inDecoded, decode(text, true) ?? decoded);
}

/**
 * Base64 runs starting like JSON (`eyJ`, which is `{"`) whose decoded text holds a secret,
 * each as one match over the whole run, under the rule of the first secret inside. Runs a
 * match of `found` already covers in part (a JWT) are left to it.
 */
function findInBase64Json(text: string, depth: number, found: readonly SecretMatch[]): SecretMatch[] {
  const matches: SecretMatch[] = [];
  for (const run of findBase64JsonRuns(text)) {
    if (found.some((match) => match.start < run.end && match.end > run.start)) continue;
    for (const start of run.starts) {
      const [inside] = findLayered(decodeBase64(text, start, run.end), depth + 1);
      if (inside === undefined) continue;
      matches.push({ rule: inside.rule, start: run.start, end: run.end });
      break;
    }
  }
  return matches;
}

/** `scanText`, plus the same over the text's decoded forms, `depth` decodings in. */
function findLayered(text: string, depth: number): SecretMatch[] {
  let found = scanText(text);
  if (depth >= MAX_DECODE_DEPTH) return found;
  if (text.includes('\\')) found = unionMatches(found, findDecoded(text, depth, decodePythonEscapes));
  if (text.includes('%')) found = unionMatches(found, findDecoded(text, depth, decodePercentEscapes));
  if (text.includes('eyJ')) found = unionMatches(found, findInBase64Json(text, depth, found));
  return found;
}

/**
 * Finds every credential and personal-data shape of `SECRET_RULES` in `text`.
 *
 * Returns non-overlapping matches sorted by start. Where two rules overlap, the one earlier in
 * the table (the more specific) wins and the other is dropped. Runs in time linear in the text;
 * a string with none of the rules' triggers costs one regex test.
 *
 * Text is also scanned as it reads decoded, and those matches are mapped back onto the text:
 * - Python escapes (`\x20`, `\n`, `\u00e9`): `\x20` before a token is a space, not the `0`
 *   that would hide the token's start;
 * - `%XX` escapes, as UTF-8 (`ops%40example.com`, `Bearer%20…`), each match covering the
 *   escapes it was decoded from;
 * - base64 that starts like JSON (`eyJ…`) and is not a JWT: when its decoded text holds a
 *   secret, the whole run is one match.
 * Decoded text is decoded again, two layers deep (`%2540`, `%XX` inside base64).
 */
export function findSecrets(text: string): SecretMatch[] {
  return findLayered(text, 0);
}
