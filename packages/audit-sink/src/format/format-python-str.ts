import { escapeNonPrintable, formatPythonRepr, reprNumber } from './format-python-repr.js';

// What Python's `str.isprintable()` refuses (every control, format, surrogate, private-use,
// unassigned and separator code point: C0, DEL, C1 with NEL, U+2028, U+2029, the bidi
// controls, no-break and other spaces), and the plain space as well.
const ESCAPED_IN_SCALAR = /[\p{C}\p{Z}]/gu;
// Printable ASCII without the space holds none of them: most values, tested far faster than the
// Unicode-aware replace runs.
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * Python's `'%s' % value` for one field of a verbatim line: `None`, `True`/`False`, ints
 * (integral JS numbers print as ints), floats as Python's `str(float)`, bigints in decimal,
 * arrays and objects as their Python repr, and strings as they are, except that every code
 * point Python's repr would escape is escaped as repr escapes it (`\n`, `\t`, `\x07`, `\x7f`,
 * `\x85`, `\x9b`, `\xa0`, `\u2028`, `\u202e`, `\ud800`), and so is the space (`\x20`). No value
 * can therefore end the line, start a forged `[kora.…]` line, reorder how the line reads, or
 * hold a space: in a line, ` key=` is always where a field begins. Printable input without
 * spaces (every value of the golden vectors) stays byte-identical.
 *
 * Total: it never throws.
 */
export function formatPythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return PRINTABLE_ASCII.test(value) ? value : value.replace(ESCAPED_IN_SCALAR, escapeCharacter);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return reprNumber(value);
  if (typeof value === 'bigint') return value.toString();
  return formatPythonRepr(value);
}

function escapeCharacter(character: string): string {
  return character === ' ' ? '\\x20' : escapeNonPrintable(character);
}
