import type { DecodedText } from './guard-types.js';

const PERCENT = 0x25;

function hexDigit(unit: number): number {
  if (unit >= 0x30 && unit <= 0x39) return unit - 0x30;
  const lower = unit | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The byte a `%XX` at `index` spells, or -1 when there is none. */
function byteAt(text: string, index: number): number {
  if (index + 2 >= text.length || text.charCodeAt(index) !== PERCENT) return -1;
  const high = hexDigit(text.charCodeAt(index + 1));
  const low = hexDigit(text.charCodeAt(index + 2));
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

/** How many bytes a UTF-8 sequence starting with `lead` has; 0 for a byte that starts none. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  return lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
}

/** The range of a sequence's second byte: narrower after some leads, which rules out overlong forms and surrogates. */
function secondByteRange(lead: number): readonly [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  return lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
}

const REPLACEMENT_CHARACTER = 0xfffd;

/**
 * What the `%XX` escapes at `index` decode to, and where they end: the code point of a
 * well-formed UTF-8 sequence, or U+FFFD for one escape that starts none; undefined when
 * `index` holds no escape.
 */
function decodeSequence(text: string, index: number): { codePoint: number; end: number } | undefined {
  const lead = byteAt(text, index);
  if (lead < 0) return undefined;
  const malformed = { codePoint: REPLACEMENT_CHARACTER, end: index + 3 };
  const length = sequenceLength(lead);
  if (length === 0) return malformed;
  let codePoint = length === 1 ? lead : lead & (0xff >> (length + 1));
  for (let position = 1; position < length; position += 1) {
    const next = byteAt(text, index + 3 * position);
    const [low, high] = position === 1 ? secondByteRange(lead) : [0x80, 0xbf];
    if (next < low || next > high) return malformed;
    codePoint = (codePoint << 6) | (next & 0x3f);
  }
  return { codePoint, end: index + 3 * length };
}

/**
 * `text` with its `%XX` escapes decoded as UTF-8 (as in a URL), or undefined when it has none.
 *
 * An escape that does not belong to a well-formed sequence (`%C3` alone, an overlong form, a
 * surrogate) reads as U+FFFD, one per escape, as a browser decodes it: were it kept as
 * written, its hex digits could glue onto what follows (`%C3` then an escaped card number
 * reads as a longer number) and hide it. `+` stays `+`: it is a space only in form bodies.
 * The offset tables are built only when asked for, as by `decodePythonEscapes`.
 */
export function decodePercentEscapes(text: string, withOffsets: boolean): DecodedText | undefined {
  let decoded = '';
  const from: number[] = [];
  const to: number[] = [];
  let cursor = 0;
  let changed = false;
  for (let index = text.indexOf('%'); index !== -1;) {
    const sequence = decodeSequence(text, index);
    if (sequence === undefined) {
      index = text.indexOf('%', index + 1);
      continue;
    }
    decoded += text.slice(cursor, index);
    const character = String.fromCodePoint(sequence.codePoint);
    decoded += character;
    if (withOffsets) {
      for (let plain = cursor; plain < index; plain += 1) {
        from.push(plain);
        to.push(plain + 1);
      }
      for (let unit = 0; unit < character.length; unit += 1) {
        from.push(index);
        to.push(sequence.end);
      }
    }
    cursor = sequence.end;
    changed = true;
    index = text.indexOf('%', cursor);
  }
  if (!changed) return undefined;
  decoded += text.slice(cursor);
  if (withOffsets) {
    for (let plain = cursor; plain < text.length; plain += 1) {
      from.push(plain);
      to.push(plain + 1);
    }
  }
  return { text: decoded, from, to };
}
