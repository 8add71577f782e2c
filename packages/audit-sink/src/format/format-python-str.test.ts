import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeNonPrintable } from './format-python-repr.js';
import { formatPythonStr } from './format-python-str.js';

describe('formatPythonStr', () => {
  it('keeps printable text without spaces byte-identical, quotes and backslashes included', () => {
    for (const text of ['kora__x', `it's"quoted"`, 'back\\slash', 'café日本', '\u{1f600}', 'ticket_id=tkt-1', '']) {
      expect(formatPythonStr(text)).toBe(text);
    }
  });

  it('escapes the space, so that a value cannot hold another field', () => {
    expect(formatPythonStr('x result=ok caller_actor_kind=admin')).toBe(String.raw`x\x20result=ok\x20caller_actor_kind=admin`);
  });

  it('escapes C1, bidi controls and the other characters Python repr escapes, as repr does', () => {
    // Each expectation is CPython's repr of the same character, quotes removed.
    expect(formatPythonStr('\x9b[2J')).toBe(String.raw`\x9b[2J`);
    expect(formatPythonStr('\u202e\u202a\u2066\u2069\u200e\u200f\u061c')).toBe(String.raw`\u202e\u202a\u2066\u2069\u200e\u200f\u061c`);
    expect(formatPythonStr('\xa0\xad\u3000\u200b\ufeff\ue000\u{e0001}\u{10ffff}')).toBe(
      String.raw`\xa0\xad\u3000\u200b\ufeff\ue000\U000e0001\U0010ffff`,
    );
  });

  it('escapes control characters as Python repr does', () => {
    expect(formatPythonStr('a\nb\rc\td')).toBe(String.raw`a\nb\rc\td`);
    expect(formatPythonStr('\x00\x07\x1b[31m\x7f')).toBe(String.raw`\x00\x07\x1b[31m\x7f`);
    expect(formatPythonStr('\x85\x9f')).toBe(String.raw`\x85\x9f`);
    expect(formatPythonStr('\u2028\u2029')).toBe(String.raw`\u2028\u2029`);
    expect(formatPythonStr('\udc00')).toBe(String.raw`\udc00`);
  });

  it('cannot start a forged line', () => {
    const forged = formatPythonStr('ok\n[kora.mcp.tool_called] tool=evil');
    expect(forged).toBe(String.raw`ok\n[kora.mcp.tool_called]\x20tool=evil`);
    expect(forged.split(/[\n\r\u0085\u2028\u2029\v\f]/)).toHaveLength(1);
  });

  it('leaves no control, bidi, separator or space character raw, and printable text as it is, for any text', () => {
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom(' ', '\x9b', '\x85', '\u2028', '\u202e', '\u2066', '\u200f', '\u061c', '\xa0', '\n'),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        const formatted = formatPythonStr(text);
        expect(formatted).not.toMatch(/[\p{C}\p{Z}]/u);
        if (!/[\p{C}\p{Z}]/u.test(text)) expect(formatted).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes any text as escaping each code point does, ASCII or not', () => {
    // The escape of every code point Python would escape, one at a time: what the shortcut for
    // printable ASCII must equal.
    const reference = (text: string): string =>
      text.replace(/[\p{C}\p{Z}]/gu, (character) => (character === ' ' ? '\\x20' : escapeNonPrintable(character)));
    const unit = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7f }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom(' ', '\t', '\x7f', '\x85', '\xa0', '\u2028', '\ud800'),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        expect(formatPythonStr(text)).toBe(reference(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it('writes scalars as Python %s does', () => {
    expect(formatPythonStr(null)).toBe('None');
    expect(formatPythonStr(undefined)).toBe('None');
    expect(formatPythonStr(true)).toBe('True');
    expect(formatPythonStr(false)).toBe('False');
    expect(formatPythonStr(42)).toBe('42');
    expect(formatPythonStr(1.5)).toBe('1.5');
    expect(formatPythonStr(1e-5)).toBe('1e-05');
    expect(formatPythonStr(Infinity)).toBe('inf');
    expect(formatPythonStr(12345678901234567890n)).toBe('12345678901234567890');
  });

  it('writes lists and dicts as their Python repr, escaping inside them', () => {
    expect(formatPythonStr([1, 'x'])).toBe("[1, 'x']");
    expect(formatPythonStr({ 'a\nb': "it's" })).toBe(String.raw`{'a\nb': "it's"}`);
  });
});
