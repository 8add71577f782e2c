import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeNonPrintable, formatPythonRepr } from './format-python-repr.js';

// Expected values below were printed by CPython 3.11's repr().
describe('formatPythonRepr', () => {
  it('chooses quotes as Python does', () => {
    expect(formatPythonRepr("it's")).toBe(`"it's"`);
    expect(formatPythonRepr('say "hi"')).toBe(`'say "hi"'`);
    expect(formatPythonRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(formatPythonRepr("'")).toBe(`"'"`);
    expect(formatPythonRepr('"')).toBe(`'"'`);
    expect(formatPythonRepr('')).toBe("''");
  });

  it('escapes backslashes, control characters and non-printable code points', () => {
    expect(formatPythonRepr('back\\slash')).toBe(String.raw`'back\\slash'`);
    expect(formatPythonRepr('tab\there')).toBe(String.raw`'tab\there'`);
    expect(formatPythonRepr('nl\nx\r')).toBe(String.raw`'nl\nx\r'`);
    expect(formatPythonRepr('\x07\x7f\x85\xa0\xad')).toBe(String.raw`'\x07\x7f\x85\xa0\xad'`);
    expect(formatPythonRepr('\u2028\u2029')).toBe(String.raw`'\u2028\u2029'`);
    expect(formatPythonRepr('\u200b')).toBe(String.raw`'\u200b'`);
    expect(formatPythonRepr('\ue000')).toBe(String.raw`'\ue000'`);
    expect(formatPythonRepr('\u{e0001}')).toBe(String.raw`'\U000e0001'`);
  });

  it('quotes and escapes any string as escaping each code point does, ASCII or not', () => {
    // Python's rule, a code point at a time: what the shortcut for plain ASCII must equal.
    const reference = (text: string): string => {
      const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
      let body = '';
      for (const character of text) body += character === quote || character === '\\' ? `\\${character}` : escapeNonPrintable(character);
      return `${quote}${body}${quote}`;
    };
    const unit = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0x1f, max: 0x7f }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom("'", '"', '\\', '\n', '\xa0', '\ud800'),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        expect(formatPythonRepr(text)).toBe(reference(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it('escapes a lone surrogate and keeps a surrogate pair', () => {
    expect(formatPythonRepr('\ud800')).toBe(String.raw`'\ud800'`);
    expect(formatPythonRepr('\u{1f600}')).toBe(`'\u{1f600}'`);
  });

  it('keeps printable non-ASCII text as is', () => {
    expect(formatPythonRepr('café')).toBe("'café'");
    expect(formatPythonRepr('日本')).toBe("'日本'");
  });

  it('writes lists and dicts in insertion order', () => {
    expect(formatPythonRepr(['a', "it's", 1, null, true, 1.5, { k: 'v', n: 1 }])).toBe(
      `['a', "it's", 1, None, True, 1.5, {'k': 'v', 'n': 1}]`,
    );
    expect(formatPythonRepr([])).toBe('[]');
    expect(formatPythonRepr({})).toBe('{}');
    expect(formatPythonRepr({ b: 2, a: 1 })).toBe("{'b': 2, 'a': 1}");
    expect(
      formatPythonRepr(
        new Map<unknown, unknown>([
          ['x', [1]],
          [2, 'y'],
        ]),
      ),
    ).toBe("{'x': [1], 2: 'y'}");
  });

  it('writes sets and bytes as Python does', () => {
    expect(formatPythonRepr(new Set())).toBe('set()');
    expect(formatPythonRepr(new Set(['x']))).toBe("{'x'}");
    expect(formatPythonRepr(Uint8Array.from([0x69, 0x74, 0x27, 0x73, 0x00, 0xff]))).toBe(String.raw`b"it's\x00\xff"`);
  });

  it('writes scalars as Python does', () => {
    expect(formatPythonRepr(null)).toBe('None');
    expect(formatPythonRepr(undefined)).toBe('None');
    expect(formatPythonRepr(false)).toBe('False');
    expect(formatPythonRepr(42)).toBe('42');
    expect(formatPythonRepr(-0)).toBe('0');
    expect(formatPythonRepr(1e21)).toBe('1000000000000000000000');
    expect(formatPythonRepr(2n ** 64n)).toBe('18446744073709551616');
  });

  it('writes floats as Python repr does', () => {
    expect(formatPythonRepr(1e15 + 0.5)).toBe('1000000000000000.5');
    expect(formatPythonRepr(0.0001)).toBe('0.0001');
    expect(formatPythonRepr(0.00001)).toBe('1e-05');
    expect(formatPythonRepr(1.5e-7)).toBe('1.5e-07');
    expect(formatPythonRepr(123456789.123)).toBe('123456789.123');
    expect(formatPythonRepr(-0.1)).toBe('-0.1');
    expect(formatPythonRepr(1e-300)).toBe('1e-300');
    expect(formatPythonRepr(1 / 3)).toBe('0.3333333333333333');
    expect(formatPythonRepr(Number.NaN)).toBe('nan');
    expect(formatPythonRepr(-Infinity)).toBe('-inf');
  });

  it('writes a container met inside itself as [...] or {...}', () => {
    const list: unknown[] = [1];
    list.push(list);
    expect(formatPythonRepr(list)).toBe('[1, [...]]');
    const dict: Record<string, unknown> = { k: 1 };
    dict.self = dict;
    expect(formatPythonRepr(dict)).toBe("{'k': 1, 'self': {...}}");
  });

  it('repeats a shared, non-circular container in full', () => {
    const shared = ['x'];
    expect(formatPythonRepr([shared, shared])).toBe("[['x'], ['x']]");
  });

  it('never throws on hostile objects', () => {
    const throwing = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(formatPythonRepr(throwing)).toBe('<unreadable>');
    expect(formatPythonRepr([proxy])).toBe('[<unreadable>]');
    expect(formatPythonRepr(() => 1)).toBe('<function <anonymous>>');
    expect(formatPythonRepr(Symbol('s'))).toBe("'s'");
  });

  it('escapes a function or class name, so that no name can break the line', () => {
    const named = (): number => 1;
    Object.defineProperty(named, 'name', { value: '\n[kora.mcp.tool_called] forged' });
    expect(formatPythonRepr(named)).toBe(String.raw`<function \n[kora.mcp.tool_called] forged>`);
    class Odd extends Error {}
    Object.defineProperty(Odd, 'name', { value: 'Odd\u2028' });
    expect(formatPythonRepr(new Odd('m'))).toBe(String.raw`Odd\u2028('m')`);
  });

  it('shows the first 1000 items of a container and then ..., however many it claims', () => {
    const sparse: unknown[] = [];
    sparse[2 ** 32 - 2] = 'x';
    // It reads the items it shows, never the four billion the length claims.
    let itemsRead = 0;
    const counted = new Proxy(sparse, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) itemsRead += 1;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(formatPythonRepr(counted)).toBe(`[${Array.from({ length: 1000 }, () => 'None').join(', ')}, ...]`);
    expect(itemsRead).toBe(1000);
    expect(formatPythonRepr(new Set(Array.from({ length: 1001 }, (_, index) => index)))).toMatch(/, 999, \.\.\.\}$/);
    expect(formatPythonRepr(Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [index, 0])))).not.toContain('...');
  });

  it('bounds the depth of nested containers', () => {
    let nested: unknown[] = [];
    for (let index = 0; index < 10_000; index += 1) nested = [nested];
    expect(formatPythonRepr(nested)).toContain('[...]');
  });
});
