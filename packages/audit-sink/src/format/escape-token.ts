/**
 * Make any string a token the allow-list accepts: printable ASCII without spaces, at most
 * `maxLength` characters. Code points outside U+0021–U+007E are written as Python escapes
 * (`\x20`, `\u00e9`, `\U0001f600`); the empty string becomes `''`. A name an outsider
 * chooses (an unknown tool) thus still lands in the row, visibly odd, instead of making the
 * whole row invalid.
 */
export function escapeToken(value: string, maxLength = 128): string {
  if (value === '') return "''";
  let escaped = '';
  for (const character of value) {
    const codePoint = character.codePointAt(0) ?? 0;
    if (codePoint >= 0x21 && codePoint <= 0x7e) escaped += character;
    else if (codePoint <= 0xff) escaped += `\\x${codePoint.toString(16).padStart(2, '0')}`;
    else if (codePoint <= 0xffff) escaped += `\\u${codePoint.toString(16).padStart(4, '0')}`;
    else escaped += `\\U${codePoint.toString(16).padStart(8, '0')}`;
    if (escaped.length >= maxLength) break;
  }
  return escaped.slice(0, maxLength);
}
