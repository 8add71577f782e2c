import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets } from './find-secrets.js';
import { fitRedactedLength } from './fit-redacted-length.js';
import { redactText } from './redact-text.js';

const fake = (...parts: string[]): string => parts.join('');
const GITHUB = fake('ghp_', 'FAKE'.repeat(9));
const codePoints = (text: string): number => Array.from(text).length;

describe('fitRedactedLength', () => {
  it('cuts text without secrets to its first code points, pairs kept whole', () => {
    expect(fitRedactedLength('abcdef', 4)).toBe('abcd');
    expect(fitRedactedLength('\u{1f600}\u{1f600}\u{1f600}', 2)).toBe('\u{1f600}\u{1f600}');
    const short = 'fits';
    expect(fitRedactedLength(short, 4)).toBe(short);
  });

  it('counts each secret as its marker, so many short secrets cannot outgrow the cap', () => {
    // Each 6-character address becomes a 24-character marker once redacted.
    const text = Array.from({ length: 20 }, (_, index) => `${String.fromCharCode(97 + index)}@b.co`).join(',');
    const fitted = fitRedactedLength(text, 128);
    expect(codePoints(redactText(fitted).text)).toBeLessThanOrEqual(128);
    expect(text.startsWith(fitted)).toBe(true);
    expect(redactText(fitted).rules).toEqual(['email-address']);
  });

  it('never cuts inside a secret, so no piece of one is left unrecognized', () => {
    const text = `${'x'.repeat(100)} ${GITHUB}`;
    expect(fitRedactedLength(text, 120)).toBe(`${'x'.repeat(100)} `);
    expect(fitRedactedLength(text, 200)).toBe(text);
  });

  it('drops a secret whose context the cut would take, as the guard would no longer see it', () => {
    // Without the `@` after it, a URL's password is just text.
    const text = `${'x'.repeat(20)} postgres://app:${fake('FAKE', 'passw0rd')}@db.internal/app`;
    const fitted = fitRedactedLength(text, 40);
    expect(fitted).toBe(`${'x'.repeat(20)} postgres://app:`);
    expect(fitted).not.toContain('passw0rd');
  });

  it('keeps what it returns within the cap as the guard writes it, for any text', () => {
    const text = fc
      .array(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 8 }),
          fc.constantFrom(GITHUB, 'a@b.co', 'pwd=x', ' ', ',', '\u{1f600}', fake('https://u:', 'FAKEpw', '@h')),
        ),
        { maxLength: 30 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 40, max: 200 }), (input, maxLength) => {
        const fitted = fitRedactedLength(input, maxLength);
        expect(input.startsWith(fitted)).toBe(true);
        expect(codePoints(redactText(fitted).text)).toBeLessThanOrEqual(maxLength);
        // Every secret of the whole text that survives the cut in part is still found in what is kept.
        const kept = findSecrets(fitted);
        for (const match of findSecrets(input)) {
          if (match.start >= fitted.length) continue;
          const end = Math.min(match.end, fitted.length);
          expect(kept.some((found) => found.start <= match.start && found.end >= end)).toBe(true);
        }
      }),
      { numRuns: 500, seed: 0x666974 },
    );
  });
});
