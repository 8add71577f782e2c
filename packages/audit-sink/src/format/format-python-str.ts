import { formatPythonRepr, reprNumber } from './format-python-repr.js';

// What can end or fake a log line: C0, DEL, C1 (NEL among them), the Unicode line and
// paragraph separators, and lone surrogates (invalid UTF-16 that encoders mangle).
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/gu;

/**
 * Python's `'%s' % value` for one field of a verbatim line: `None`, `True`/`False`, ints
 * (integral JS numbers print as ints), floats as Python's `str(float)`, bigints in decimal,
 * arrays and objects as their Python repr, and strings as they are, except that control
 * characters, U+2028, U+2029 and lone surrogates are escaped as Python's repr escapes them
 * (`\n`, `\r`, `\t`, `\x07`, `\x7f`, `\x85`, `\u2028`, `\ud800`). No value can therefore end
 * the line or start a forged `[kora.…]` line; printable input stays byte-identical.
 *
 * Total: it never throws.
 */
export function formatPythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value.replace(LINE_BREAKING, escapeCharacter);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return reprNumber(value);
  if (typeof value === 'bigint') return value.toString();
  return formatPythonRepr(value);
}

function escapeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  if (character === '\t') return '\\t';
  if (character === '\n') return '\\n';
  if (character === '\r') return '\\r';
  if (codePoint <= 0xff) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
  return `\\u${codePoint.toString(16).padStart(4, '0')}`;
}
