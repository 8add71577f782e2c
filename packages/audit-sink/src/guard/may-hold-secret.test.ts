import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHostileArbitraries } from '../testing/hostile-arbitraries.js';
import { findSecrets, mayHoldSecret } from './find-secrets.js';

const hostile = createHostileArbitraries(fc);

/** Every string in a JSON value, object keys included. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => [key, ...stringsOf(item)]);
  return [];
}

describe('mayHoldSecret', { timeout: 600_000 }, () => {
  it('answers false for text the guard leaves alone and true for any trigger in any case', () => {
    expect(mayHoldSecret('ticket_id=tkt-0042 state=normal priority=high')).toBe(false);
    expect(mayHoldSecret('{"tool_name":"kora__create_ticket","count":3}')).toBe(false);
    expect(mayHoldSecret('token XOXB-something')).toBe(true);
    expect(mayHoldSecret('Authorization: BEARER abc')).toBe(true);
    expect(mayHoldSecret('path C:\\temp')).toBe(true);
  });

  it('answers true for a %XX escape and for a card-shaped run of digits, which no literal marks', () => {
    expect(mayHoldSecret('to=ops%40example.com')).toBe(true);
    expect(mayHoldSecret('%c3')).toBe(true);
    expect(mayHoldSecret('4111111111111111')).toBe(true);
    expect(mayHoldSecret('4111 1111 1111 1111')).toBe(true);
    expect(mayHoldSecret('3782-822463-10005')).toBe(true);
    // A percent sign alone escapes nothing: it may send the text to findSecrets, which finds
    // nothing there. Unix times and Slack ts values are too short for a card.
    expect(findSecrets('100% done, 50%off')).toEqual([]);
    expect(mayHoldSecret('{"ts":"1700000000.000100","at":1733450000,"count":42}')).toBe(false);
  });

  it('is false only where findSecrets finds nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostile.text,
          hostile.textCarrier.map((carrier) => carrier.text),
        ),
        (text) => {
          if (!mayHoldSecret(text)) expect(findSecrets(text)).toEqual([]);
          if (findSecrets(text).length > 0) expect(mayHoldSecret(text)).toBe(true);
        },
      ),
      { numRuns: 5_000, seed: 0x6d6873 },
    );
  });

  it('vouches for every string inside a JSON text it calls clean', () => {
    const planted = fc.oneof(
      hostile.text,
      hostile.textCarrier.map((carrier) => carrier.text),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { arbitrary: planted, weight: 4 },
        {
          arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
          weight: 2,
        },
        { arbitrary: fc.array(tie('node'), { maxLength: 4 }), weight: 1 },
        { arbitrary: fc.dictionary(planted, tie('node'), { maxKeys: 4 }), weight: 1 },
      ),
    })).node;
    fc.assert(
      fc.property(value, (data) => {
        if (mayHoldSecret(JSON.stringify(data))) return;
        for (const text of stringsOf(data)) expect(findSecrets(text)).toEqual([]);
      }),
      { numRuns: 5_000, seed: 0x6a736f6e },
    );
  });
});
