import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets } from './find-secrets.js';
import type { SecretMatch } from './guard-types.js';
import { SECRET_RULES } from './secret-rules.js';

/** Every rule's true positives, with the spans the guard finds in each as written. */
const POSITIVES = SECRET_RULES.flatMap((rule) => rule.examples.positive.map((text) => ({ rule: rule.id, text, spans: findSecrets(text) })));
const positive = fc.constantFrom(...POSITIVES);
/** The characters a prefix glued to a secret is made of, the ones boundary rules used to trip on. */
const GLUE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const glue = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...GLUE.split('')), minLength: 1, maxLength });

/**
 * A prefix that may touch the example: any glue, except that a digit right before a card
 * number makes it another, longer number, so a card's prefix ends in a non-digit.
 */
function fitPrefix(rule: string, prefix: string): string {
  return rule === 'payment-card' && /[0-9]$/.test(prefix) ? `${prefix}_` : prefix;
}

/** Whether every character of `spans` (shifted to `at`, or mapped by `map`) lies inside one of `found`. */
function covers(found: readonly SecretMatch[], spans: readonly { start: number; end: number }[]): boolean {
  return spans.every((span) => {
    for (let index = span.start; index < span.end; index += 1) {
      if (!found.some((match) => match.start <= index && index < match.end)) return false;
    }
    return true;
  });
}

const shift = (spans: readonly SecretMatch[], by: number): SecretMatch[] =>
  spans.map((span) => ({ ...span, start: span.start + by, end: span.end + by }));

const hex = (byte: number, upper: boolean): string => {
  const digits = byte.toString(16).padStart(2, '0');
  return `%${upper ? digits.toUpperCase() : digits}`;
};

/**
 * `text` with the characters `chosen` picks (and every `%`, so that decoding gives `text`
 * back) written as `%XX` escapes of their UTF-8 bytes, and where each character went.
 */
function percentEncode(
  text: string,
  chosen: (index: number) => boolean,
  upper: boolean,
): { text: string; starts: number[]; ends: number[] } {
  let encoded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charAt(index);
    starts.push(encoded.length);
    encoded +=
      character === '%' || chosen(index) ? [...Buffer.from(character, 'utf8')].map((byte) => hex(byte, upper)).join('') : character;
    ends.push(encoded.length);
  }
  return { text: encoded, starts, ends };
}

describe('findSecrets', { timeout: 600_000 }, () => {
  it('finds every rule example with any run of letters, digits, _ or - glued in front', () => {
    fc.assert(
      fc.property(positive, glue(80), (example, rawPrefix) => {
        const prefix = fitPrefix(example.rule, rawPrefix);
        const found = findSecrets(prefix + example.text);
        expect(covers(found, shift(example.spans, prefix.length)), `${example.rule}: ${prefix}|${example.text}`).toBe(true);
      }),
      { numRuns: 3_000, seed: 0x676c7565 },
    );
  });

  it('finds them behind a 100,000-character run too, as a match may start inside a run', () => {
    fc.assert(
      fc.property(positive, fc.constantFrom(...GLUE.split('')), (example, character) => {
        const prefix = fitPrefix(example.rule, character.repeat(100_000));
        const found = findSecrets(prefix + example.text);
        expect(covers(found, shift(example.spans, prefix.length)), example.rule).toBe(true);
      }),
      { numRuns: 60, seed: 0x72756e },
    );
  });

  it('finds every rule example with any of its characters %XX-escaped, redacting the escaped span', () => {
    fc.assert(
      fc.property(
        positive,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }),
        fc.boolean(),
        glue(8),
        (example, picks, upper, prefix) => {
          const encoded = percentEncode(example.text, (index) => picks[index % picks.length] === true, upper);
          const glued = fitPrefix(example.rule, prefix);
          const found = findSecrets(glued + encoded.text);
          const spans = example.spans.map((span) => ({
            start: glued.length + (encoded.starts[span.start] ?? 0),
            end: glued.length + (encoded.ends[span.end - 1] ?? 0),
          }));
          expect(covers(found, spans), `${example.rule}: ${encoded.text}`).toBe(true);
        },
      ),
      { numRuns: 3_000, seed: 0x25585825 },
    );
  });

  it('finds a %XX-escaped example after malformed UTF-8 escapes, and never throws on any escapes', () => {
    const malformed = fc
      .array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 6 })
      .map((bytes) => bytes.map((byte) => hex(byte, true)).join(''));
    fc.assert(
      fc.property(positive, malformed, (example, noise) => {
        const encoded = percentEncode(example.text, () => true, false);
        const found = findSecrets(noise + encoded.text);
        const spans = example.spans.map((span) => ({
          start: noise.length + (encoded.starts[span.start] ?? 0),
          end: noise.length + (encoded.ends[span.end - 1] ?? 0),
        }));
        expect(covers(found, spans), `${example.rule}: ${noise}`).toBe(true);
      }),
      { numRuns: 2_000, seed: 0x4643 },
    );
    const anyEscapes = fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 0xff }).map((byte) => hex(byte, false)),
        fc.constantFrom('%', '%z', 'a', '@', '.'),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(anyEscapes, (parts) => {
        const text = parts.join('');
        const found = findSecrets(text);
        for (const [index, match] of found.entries()) {
          expect(match.start).toBeLessThan(match.end);
          expect(match.end).toBeLessThanOrEqual(text.length);
          if (index > 0) expect(match.start).toBeGreaterThanOrEqual(found[index - 1]!.end);
        }
      }),
      { numRuns: 3_000, seed: 0x616e79 },
    );
  });

  it('redacts the whole base64 run of any JSON holding a rule example, glued or not', () => {
    fc.assert(
      fc.property(
        positive,
        fc.constantFrom('base64', 'base64url' as const),
        fc.boolean(),
        fc.option(glue(12)),
        (example, alphabet, padded, prefix) => {
          let wrapped = Buffer.from(JSON.stringify({ value: example.text }), 'utf8').toString(alphabet);
          if (!padded) wrapped = wrapped.replace(/=+$/, '');
          const before = prefix === null ? 'state=' : prefix;
          const text = `${before}${wrapped}&next=1`;
          expect(covers(findSecrets(text), [{ start: before.length, end: before.length + wrapped.length }]), example.rule).toBe(true);
        },
      ),
      { numRuns: 2_000, seed: 0x65794a },
    );
  });
});
