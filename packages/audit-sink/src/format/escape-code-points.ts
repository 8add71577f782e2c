/**
 * One code point written as Python writes it in an escape: `\xNN` up to U+00FF, `\uXXXX` up to
 * U+FFFF, `\UXXXXXXXX` beyond (lower-case hex, as `repr` prints).
 */
export function escapeCodePoint(codePoint: number): string {
  if (codePoint <= 0xff) return `\\x${hex(codePoint, 2)}`;
  if (codePoint <= 0xffff) return `\\u${hex(codePoint, 4)}`;
  return `\\U${hex(codePoint, 8)}`;
}

/**
 * `text` with every character `isEscaped` picks written as its Python code-point escape
 * ({@link escapeCodePoint}) and the others as they are, code point by code point (a lone
 * surrogate is escaped as itself, `\ud800`). It stops once `stopAtLength` characters are
 * written, so a huge input costs no more than the part that is kept: the caller cuts the result
 * to its size.
 */
export function escapeCodePoints(text: string, isEscaped: (character: string) => boolean, stopAtLength = Number.POSITIVE_INFINITY): string {
  let escaped = '';
  for (const character of text) {
    escaped += isEscaped(character) ? escapeCodePoint(character.codePointAt(0) ?? 0) : character;
    if (escaped.length >= stopAtLength) break;
  }
  return escaped;
}

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).padStart(width, '0');
}
