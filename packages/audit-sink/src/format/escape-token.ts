import { escapeCodePoints } from './escape-code-points.js';

/**
 * Make any string a token the allow-list accepts: printable ASCII without spaces, at most
 * `maxLength` characters. Code points outside U+0021–U+007E are written as Python escapes
 * (`\x20`, `\u00e9`, `\U0001f600`); the empty string becomes `''`. A name an outsider
 * chooses (an unknown tool) thus still lands in the row, visibly odd, instead of making the
 * whole row invalid.
 */
export function escapeToken(value: string, maxLength = 128): string {
  if (value === '') return "''";
  return escapeCodePoints(value, isOutsidePrintableAscii, maxLength).slice(0, maxLength);
}

function isOutsidePrintableAscii(character: string): boolean {
  const codePoint = character.codePointAt(0) ?? 0;
  return codePoint < 0x21 || codePoint > 0x7e;
}
