import { escapeJsonControls } from '@kora/audit-sink/reader';
import { describe, expect, it } from 'vitest';
import { escapeTerminalText } from './escape-terminal-text.js';

describe('escapeTerminalText', () => {
  it('escapes every control, separator and bidi character as \\uXXXX and nothing else', () => {
    expect(escapeTerminalText('a\x1b[31m\x9b2J\n\u202eb\u2066c\u200ed\u061c\x7f')).toBe(
      String.raw`a\u001b[31m\u009b2J\u000a\u202eb\u2066c\u200ed\u061c\u007f`,
    );
    expect(escapeTerminalText('café 日本 \u{1f600} "quoted" back\\slash \u00a0')).toBe('café 日本 \u{1f600} "quoted" back\\slash \u00a0');
  });

  it("escapes what the core's row escape escapes, and the C0 controls besides", () => {
    const disagreeing: string[] = [];
    for (let code = 0; code <= 0xffff; code += 1) {
      const character = String.fromCharCode(code);
      const expected = code < 0x20 || escapeJsonControls(character) !== character;
      if ((escapeTerminalText(character) !== character) !== expected) disagreeing.push(`U+${code.toString(16)}`);
    }
    expect(disagreeing).toEqual([]);
  });
});
