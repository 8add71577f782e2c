import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../guard/find-secrets.js';
import { redactValue } from '../guard/redact-value.js';
import { ARGS_DIGEST_PATTERN, createArgsDigester } from './create-args-digester.js';

const keyArbitrary = fc.uint8Array({ minLength: 32, maxLength: 64 });
/** Any JSON value, unicode keys and strings included (well-formed: JSON.parse never makes a lone surrogate from UTF-8). */
const json = fc.jsonValue({ maxDepth: 4 });

/** The same object with its keys inserted in reverse order, all the way down. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  const reversed = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).reverse()) reversed[key] = reverseKeys((value as Record<string, unknown>)[key]);
  return reversed;
}

function digestOf(key: Uint8Array, args: unknown): string | undefined {
  const result = createArgsDigester({ key: Buffer.from(key).toString('base64') }).digest(args);
  return result.ok ? result.digest : undefined;
}

describe('createArgsDigester (properties)', () => {
  it('gives arguments that differ only in key order the same digest', () => {
    fc.assert(
      fc.property(keyArbitrary, json, (key, args) => {
        const digest = digestOf(key, args);
        expect(digest).toBeDefined();
        expect(digestOf(key, reverseKeys(args))).toBe(digest);
        expect(digestOf(key, JSON.parse(JSON.stringify(args)))).toBe(digest);
      }),
    );
  });

  it('gives different arguments different digests, and another key another digest', () => {
    fc.assert(
      fc.property(keyArbitrary, keyArbitrary, json, json, (key, otherKey, args, otherArgs) => {
        const sameText = JSON.stringify(sortDeep(args)) === JSON.stringify(sortDeep(otherArgs));
        if (!sameText) expect(digestOf(key, otherArgs)).not.toBe(digestOf(key, args));
        if (!Buffer.from(key).equals(Buffer.from(otherKey))) expect(digestOf(otherKey, args)).not.toBe(digestOf(key, args));
      }),
    );
  });

  it('makes digests the secret guard leaves alone and that hold no key bytes', () => {
    fc.assert(
      fc.property(keyArbitrary, json, (key, args) => {
        const digest = digestOf(key, args) ?? '';
        expect(digest).toMatch(/^hmac-sha256:[0-9a-f]{8}:[A-Za-z0-9_-]{43}$/);
        expect(digest).toMatch(ARGS_DIGEST_PATTERN);
        expect(findSecrets(digest)).toEqual([]);
        expect(redactValue({ args_digest: digest }, 'details').findings).toEqual([]);
        const bytes = Buffer.from(key);
        for (const form of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')])
          expect(digest).not.toContain(form);
      }),
    );
  });

  it('never throws on hostile input', () => {
    const digester = createArgsDigester({ key: Buffer.alloc(32, 1) });
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withObjectString: true,
          withBoxedValues: true,
        }),
        (value) => {
          const result = digester.digest(value);
          expect(result.ok || ['not_json', 'cyclic', 'too_deep', 'too_large', 'unreadable'].includes(result.reason)).toBe(true);
        },
      ),
    );
  });
});

/** A value with every object's keys sorted: equal text means equal after canonicalization. */
function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortDeep((value as Record<string, unknown>)[key])]),
  );
}
