import { escapeCodePoint } from './escape-code-points.js';

// Printable ASCII but `'` and the backslash: nothing in it is escaped, and `'` quotes it.
const PLAIN_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;
// CPython's `str.isprintable()` is false for these general categories (space excepted).
// The Unicode version of the JS engine may be newer than CPython's, so a code point assigned
// recently can print here where an older CPython would escape it.
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Containers nested deeper than this render as `[...]` / `{...}` instead of recursing. */
const MAX_DEPTH = 200;
/**
 * Items shown per container; the rest become `...`. A sparse array can claim 2^32 - 1 slots
 * with two values in it, and a line must not take seconds and gigabytes to print it.
 */
const MAX_ITEMS = 1000;

/**
 * Python's `repr()` of a value, as CPython writes it: `None`, `True`/`False`, ints, floats
 * (`1.5`, `1e+16`, `inf`, `nan`), strings with Python's quote choice and escapes, lists
 * `['a', 'b']` and dicts `{'k': 'v'}` in insertion order (also for `Map`), sets, and bytes
 * (`Uint8Array`) as `b'...'`. Integral JS numbers print as Python ints.
 *
 * Total: it never throws. A container met again inside itself renders as `[...]` or `{...}`
 * as Python does; a property that cannot be read renders as `<unreadable>`. Past 1000 items a
 * container shows `...` for the rest, and function and class names are escaped like strings.
 */
export function formatPythonRepr(value: unknown): string {
  return reprValue(value, new Set(), 0);
}

/**
 * Python's repr of a string: single quotes unless the string contains `'` and no `"`;
 * backslash and the chosen quote escaped; `\t`, `\n`, `\r`; other C0, DEL and non-printable
 * code points up to U+00FF as `\xNN`, then `\uXXXX` and `\UXXXXXXXX`. Lone surrogates are
 * non-printable (`\ud800`).
 */
export function reprString(text: string): string {
  // Most strings: the loop below would keep every character as it is.
  if (PLAIN_ASCII.test(text)) return `'${text}'`;
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const character of text) {
    if (character === quote || character === '\\') body += `\\${character}`;
    else body += escapeNonPrintable(character);
  }
  return `${quote}${body}${quote}`;
}

/**
 * One code point as it appears inside a Python repr, quotes and backslash aside: printable
 * code points unchanged, the rest escaped.
 */
export function escapeNonPrintable(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  if (character === '\t') return '\\t';
  if (character === '\n') return '\\n';
  if (character === '\r') return '\\r';
  if (codePoint < 0x20 || codePoint === 0x7f) return escapeCodePoint(codePoint);
  if (codePoint < 0x7f) return character;
  if (!NON_PRINTABLE.test(character)) return character;
  return escapeCodePoint(codePoint);
}

/**
 * Python's `repr(float)` (which `str(float)` equals): the shortest digits that round-trip,
 * positional when the decimal exponent is in [-4, 16), scientific otherwise (`1e-05`,
 * `1.5e+16`), and `inf`, `-inf`, `nan`. Integral values print as Python ints: a JS number
 * does not say whether it was meant as an int.
 */
export function reprNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isInteger(value)) return BigInt(value).toString();
  // toExponential() without an argument gives the shortest round-trip digits, like repr.
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exponent = Number(exponentText);
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0] ?? '0'}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fractionPart = digits.slice(exponent + 1);
  return `${sign}${integerPart}.${fractionPart === '' ? '0' : fractionPart}`;
}

function reprValue(value: unknown, inProgress: Set<object>, depth: number): string {
  switch (typeof value) {
    case 'undefined':
      return 'None';
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return reprNumber(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return reprString(value);
    case 'symbol':
      return reprString(value.description ?? '');
    case 'function':
      return `<function ${reprFunctionName(value)}>`;
    default:
      break;
  }
  if (typeof value !== 'object' || value === null) return 'None';
  try {
    return reprObject(value, inProgress, depth);
  } catch {
    // Hostile objects only: revoked proxies, throwing getters or ownKeys traps.
    return '<unreadable>';
  }
}

function reprFunctionName(value: unknown): string {
  try {
    const name = (value as { name?: unknown }).name;
    // Any string can be a function's or class's name: escaped like a repr'd string's body,
    // so a name cannot break the line it is printed in.
    return typeof name === 'string' && name !== '' ? Array.from(name, escapeNonPrintable).join('') : '<anonymous>';
  } catch {
    return '<anonymous>';
  }
}

function reprObject(value: object, inProgress: Set<object>, depth: number): string {
  const isList = Array.isArray(value);
  const isSet = value instanceof Set;
  if (inProgress.has(value) || depth >= MAX_DEPTH) return isList ? '[...]' : '{...}';
  inProgress.add(value);
  try {
    const inner = (item: unknown): string => reprValue(item, inProgress, depth + 1);
    if (isList) {
      const items: string[] = [];
      for (let index = 0; index < Math.min(value.length, MAX_ITEMS); index += 1) items.push(inner(value[index]));
      return `[${joinItems(items, value.length)}]`;
    }
    if (value instanceof Uint8Array) return reprBytes(value);
    if (isSet) return value.size === 0 ? 'set()' : `{${joinItems(takeItems(value, inner), value.size)}}`;
    if (value instanceof Map) {
      const entries = takeItems(value, ([key, item]: [unknown, unknown]) => `${inner(key)}: ${inner(item)}`);
      return `{${joinItems(entries, value.size)}}`;
    }
    if (value instanceof Date) return reprString(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
    if (value instanceof Error) return `${reprFunctionName(value.constructor)}(${reprString(value.message)})`;
    const keys = Object.keys(value);
    const entries = keys.slice(0, MAX_ITEMS).map((key) => `${reprString(key)}: ${inner((value as Record<string, unknown>)[key])}`);
    return `{${joinItems(entries, keys.length)}}`;
  } finally {
    inProgress.delete(value);
  }
}

/** The first {@link MAX_ITEMS} items of `items`, each rendered. */
function takeItems<T>(items: Iterable<T>, render: (item: T) => string): string[] {
  const rendered: string[] = [];
  for (const item of items) {
    if (rendered.length === MAX_ITEMS) break;
    rendered.push(render(item));
  }
  return rendered;
}

/** Rendered items joined as Python does, with `...` standing for any beyond the ones shown. */
function joinItems(rendered: readonly string[], total: number): string {
  return total > rendered.length ? `${rendered.join(', ')}, ...` : rendered.join(', ');
}

/** Python's repr of `bytes`: the same quote choice as str, printable ASCII as is. */
function reprBytes(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let body = '';
  for (const byte of bytes) {
    const character = String.fromCharCode(byte);
    if (character === quote || character === '\\') body += `\\${character}`;
    else if (character === '\t') body += '\\t';
    else if (character === '\n') body += '\\n';
    else if (character === '\r') body += '\\r';
    else if (byte < 0x20 || byte >= 0x7f) body += escapeCodePoint(byte);
    else body += character;
  }
  return `b${quote}${body}${quote}`;
}
