import type { DecodedText } from './guard-types.js';

// The escapes our formatters write for characters they will not print (`\x20`, `\u2028`,
// `\U0001f600`, `\n`): escapeToken and the args-key printer apply them before the guard runs.
const PYTHON_ESCAPE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[ntr])/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r' };

/**
 * `text` with its Python escapes decoded, or undefined when it has none. The offset tables
 * cost an entry per character, so they are built only when asked for: most decoded text
 * holds nothing.
 */
export function decodePythonEscapes(text: string, withOffsets: boolean): DecodedText | undefined {
  let decoded = '';
  const from: number[] = [];
  const to: number[] = [];
  let cursor = 0;
  const copy = (start: number, end: number): void => {
    decoded += text.slice(start, end);
    if (!withOffsets) return;
    for (let index = start; index < end; index += 1) {
      from.push(index);
      to.push(index + 1);
    }
  };
  PYTHON_ESCAPE.lastIndex = 0;
  for (let match = PYTHON_ESCAPE.exec(text); match !== null; match = PYTHON_ESCAPE.exec(text)) {
    const escape = match[0];
    const codePoint = escape.length === 2 ? undefined : Number.parseInt(escape.slice(2), 16);
    if (codePoint !== undefined && codePoint > 0x10ffff) continue;
    const character = codePoint === undefined ? (SHORT_ESCAPES[escape.charAt(1)] ?? '') : String.fromCodePoint(codePoint);
    copy(cursor, match.index);
    decoded += character;
    if (withOffsets) {
      for (let unit = 0; unit < character.length; unit += 1) {
        from.push(match.index);
        to.push(match.index + escape.length);
      }
    }
    cursor = match.index + escape.length;
  }
  if (cursor === 0) return undefined;
  copy(cursor, text.length);
  return { text: decoded, from, to };
}
