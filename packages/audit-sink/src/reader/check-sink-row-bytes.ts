import {
  AUDIT_ROW_PREFIX,
  ISO_UTC_MILLIS_SHAPE,
  MAX_CALLER_SESSION_ID_LENGTH,
  ROW_EMITTED_AT_END,
  ROW_EMITTED_AT_SEPARATOR,
  ROW_EMITTED_AT_START,
  ROW_ID_END,
  ROW_ID_START,
  ROW_SEAM_SEPARATOR,
  ROW_SEAM_START,
  ROW_SEQ_SEPARATOR,
  ROW_SPAN_ID_SEPARATOR,
  ROW_TRACE_ID_SEPARATOR,
  ROW_VERSION_OFFSET,
  ROW_WRITER_SEPARATOR,
  SPAN_ID_LENGTH,
  TRACE_ID_LENGTH,
  UUID_V7_SHAPE,
  shapeByteTable,
} from '../envelope/row-layout.js';
import { AUDIT_SOURCES, SEAM_NAMES } from '../envelope/seam-names.js';
import type { SeamName } from '../envelope/seam-names.js';

const PREFIX = Buffer.from(AUDIT_ROW_PREFIX);
const VERSION_1 = 0x31;
const VERSION_2 = 0x32;
const WRITER_SEPARATOR = Buffer.from(ROW_WRITER_SEPARATOR);
const SEQ_SEPARATOR = Buffer.from(ROW_SEQ_SEPARATOR);
const TRACE_ID_SEPARATOR = Buffer.from(ROW_TRACE_ID_SEPARATOR);
const SPAN_ID_SEPARATOR = Buffer.from(ROW_SPAN_ID_SEPARATOR);
// A sequence number is at most Number.MAX_SAFE_INTEGER, 16 digits.
const MAX_SEQ_DIGITS = String(Number.MAX_SAFE_INTEGER).length;
const AT_SEPARATOR = Buffer.from(ROW_EMITTED_AT_SEPARATOR);
const SEAM_SEPARATOR = Buffer.from(ROW_SEAM_SEPARATOR);
const BEFORE_SOURCE = Buffer.from(',"source":');
const BEFORE_CALLER = Buffer.from(',"caller_session_id":');
const BEFORE_DETAILS = Buffer.from(',"details":');
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const PROTO_KEY = Buffer.from('"__proto__"');
// The seams by their first letter (the `audit.*` family shares one); the sources each begin
// with a different letter: one candidate per byte.
const SEAMS_BY_FIRST_BYTE = allByFirstByte(SEAM_NAMES.map((name) => ({ name, bytes: Buffer.from(`${name}"`) })));
const SOURCE_BY_FIRST_BYTE = byFirstByte(
  AUDIT_SOURCES.map((name) => ({ name, bytes: Buffer.from(`"${name}"`) })),
  1,
);
const UUID_V7_BYTES = shapeByteTable(UUID_V7_SHAPE);
const ISO_UTC_MILLIS_BYTES = shapeByteTable(ISO_UTC_MILLIS_SHAPE);
// Values nested deeper than this are left to the parser rather than followed here.
const MAX_DEPTH = 64;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * What a row's bytes may hold for {@link readSinkRowBytes} to vouch for it:
 * - `ascii`: printable ASCII only (no byte of 0x7f or above, no backslash, no control
 *   character), so that the bytes are their text and may be copied to a terminal as they are;
 * - `text`: any well-formed UTF-8 without control characters, and escapes inside `details`
 *   values and keys below its top level — what `JSON.parse` of the decoded text takes. The
 *   bytes must be well-formed UTF-8 (encoded from a string, as {@link readSinkRowSeam} does).
 */
export type SinkRowBytes = 'ascii' | 'text';

// The lowest byte a string of the row being checked may not hold: DEL when it is held to ASCII.
let stringBytesBelow = 0x7f;

/**
 * The seam of the row `bytes[from, to)` when it is exactly in the sink's own layout and valid,
 * or undefined to say "parse it". Defined is a promise: `JSON.parse` of the decoded text
 * succeeds, `isAuditEnvelope` accepts the value, and its `id` and `emitted_at` are the bytes
 * (and characters) at their fixed offsets (13 and 65). A reader that wants the row's text or
 * bytes only can then skip the parse, which costs several times this check.
 *
 * The layout is the sink's: compact JSON, the envelope's keys in order, no escapes in any
 * envelope value. Within `details` any JSON without whitespace is followed (escapes only when
 * `holding` is `text`). A version 2 row may end in its trace fields after `seq`. Anything else (whitespace, escapes in the envelope, a `details` key
 * spelled with an escape or named `__proto__`, nesting over 64 deep) is undefined. With
 * `holding` of `ascii` (the default), a row that is not plain printable ASCII is undefined
 * too: because ASCII bytes decode to the same characters, a printer may then write the row's
 * bytes as they are, without decoding it at all, and they hold nothing a terminal acts on.
 */
export function readSinkRowBytes(bytes: Uint8Array, from: number, to: number, holding: SinkRowBytes = 'ascii'): SeamName | undefined {
  if (to - from <= ROW_SEAM_START || !hasRowPrefix(bytes, from)) return undefined;
  if (!matchesShape(bytes, from + ROW_ID_START, UUID_V7_BYTES) || !matchesAt(bytes, from + ROW_ID_END, AT_SEPARATOR)) return undefined;
  if (
    !matchesShape(bytes, from + ROW_EMITTED_AT_START, ISO_UTC_MILLIS_BYTES) ||
    !matchesAt(bytes, from + ROW_EMITTED_AT_END, SEAM_SEPARATOR)
  )
    return undefined;
  stringBytesBelow = holding === 'ascii' ? 0x7f : 0x100;
  let at = from + ROW_SEAM_START;
  const seam = SEAMS_BY_FIRST_BYTE[bytes[at]!]?.find((candidate) => matchesAt(bytes, at, candidate.bytes));
  if (seam === undefined) return undefined;
  at += seam.bytes.length;

  if (!matchesAt(bytes, at, BEFORE_SOURCE)) return undefined;
  at += BEFORE_SOURCE.length;
  if (matchesAt(bytes, at, NULL)) {
    at += NULL.length;
  } else {
    const source = SOURCE_BY_FIRST_BYTE[bytes[at + 1]!];
    if (source === undefined || !matchesAt(bytes, at, source.bytes)) return undefined;
    at += source.bytes.length;
  }

  if (!matchesAt(bytes, at, BEFORE_CALLER)) return undefined;
  at += BEFORE_CALLER.length;
  if (matchesAt(bytes, at, NULL)) {
    at += NULL.length;
  } else {
    const callerEnd = bytes[at] === QUOTE ? plainStringEnd(bytes, at + 1, to) : -1;
    // Never more code units than bytes: only a long one is counted.
    if (
      callerEnd === -1 ||
      (callerEnd - at - 1 > MAX_CALLER_SESSION_ID_LENGTH && utf16Length(bytes, at + 1, callerEnd) > MAX_CALLER_SESSION_ID_LENGTH)
    )
      return undefined;
    at = callerEnd + 1;
  }

  if (!matchesAt(bytes, at, BEFORE_DETAILS)) return undefined;
  at = skipObject(bytes, at + BEFORE_DETAILS.length, to, 1, true);
  if (at !== -1 && bytes[from + ROW_VERSION_OFFSET] === VERSION_2) {
    at = writerEnd(bytes, at, to);
    if (at !== -1 && bytes[at] === 0x2c /* , */) at = traceEnd(bytes, at);
  }
  // The envelope's closing brace ends the row.
  return at !== -1 && at === to - 1 && bytes[at] === 0x7d ? seam.name : undefined;
}

/**
 * Whether `bytes` holds the row prefix of a version the reader accepts at `offset`:
 * `{"v":1,"id":"` or `{"v":2,"id":"`.
 */
export function hasRowPrefix(bytes: Uint8Array, offset: number): boolean {
  const version = bytes[offset + ROW_VERSION_OFFSET];
  if (version !== VERSION_1 && version !== VERSION_2) return false;
  for (let index = 0; index < PREFIX.length; index += 1) {
    if (index !== ROW_VERSION_OFFSET && bytes[offset + index] !== PREFIX[index]) return false;
  }
  return true;
}

/**
 * Where a version 2 row's writer and sequence number start after `details` (`,"writer":"…","seq":N`),
 * and the index after them; -1 when they are not there in the sink's layout.
 */
function writerEnd(bytes: Uint8Array, at: number, to: number): number {
  if (!matchesAt(bytes, at, WRITER_SEPARATOR)) return -1;
  const writerStart = at + WRITER_SEPARATOR.length;
  if (!matchesShape(bytes, writerStart, UUID_V7_BYTES)) return -1;
  const seqSeparator = writerStart + UUID_V7_SHAPE.length;
  if (!matchesAt(bytes, seqSeparator, SEQ_SEPARATOR)) return -1;
  const seqStart = seqSeparator + SEQ_SEPARATOR.length;
  return readSeqEnd(bytes, seqStart, to);
}

/**
 * The index after a version 2 row's trace fields at `at` (`,"trace_id":"<32>","span_id":"<16>"`),
 * or -1 when they are not there in the sink's layout or either id is not a valid one.
 */
function traceEnd(bytes: Uint8Array, at: number): number {
  if (!matchesAt(bytes, at, TRACE_ID_SEPARATOR)) return -1;
  const traceStart = at + TRACE_ID_SEPARATOR.length;
  if (!isLowerHexId(bytes, traceStart, TRACE_ID_LENGTH)) return -1;
  const spanSeparator = traceStart + TRACE_ID_LENGTH;
  if (!matchesAt(bytes, spanSeparator, SPAN_ID_SEPARATOR)) return -1;
  const spanStart = spanSeparator + SPAN_ID_SEPARATOR.length;
  if (!isLowerHexId(bytes, spanStart, SPAN_ID_LENGTH) || bytes[spanStart + SPAN_ID_LENGTH] !== QUOTE) return -1;
  return spanStart + SPAN_ID_LENGTH + 1;
}

/** Whether `bytes[start, start + length)` are lower-case hex digits, not all `0`. */
function isLowerHexId(bytes: Uint8Array, start: number, length: number): boolean {
  let zeros = true;
  for (let index = start; index < start + length; index += 1) {
    const byte = bytes[index];
    if (byte === undefined || !((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66))) return false;
    if (byte !== 0x30) zeros = false;
  }
  return !zeros;
}

/**
 * The index after the sequence number starting at `start` (a decimal integer from 1 to
 * `Number.MAX_SAFE_INTEGER`, no leading zero), or -1.
 */
export function readSeqEnd(bytes: Uint8Array, start: number, to: number): number {
  if (bytes[start] === 0x30) return -1;
  let index = start;
  while (index < to && isDigit(bytes[index])) index += 1;
  const digits = index - start;
  if (digits === 0 || digits > MAX_SEQ_DIGITS) return -1;
  if (
    digits === MAX_SEQ_DIGITS &&
    Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, digits).toString('latin1')) > Number.MAX_SAFE_INTEGER
  )
    return -1;
  return index;
}

/** Whether `bytes` holds `expected` at `offset`. */
export function matchesAt(bytes: Uint8Array, offset: number, expected: Uint8Array): boolean {
  for (let index = 0; index < expected.length; index += 1) {
    if (bytes[offset + index] !== expected[index]) return false;
  }
  return true;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function isHexDigit(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46));
}

/** The candidates under the first byte of their bytes. */
function allByFirstByte<T extends { readonly bytes: Buffer }>(candidates: readonly T[]): (T[] | undefined)[] {
  const table: (T[] | undefined)[] = new Array<T[] | undefined>(256).fill(undefined);
  for (const candidate of candidates) (table[candidate.bytes[0]!] ??= []).push(candidate);
  return table;
}

/** Each candidate under the byte at `offset` of its bytes, which must differ between candidates. */
function byFirstByte<T extends { readonly bytes: Buffer }>(candidates: readonly T[], offset: number): (T | undefined)[] {
  const table: (T | undefined)[] = new Array<T | undefined>(256).fill(undefined);
  for (const candidate of candidates) {
    const byte = candidate.bytes[offset]!;
    if (table[byte] !== undefined) throw new Error('check-sink-row-bytes: two candidates share a first letter');
    table[byte] = candidate;
  }
  return table;
}

/** Whether the bytes from `start` have the shape whose {@link shapeByteTable} is `table`. */
function matchesShape(bytes: Uint8Array, start: number, table: Uint8Array): boolean {
  const length = table.length >> 8;
  for (let offset = 0; offset < length; offset += 1) {
    if (table[(offset << 8) | (bytes[start + offset] ?? 0)] !== 1) return false;
  }
  return true;
}

/**
 * The string `bytes[start, end)` of well-formed UTF-8 counts in UTF-16 code units, as a string's
 * `length` does: a character of four bytes is two, any other one.
 */
function utf16Length(bytes: Uint8Array, start: number, end: number): number {
  let units = 0;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index]!;
    if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
  }
  return units;
}

/**
 * The index of the quote closing the string whose content starts at `start`, when the content
 * has no escape and no control character (and, held to ASCII, no byte of 0x7f or above); -1
 * otherwise.
 */
function plainStringEnd(bytes: Uint8Array, start: number, end: number): number {
  const below = stringBytesBelow;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index]!;
    if (byte === QUOTE) return index;
    if (byte < 0x20 || byte === BACKSLASH || byte >= below) return -1;
  }
  return -1;
}

/** The index after the JSON string starting with the quote at `start`, or -1. */
function skipString(bytes: Uint8Array, start: number, end: number): number {
  if (bytes[start] !== QUOTE) return -1;
  // Held to ASCII, a string holds no escape.
  if (stringBytesBelow === 0x7f) {
    const close = plainStringEnd(bytes, start + 1, end);
    return close === -1 ? -1 : close + 1;
  }
  for (let index = start + 1; index < end;) {
    const byte = bytes[index]!;
    if (byte === QUOTE) return index + 1;
    if (byte < 0x20) return -1;
    if (byte !== BACKSLASH) {
      index += 1;
      continue;
    }
    const escaped = bytes[index + 1];
    if (escaped === 0x75 /* u */) {
      for (let digit = index + 2; digit < index + 6; digit += 1) {
        if (!isHexDigit(bytes[digit])) return -1;
      }
      index += 6;
    } else if (
      escaped === QUOTE ||
      escaped === BACKSLASH ||
      escaped === 0x2f ||
      escaped === 0x62 ||
      escaped === 0x66 ||
      escaped === 0x6e ||
      escaped === 0x72 ||
      escaped === 0x74
    ) {
      index += 2;
    } else {
      return -1;
    }
  }
  return -1;
}

/** The index after the JSON number starting at `start`, or -1. */
function skipNumber(bytes: Uint8Array, start: number): number {
  let index = start;
  if (bytes[index] === 0x2d /* - */) index += 1;
  if (bytes[index] === 0x30 /* 0 */) {
    index += 1;
  } else {
    if (!isDigit(bytes[index])) return -1;
    while (isDigit(bytes[index])) index += 1;
  }
  if (bytes[index] === 0x2e /* . */) {
    index += 1;
    if (!isDigit(bytes[index])) return -1;
    while (isDigit(bytes[index])) index += 1;
  }
  const exponent = bytes[index];
  if (exponent === 0x65 || exponent === 0x45 /* e E */) {
    index += 1;
    const sign = bytes[index];
    if (sign === 0x2b || sign === 0x2d) index += 1;
    if (!isDigit(bytes[index])) return -1;
    while (isDigit(bytes[index])) index += 1;
  }
  return index;
}

/** The index after the JSON value starting at `start` (no whitespace), or -1. */
function skipValue(bytes: Uint8Array, start: number, end: number, depth: number): number {
  const byte = bytes[start];
  if (byte === QUOTE) return skipString(bytes, start, end);
  if (byte === 0x7b /* { */) return skipObject(bytes, start, end, depth + 1, false);
  if (byte === 0x5b /* [ */) return skipArray(bytes, start, end, depth + 1);
  if (byte === 0x74 /* t */) return matchesAt(bytes, start, TRUE) ? start + TRUE.length : -1;
  if (byte === 0x66 /* f */) return matchesAt(bytes, start, FALSE) ? start + FALSE.length : -1;
  if (byte === 0x6e /* n */) return matchesAt(bytes, start, NULL) ? start + NULL.length : -1;
  return skipNumber(bytes, start);
}

/**
 * The index after the JSON object starting at `start`, or -1. For the envelope's `details`
 * (`ownKeys`), a key written with an escape or named `__proto__` is -1: JSON.parse would make
 * it an own `__proto__`, which the envelope refuses.
 */
function skipObject(bytes: Uint8Array, start: number, end: number, depth: number, ownKeys: boolean): number {
  if (depth > MAX_DEPTH || bytes[start] !== 0x7b) return -1;
  let index = start + 1;
  if (bytes[index] === 0x7d /* } */) return index + 1;
  for (;;) {
    let keyEnd: number;
    if (ownKeys) {
      const close = bytes[index] === QUOTE ? plainStringEnd(bytes, index + 1, end) : -1;
      if (close === -1 || (close + 1 - index === PROTO_KEY.length && matchesAt(bytes, index, PROTO_KEY))) return -1;
      keyEnd = close + 1;
    } else {
      keyEnd = skipString(bytes, index, end);
    }
    if (keyEnd === -1 || bytes[keyEnd] !== 0x3a /* : */) return -1;
    index = skipValue(bytes, keyEnd + 1, end, depth);
    // A value is never followed past the row's end into the bytes after it.
    if (index === -1 || index >= end) return -1;
    const next = bytes[index];
    if (next === 0x7d) return index + 1;
    if (next !== 0x2c /* , */) return -1;
    index += 1;
  }
}

/** The index after the JSON array starting at `start`, or -1. */
function skipArray(bytes: Uint8Array, start: number, end: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  let index = start + 1;
  if (bytes[index] === 0x5d /* ] */) return index + 1;
  for (;;) {
    index = skipValue(bytes, index, end, depth);
    if (index === -1 || index >= end) return -1;
    const next = bytes[index];
    if (next === 0x5d) return index + 1;
    if (next !== 0x2c) return -1;
    index += 1;
  }
}
