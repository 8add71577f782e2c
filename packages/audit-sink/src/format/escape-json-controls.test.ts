import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeJsonControls, hasJsonControls } from './escape-json-controls.js';

// Every character the escape must leave no raw trace of: DEL, C1, the separators, bidi controls.
const UNSAFE = [
  0x7f,
  ...Array.from({ length: 0x20 }, (_, index) => 0x80 + index),
  0x61c,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
].map((code) => String.fromCharCode(code));
const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

// Any code point, lone surrogates included, with the unsafe ones often.
const anyText = fc.string({
  unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom(...UNSAFE)),
  maxLength: 40,
});

describe('escapeJsonControls', () => {
  it('writes each DEL, C1, separator and bidi control as \\uXXXX', () => {
    for (const character of UNSAFE) {
      const json = JSON.stringify(`a${character}b`);
      const escaped = escapeJsonControls(json);
      expect(escaped).toBe(`"a\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}b"`);
      expect(JSON.parse(escaped)).toBe(`a${character}b`);
    }
  });

  it('leaves other text as it is, printable unicode and JSON whitespace included', () => {
    for (const json of ['{"a":"café 日本 \u{1f600}","b":["x\\n"]}', '{\n\t"a": 1\r\n}', '"\u00a0\u200b\u200d\u2060\ufeff"', '""']) {
      expect(escapeJsonControls(json)).toBe(json);
      expect(hasJsonControls(json)).toBe(false);
    }
  });

  it('leaves no raw unsafe character and parses to the same value, for any text in any JSON', () => {
    const value = fc.oneof(anyText, fc.dictionary(anyText, fc.oneof(anyText, fc.array(anyText, { maxLength: 3 })), { maxKeys: 4 }));
    fc.assert(
      fc.property(value, fc.boolean(), (generated, pretty) => {
        const json = pretty ? JSON.stringify(generated, null, '\t') : JSON.stringify(generated);
        const escaped = escapeJsonControls(json);
        expect(RAW_UNSAFE.test(escaped)).toBe(false);
        expect(JSON.parse(escaped)).toEqual(generated);
        expect(hasJsonControls(json)).toBe(RAW_UNSAFE.test(json));
      }),
      { numRuns: 2_000 },
    );
  });
});
