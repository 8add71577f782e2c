import { AUDIT_ROW_PREFIXES } from '../envelope/row-layout.js';
import type { SeamName } from '../envelope/seam-names.js';
import { readSinkRowBytes } from './check-sink-row-bytes.js';

// The text is checked as its UTF-8 bytes, encoded into one buffer kept between calls: encoding
// a row costs a small part of what following it does, and one checker serves text and bytes.
// A Buffer, as the reader's own bytes are: the byte check's element reads then see one kind of array.
let encoded = Buffer.allocUnsafe(64 * 1024);
const encoder = new TextEncoder();

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
 * `__proto__`, nesting over 64 deep) is undefined: the parser and the schema decide. This is
 * {@link readSinkRowBytes} on the text's UTF-8 bytes, holding them to `text`. `_plainHint`, whether
 * the text holds no backslash and no control character, is taken from callers that worked it
 * out; the byte check learns the same in the pass it makes anyway, so it is not needed.
 */
export function readSinkRowSeam(text: string, _plainHint?: boolean): SeamName | undefined {
  if (!text.startsWith(AUDIT_ROW_PREFIXES[1]) && !text.startsWith(AUDIT_ROW_PREFIXES[0])) return undefined;
  // A UTF-16 code unit is at most three bytes of UTF-8.
  if (text.length * 3 > encoded.length) encoded = Buffer.allocUnsafe(Math.max(text.length * 3, encoded.length * 2));
  const { written } = encoder.encodeInto(text, encoded);
  return readSinkRowBytes(encoded, 0, written, 'text');
}
