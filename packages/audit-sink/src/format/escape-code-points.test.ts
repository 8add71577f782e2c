import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeCodePoint, escapeCodePoints } from './escape-code-points.js';

/** Undo Python code-point escapes: what a reader of the line does to get the text back. */
function unescape(text: string): string {
  return text.replace(/\\x([0-9a-f]{2})|\\u([0-9a-f]{4})|\\U([0-9a-f]{8})/g, (_match, ...hex: (string | undefined)[]) =>
    String.fromCodePoint(Number.parseInt(hex.slice(0, 3).find((group) => group !== undefined) ?? '0', 16)),
  );
}

describe('escapeCodePoint', () => {
  it('writes a code point as Python escapes it: \\x up to U+00FF, \\u up to U+FFFF, then \\U', () => {
    expect(escapeCodePoint(0x00)).toBe('\\x00');
    expect(escapeCodePoint(0x20)).toBe('\\x20');
    expect(escapeCodePoint(0xff)).toBe('\\xff');
    expect(escapeCodePoint(0x100)).toBe('\\u0100');
    expect(escapeCodePoint(0x202e)).toBe('\\u202e');
    expect(escapeCodePoint(0xd800)).toBe('\\ud800');
    expect(escapeCodePoint(0x1f600)).toBe('\\U0001f600');
    expect(escapeCodePoint(0x10ffff)).toBe('\\U0010ffff');
  });
});

describe('escapeCodePoints', () => {
  const isSpace = (character: string): boolean => character === ' ';

  it('escapes only the characters picked, code point by code point', () => {
    expect(escapeCodePoints('two words here', isSpace)).toBe('two\\x20words\\x20here');
    expect(escapeCodePoints('a😀b', (character) => character.length > 1)).toBe('a\\U0001f600b');
    // A lone surrogate is a code point of its own, never half of a pair.
    expect(escapeCodePoints('x\ud800y', (character) => /\p{Cs}/u.test(character))).toBe('x\\ud800y');
  });

  it('stops once the written text reaches stopAtLength, however long the input', () => {
    expect(escapeCodePoints('a b c d e', isSpace, 4)).toBe('a\\x20');
    expect(escapeCodePoints(' '.repeat(1_000_000), isSpace, 10)).toBe('\\x20\\x20\\x20');
  });

  it('can always be undone: every character escaped reads back as the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeCodePoints(text, () => true);
        expect(escaped).toMatch(/^(?:\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8})*$/);
        expect(unescape(escaped)).toBe(text);
      }),
    );
  });

  it('leaves nothing it was asked to escape in what it writes', () => {
    const isSpaceOrControl = (character: string): boolean => /[\p{C}\p{Z}]/u.test(character);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(escapeCodePoints(text, isSpaceOrControl)).not.toMatch(/[\p{C}\p{Z}]/u);
      }),
    );
  });
});
