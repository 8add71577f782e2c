import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createArgsDigester } from './create-args-digester.js';

const keyBytes = Buffer.alloc(32, 7);
const key = keyBytes.toString('base64');

/** The digest of `canonical` by the definition: HMAC-SHA256 of the UTF-8 text, base64url. */
function expected(canonical: string, keyId = '?'): string {
  return `hmac-sha256:${keyId}:${createHmac('sha256', keyBytes).update(canonical, 'utf8').digest('base64url')}`;
}

function digestOf(args: unknown): string {
  const result = createArgsDigester({ key, keyId: 'x' }).digest(args);
  if (!result.ok) throw new Error(`not digested: ${result.reason}`);
  return result.digest;
}

describe('createArgsDigester', () => {
  it('digests the RFC 8785 canonical form of the section 3.2.2 sample', () => {
    // RFC 8785 section 3.2.2: the input as JSON text, and the canonical form the RFC prints.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    const canonical =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(digestOf(input)).toBe(expected(canonical, 'x'));
  });

  it('sorts keys by UTF-16 code units as RFC 8785 section 3.2.3 shows', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const canonical =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(digestOf(input)).toBe(expected(canonical, 'x'));
  });

  it('writes numbers as RFC 8785 appendix B does', () => {
    const vectors: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [1e21, '1e+21'],
      [9007199254740992, '9007199254740992'],
      [1e-7, '1e-7'],
      [0.000001, '0.000001'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [-1.5, '-1.5'],
    ];
    for (const [value, text] of vectors) expect(digestOf([value])).toBe(expected(`[${text}]`, 'x'));
  });

  it('names the key by the first 8 hex digits of its SHA-256 unless given an id', () => {
    const digester = createArgsDigester({ key });
    expect(digester.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(createArgsDigester({ key: keyBytes }).keyId).toBe(digester.keyId);
    expect(createArgsDigester({ key, keyId: 'audit-2026' }).keyId).toBe('audit-2026');
    const result = digester.digest({ a: 1 });
    expect(result).toEqual({ ok: true, digest: expected('{"a":1}', digester.keyId) });
  });

  it('accepts URL-safe base64 without padding', () => {
    const urlSafe = Buffer.alloc(33, 0xfb).toString('base64url');
    expect(createArgsDigester({ key: urlSafe }).keyId).toBe(createArgsDigester({ key: Buffer.alloc(33, 0xfb) }).keyId);
  });

  it('refuses a short or non-base64 key without printing it', () => {
    const short = Buffer.from('tiny-secret-key-material').toString('base64');
    for (const bad of [short, 'not base64 at all!', '', 'a'.repeat(20)]) {
      let message = '';
      try {
        createArgsDigester({ key: bad });
      } catch (error) {
        message = String(error);
      }
      expect(message).toMatch(/createArgsDigester: key must/);
      if (bad !== '') expect(message).not.toContain(bad);
    }
    expect(() => createArgsDigester({ key: Buffer.alloc(31) })).toThrow(RangeError);
    expect(() => createArgsDigester({ key, keyId: 'has space' })).toThrow(/keyId must be/);
  });

  it('shows no key bytes when printed or serialized', () => {
    const secret = randomBytes(32);
    const digester = createArgsDigester({ key: secret.toString('base64') });
    const shown = `${inspect(digester, { showHidden: true, depth: 10 })}${JSON.stringify(digester)}`;
    for (const form of [secret.toString('base64'), secret.toString('hex'), secret.toString('base64url')]) {
      expect(shown).not.toContain(form);
    }
  });

  it('skips what is not JSON with a reason that names no value', () => {
    const digester = createArgsDigester({ key });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let depth = 0; depth < 100; depth++) deep = [deep];
    const throwing = Object.defineProperty({}, 'k', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const cases: [unknown, string][] = [
      [{ n: Number.NaN }, 'not_json'],
      [{ n: Number.POSITIVE_INFINITY }, 'not_json'],
      [{ n: 1n }, 'not_json'],
      [{ f: () => 1 }, 'not_json'],
      [{ u: undefined }, 'not_json'],
      [{ s: Symbol('x') }, 'not_json'],
      [{ d: new Date(0) }, 'not_json'],
      [{ s: '\ud800' }, 'not_json'],
      [{ ['\udc00']: 1 }, 'not_json'],
      // eslint-disable-next-line no-sparse-arrays
      [[1, , 2], 'not_json'],
      [cyclic, 'cyclic'],
      [deep, 'too_deep'],
      [throwing, 'unreadable'],
      [{ big: 'x'.repeat(8 * 1024 * 1024 + 1) }, 'too_large'],
      [Array.from({ length: 100_001 }, () => 0), 'too_large'],
    ];
    for (const [args, reason] of cases) expect(digester.digest(args)).toEqual({ ok: false, reason });
  });

  it('digests a __proto__ key as data and a shared (not cyclic) object twice', () => {
    const withProto = JSON.parse('{"__proto__":{"a":1}}') as unknown;
    expect(digestOf(withProto)).toBe(expected('{"__proto__":{"a":1}}', 'x'));
    const shared = { v: 1 };
    expect(digestOf({ a: shared, b: shared })).toBe(expected('{"a":{"v":1},"b":{"v":1}}', 'x'));
    expect(digestOf(Object.assign(Object.create(null) as object, { z: 1, a: null }))).toBe(expected('{"a":null,"z":1}', 'x'));
  });
});
