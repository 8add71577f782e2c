// What `JSON.stringify` leaves raw yet a terminal or viewer acts on: DEL and the C1 controls
// (U+0080–U+009F: 0x9B is a CSI that starts an escape sequence, U+0085 is NEL, a line break),
// the line and paragraph separators U+2028/U+2029, and the bidirectional formatting controls
// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) that reorder how text is shown.
// The C0 controls are not listed: JSON escapes them inside strings and allows only tab, line
// feed and carriage return as whitespace between tokens, where they must stay.
const UNSAFE_CHARACTER = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source, 'g');
const DEL = '\x7f';

/**
 * `json` (any JSON text) with every raw DEL, C1 control, U+2028, U+2029 and bidirectional
 * formatting control written as a `\uXXXX` escape: still JSON, parsing to the same value, but
 * safe to write to a file a terminal may show and to print. Outside strings JSON holds none
 * of these characters, so every one replaced was inside a string. Text without any (nearly
 * all) is returned as it is, after one scan.
 */
export function escapeJsonControls(json: string): string {
  return hasJsonControls(json) ? json.replace(UNSAFE_CHARACTERS, escapeCharacter) : json;
}

/** Whether `text` holds a character {@link escapeJsonControls} escapes. */
export function hasJsonControls(text: string): boolean {
  // Text whose UTF-8 is as long as it is can hold only ASCII, where DEL is the one to look for:
  // counting bytes and finding one character take a third of the time of the pattern.
  if (Buffer.byteLength(text, 'utf8') === text.length) return text.includes(DEL);
  return UNSAFE_CHARACTER.test(text);
}

function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
