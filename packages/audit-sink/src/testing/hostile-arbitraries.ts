import type fcModule from 'fast-check';
import type { Arbitrary } from 'fast-check';
import {
  CREDENTIAL_FAMILIES,
  HOSTILE_STRINGS,
  HOSTILE_VALUE_KINDS,
  SECRET_SEPARATORS,
  buildCredential,
  makeHostileValue,
  ruleExampleSecrets,
} from './hostile-values.js';
import type { HostileValueKind, PlantedSecret } from './hostile-values.js';

/** A string with the secrets planted in it (none, one, or more). */
export interface Carrier {
  readonly text: string;
  readonly secrets: readonly string[];
}

/** Any generated value with the secrets planted in it. */
export interface Planted {
  readonly value: unknown;
  readonly secrets: readonly string[];
}

/** The arbitraries {@link createHostileArbitraries} builds. */
export interface HostileArbitraries {
  /** One character: any code point, lone surrogates, C0/C1 controls, line breaks, bidi controls. */
  readonly character: Arbitrary<string>;
  /** Short text of hostile characters and {@link HOSTILE_STRINGS}. */
  readonly text: Arbitrary<string>;
  /** 1–`maxLength` printable ASCII characters without spaces. */
  readonly printableAscii: (maxLength: number) => Arbitrary<string>;
  /** A fresh credential of any family, or one of the guard's own examples. */
  readonly plantedSecret: Arbitrary<PlantedSecret>;
  /** `around`, a separator, a planted secret, a separator, `around`. */
  readonly carrier: (around: Arbitrary<string>, separators?: readonly string[]) => Arbitrary<Carrier>;
  /** Hostile text, with a planted secret more often than not, now and then dozens of short ones. */
  readonly textCarrier: Arbitrary<Carrier>;
  /** A planted secret that is also a valid identifier (`ghp_…`, `AKIA…`), as a type name could be. */
  readonly identifierCarrier: Arbitrary<Carrier>;
  /** A hostile value kind; the slow ones (huge, sparse, deep) are rare. */
  readonly hostileKind: Arbitrary<HostileValueKind>;
  /** A hostile value carrying a planted secret, object kinds holding it under each of `keys`. */
  readonly hostileValue: (keys?: readonly string[], around?: Arbitrary<Carrier>) => Arbitrary<Planted>;
  /** Anything: text, numbers of every kind, lists of text, hostile values. */
  readonly anyValue: (keys?: readonly string[]) => Arbitrary<Planted>;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Megabyte-scale walks and lines: rare, so that 10 000 runs stay within seconds.
const SLOW_KINDS: ReadonlySet<HostileValueKind> = new Set(['huge-string', 'huge-array', 'sparse-array', 'deep']);

/**
 * The hostile-input arbitraries every seam's property tests share, built on the caller's
 * fast-check (passed in, so that this module needs fast-check only as a type).
 */
export function createHostileArbitraries(fc: typeof fcModule): HostileArbitraries {
  const character = fc.oneof(
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 4 },
    { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 4 },
    { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)), weight: 1 },
    {
      arbitrary: fc
        .integer({ min: 0, max: 0x9f })
        .filter((code) => code < 0x20 || code > 0x7e)
        .map((code) => String.fromCharCode(code)),
      weight: 1,
    },
    { arbitrary: fc.constantFrom('\u2028', '\u2029', '\u0085', '\r', '\n'), weight: 1 },
    // A terminal's CSI, and the bidi controls that reorder how a line reads.
    { arbitrary: fc.constantFrom('\x9b', '\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c'), weight: 1 },
  );
  const text = fc
    .array(fc.oneof(fc.string({ unit: character, maxLength: 12 }), fc.constantFrom(...HOSTILE_STRINGS)), { maxLength: 4 })
    .map((parts) => parts.join(''));
  const printableAscii = (maxLength: number): Arbitrary<string> =>
    fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength });

  const entropy = fc.string({ unit: fc.constantFrom(...ALPHANUMERIC), minLength: 64, maxLength: 64 });
  const plantedSecret = fc.oneof(
    fc.tuple(fc.constantFrom(...CREDENTIAL_FAMILIES), entropy).map(([family, seed]) => buildCredential(family, seed)),
    fc.constantFrom(...ruleExampleSecrets()),
  );
  const carrier = (around: Arbitrary<string>, separators: readonly string[] = SECRET_SEPARATORS): Arbitrary<Carrier> =>
    fc
      .tuple(around, fc.constantFrom(...separators), plantedSecret, fc.constantFrom(...separators), around)
      .map(([before, open, planted, close, after]) => ({
        text: `${before}${open}${planted.text}${close}${after}`,
        secrets: [planted.secret],
      }));
  // Many short secrets: each becomes a longer `[REDACTED:<rule>]` marker, so a value that fits
  // its cap as sent can outgrow its allow-list once redacted.
  const denseCarrier = fc
    .tuple(fc.integer({ min: 1, max: 60 }), fc.constantFrom(' ', ',', '\n', ';', '\u00e9'))
    .map(([count, separator]): Carrier => {
      const parts = Array.from({ length: count }, (_, index) => (index % 2 === 0 ? `user${index}@b.co` : `pwd=${index}`));
      return { text: parts.join(separator), secrets: parts.filter((part) => part.includes('@')) };
    });
  const textCarrier = fc.oneof(
    { arbitrary: carrier(text), weight: 6 },
    { arbitrary: text.map((plain): Carrier => ({ text: plain, secrets: [] })), weight: 4 },
    { arbitrary: denseCarrier, weight: 1 },
  );

  const identifierCarrier = plantedSecret
    .filter((planted) => /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/.test(planted.text))
    .map((planted): Carrier => ({ text: planted.text, secrets: [planted.secret] }));

  const hostileKind = fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_VALUE_KINDS.filter((kind) => !SLOW_KINDS.has(kind))), weight: 30 },
    { arbitrary: fc.constantFrom(...HOSTILE_VALUE_KINDS.filter((kind) => SLOW_KINDS.has(kind))), weight: 1 },
  );
  const hostileValue = (keys: readonly string[] = ['value'], around: Arbitrary<Carrier> = carrier(text)): Arbitrary<Planted> =>
    fc.tuple(hostileKind, around).map(([kind, { text: carried, secrets }]) => ({ value: makeHostileValue(kind, carried, keys), secrets }));
  const textList = fc
    .array(textCarrier, { maxLength: 6 })
    .map((items): Planted => ({ value: items.map((item) => item.text), secrets: items.flatMap((item) => item.secrets) }));
  const anyValue = (keys?: readonly string[]): Arbitrary<Planted> =>
    fc.oneof(
      { arbitrary: textCarrier.map(({ text: value, secrets }): Planted => ({ value, secrets })), weight: 4 },
      {
        arbitrary: fc
          .oneof(fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, Number.MAX_VALUE))
          .map((value): Planted => ({ value, secrets: [] })),
        weight: 2,
      },
      { arbitrary: textList, weight: 2 },
      { arbitrary: hostileValue(keys), weight: 4 },
    );

  return { character, text, printableAscii, plantedSecret, carrier, textCarrier, identifierCarrier, hostileKind, hostileValue, anyValue };
}
