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
  UUID_V7_SHAPE,
  shapePattern,
} from '../envelope/row-layout.js';
import { AUDIT_SOURCES, isSeamName } from '../envelope/seam-names.js';
import type { SeamName } from '../envelope/seam-names.js';

// The envelope's patterns, anchored where the sink writes the values.
const UUID_V7 = new RegExp(`${shapePattern(UUID_V7_SHAPE)}"`, 'y');
const ISO_UTC_MILLIS = new RegExp(`${shapePattern(ISO_UTC_MILLIS_SHAPE)}"`, 'y');
const BEFORE_SOURCE = ',"source":';
const BEFORE_CALLER = ',"caller_session_id":';
const BEFORE_DETAILS = ',"details":';
// Values nested deeper than this are left to the parser rather than followed here.
const MAX_DEPTH = 64;

// A row with neither has no escape and no control character anywhere: every string in it
// ends at its next quote, found at memchr speed instead of character by character.
const ESCAPE_OR_CONTROL = /[\\\x00-\x1f]/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const sources: ReadonlySet<string> = new Set(AUDIT_SOURCES);

/**
 * The seam of a row whose text is exactly in the sink's own layout and valid, or undefined to
 * say "parse it". Defined is a promise: `JSON.parse(text)` succeeds, `isAuditEnvelope` accepts
 * the value, and its `id` and `emitted_at` are the 36 and 24 characters at their fixed offsets
 * (13 and 65). A reader that wants the row's text only can then skip the parse, which costs
 * several times this check.
 *
 * The layout is the sink's: compact JSON, the envelope's keys in order, no escapes in any
 * envelope value. Within `details` any JSON without whitespace is followed. Anything else
 * (whitespace, escapes in the envelope, a `details` key spelled with an escape or named
 * `__proto__`, nesting over 64 deep) is undefined: the parser and the schema decide.
 * `plainHint`, when the caller already knows it, says whether the text holds no backslash and no
 * control character; it must be right.
 */
export function readSinkRowSeam(text: string, plainHint?: boolean): SeamName | undefined {
  if (!text.startsWith(AUDIT_ROW_PREFIX)) return undefined;
  plain = plainHint ?? !ESCAPE_OR_CONTROL.test(text);
  UUID_V7.lastIndex = ROW_ID_START;
  if (!UUID_V7.test(text) || !text.startsWith(ROW_EMITTED_AT_SEPARATOR, ROW_ID_END)) return undefined;
  ISO_UTC_MILLIS.lastIndex = ROW_EMITTED_AT_START;
  if (!ISO_UTC_MILLIS.test(text) || !text.startsWith(ROW_SEAM_SEPARATOR, ROW_EMITTED_AT_END)) return undefined;
  const seamEnd = plainStringEnd(text, ROW_SEAM_START);
  if (seamEnd === -1) return undefined;
  const seam = text.slice(ROW_SEAM_START, seamEnd);
  if (!isSeamName(seam)) return undefined;

  let at = seamEnd + 1;
  if (!text.startsWith(BEFORE_SOURCE, at)) return undefined;
  at += BEFORE_SOURCE.length;
  if (text.startsWith('null', at)) {
    at += 4;
  } else {
    const sourceEnd = text.charCodeAt(at) === QUOTE ? plainStringEnd(text, at + 1) : -1;
    if (sourceEnd === -1 || !sources.has(text.slice(at + 1, sourceEnd))) return undefined;
    at = sourceEnd + 1;
  }

  if (!text.startsWith(BEFORE_CALLER, at)) return undefined;
  at += BEFORE_CALLER.length;
  if (text.startsWith('null', at)) {
    at += 4;
  } else {
    const callerEnd = text.charCodeAt(at) === QUOTE ? plainStringEnd(text, at + 1) : -1;
    if (callerEnd === -1 || callerEnd - (at + 1) > MAX_CALLER_SESSION_ID_LENGTH) return undefined;
    at = callerEnd + 1;
  }

  if (!text.startsWith(BEFORE_DETAILS, at)) return undefined;
  at = skipObject(text, at + BEFORE_DETAILS.length, 1, true);
  // The envelope's closing brace ends the line.
  return at !== -1 && at === text.length - 1 && text.charCodeAt(at) === 0x7d ? seam : undefined;
}

// Whether the row being checked is free of escapes and control characters.
let plain = false;

/**
 * The index of the quote closing the string whose content starts at `start`, when the
 * content has no escape and no control character; -1 otherwise.
 */
function plainStringEnd(text: string, start: number): number {
  if (plain) return text.indexOf('"', start);
  for (let index = start; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index;
    if (code === BACKSLASH || code < 0x20) return -1;
  }
  return -1;
}

/** The index after the JSON string starting with the quote at `start`, or -1. */
function skipString(text: string, start: number): number {
  if (text.charCodeAt(start) !== QUOTE) return -1;
  if (plain) {
    const end = text.indexOf('"', start + 1);
    return end === -1 ? -1 : end + 1;
  }
  for (let index = start + 1; index < text.length; ) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index + 1;
    if (code < 0x20) return -1;
    if (code !== BACKSLASH) {
      index += 1;
      continue;
    }
    const escaped = text.charCodeAt(index + 1);
    if (escaped === 0x75 /* u */) {
      for (let digit = index + 2; digit < index + 6; digit += 1) {
        if (!isHexDigit(text.charCodeAt(digit))) return -1;
      }
      index += 6;
    } else if (escaped === QUOTE || escaped === BACKSLASH || escaped === 0x2f || escaped === 0x62 || escaped === 0x66 || escaped === 0x6e || escaped === 0x72 || escaped === 0x74) {
      index += 2;
    } else {
      return -1;
    }
  }
  return -1;
}

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The index after the JSON number starting at `start`, or -1. */
function skipNumber(text: string, start: number): number {
  let index = start;
  if (text.charCodeAt(index) === 0x2d /* - */) index += 1;
  if (text.charCodeAt(index) === 0x30 /* 0 */) {
    index += 1;
  } else {
    if (!isDigit(text.charCodeAt(index)) ) return -1;
    while (isDigit(text.charCodeAt(index))) index += 1;
  }
  if (text.charCodeAt(index) === 0x2e /* . */) {
    index += 1;
    if (!isDigit(text.charCodeAt(index))) return -1;
    while (isDigit(text.charCodeAt(index))) index += 1;
  }
  const exponent = text.charCodeAt(index);
  if (exponent === 0x65 || exponent === 0x45 /* e E */) {
    index += 1;
    const sign = text.charCodeAt(index);
    if (sign === 0x2b || sign === 0x2d) index += 1;
    if (!isDigit(text.charCodeAt(index))) return -1;
    while (isDigit(text.charCodeAt(index))) index += 1;
  }
  return index;
}

/** The index after the JSON value starting at `start` (no whitespace), or -1. */
function skipValue(text: string, start: number, depth: number): number {
  const code = text.charCodeAt(start);
  if (code === QUOTE) return skipString(text, start);
  if (code === 0x7b /* { */) return skipObject(text, start, depth + 1, false);
  if (code === 0x5b /* [ */) return skipArray(text, start, depth + 1);
  if (code === 0x74 /* t */) return text.startsWith('true', start) ? start + 4 : -1;
  if (code === 0x66 /* f */) return text.startsWith('false', start) ? start + 5 : -1;
  if (code === 0x6e /* n */) return text.startsWith('null', start) ? start + 4 : -1;
  return skipNumber(text, start);
}

/**
 * The index after the JSON object starting at `start`, or -1. For the envelope's `details`
 * (`ownKeys`), a key written with an escape or named `__proto__` is -1: JSON.parse would make
 * it an own `__proto__`, which the envelope refuses.
 */
function skipObject(text: string, start: number, depth: number, ownKeys: boolean): number {
  if (depth > MAX_DEPTH || text.charCodeAt(start) !== 0x7b) return -1;
  let index = start + 1;
  if (text.charCodeAt(index) === 0x7d) return index + 1;
  for (;;) {
    let keyEnd: number;
    if (ownKeys) {
      const close = text.charCodeAt(index) === QUOTE ? plainStringEnd(text, index + 1) : -1;
      if (close === -1 || (close - index === 10 && text.startsWith('__proto__', index + 1))) return -1;
      keyEnd = close + 1;
    } else {
      keyEnd = skipString(text, index);
    }
    if (keyEnd === -1 || text.charCodeAt(keyEnd) !== 0x3a /* : */) return -1;
    index = skipValue(text, keyEnd + 1, depth);
    if (index === -1) return -1;
    const next = text.charCodeAt(index);
    if (next === 0x7d) return index + 1;
    if (next !== 0x2c /* , */) return -1;
    index += 1;
  }
}

/** The index after the JSON array starting at `start`, or -1. */
function skipArray(text: string, start: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  let index = start + 1;
  if (text.charCodeAt(index) === 0x5d /* ] */) return index + 1;
  for (;;) {
    index = skipValue(text, index, depth);
    if (index === -1) return -1;
    const next = text.charCodeAt(index);
    if (next === 0x5d) return index + 1;
    if (next !== 0x2c) return -1;
    index += 1;
  }
}
