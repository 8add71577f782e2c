import { describe, expect, it } from 'vitest';
import { escapeToken } from './escape-token.js';

describe('escapeToken', () => {
  it('keeps printable ASCII without spaces as it is', () => {
    expect(escapeToken('kora__list_tickets')).toBe('kora__list_tickets');
    expect(escapeToken('a-b.c:d/e')).toBe('a-b.c:d/e');
  });

  it('writes spaces, control characters and non-ASCII as Python escapes', () => {
    expect(escapeToken('two words')).toBe('two\\x20words');
    expect(escapeToken('line\nbreak')).toBe('line\\x0abreak');
    expect(escapeToken('café')).toBe('caf\\xe9');
    expect(escapeToken('\u2028')).toBe('\\u2028');
    expect(escapeToken('😀')).toBe('\\U0001f600');
  });

  it("writes the empty string as ''", () => {
    expect(escapeToken('')).toBe("''");
  });

  it('never returns more than maxLength characters, even mid-escape', () => {
    expect(escapeToken('x'.repeat(500))).toHaveLength(128);
    expect(escapeToken(' '.repeat(10), 6)).toBe('\\x20\\x');
    expect(escapeToken('abcdef', 3)).toBe('abc');
  });

  it('always returns a token the allow-lists accept', () => {
    for (const input of ['', ' ', '\u0000', '[kora.mcp.tool_called] forged', 'é'.repeat(200)]) {
      expect(escapeToken(input)).toMatch(/^[\x21-\x7e]{1,128}$/);
    }
  });
});
