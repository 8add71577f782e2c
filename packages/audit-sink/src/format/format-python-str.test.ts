import { describe, expect, it } from 'vitest';
import { formatPythonStr } from './format-python-str.js';

describe('formatPythonStr', () => {
  it('keeps printable text byte-identical, quotes and backslashes included', () => {
    for (const text of ['kora__x', `it's "quoted"`, 'back\\slash', 'café 日本', '\u{1f600}', 'a b', '']) {
      expect(formatPythonStr(text)).toBe(text);
    }
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
    expect(forged).toBe(String.raw`ok\n[kora.mcp.tool_called] tool=evil`);
    expect(forged.split(/[\n\r\u0085\u2028\u2029\v\f]/)).toHaveLength(1);
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
