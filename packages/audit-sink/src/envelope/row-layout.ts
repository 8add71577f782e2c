// The constants of a row's layout, in a module free of zod so that the reader's scanning
// thread loads nothing else. The schema, the hand checks and the sink all take them from here.

/**
 * The envelope schema version the sink writes into every row's `v`: 2, which adds the
 * writer's id and sequence number (`writer`, `seq`) after `details`. Rows of version 1 have
 * neither and stay readable everywhere.
 */
export const AUDIT_SCHEMA_VERSION = 2;

/** Every envelope version a reader accepts. */
export const AUDIT_SCHEMA_VERSIONS = [1, 2] as const;

/** The largest sequence number: the largest integer a JSON reader holds exactly. */
export const MAX_WRITER_SEQ = Number.MAX_SAFE_INTEGER;

/** The longest `caller_session_id`, in UTF-16 code units (a JavaScript string's length). */
export const MAX_CALLER_SESSION_ID_LENGTH = 256;

/**
 * The shapes of a row's `id` and `emitted_at`, one character per character: `h` is a
 * lower-case hex digit, `v` the RFC 4122 variant (8, 9, a or b), `d` a decimal digit; any
 * other character stands for itself. The id is a lower-case UUIDv7 (version nibble 7); the
 * time is ISO-8601 UTC with exactly milliseconds and `Z`, as `Date#toISOString` writes it.
 */
export const UUID_V7_SHAPE = 'hhhhhhhh-hhhh-7hhh-vhhh-hhhhhhhhhhhh';
export const ISO_UTC_MILLIS_SHAPE = 'dddd-dd-ddTdd:dd:dd.dddZ';

const SHAPE_CLASSES: Readonly<Record<string, string>> = { h: '0123456789abcdef', v: '89ab', d: '0123456789' };
// As the schema has always spelled them (`\d` is ASCII digits only in a pattern without the `u` flag).
const CLASS_PATTERNS: Readonly<Record<string, string>> = { h: '[0-9a-f]', d: '\\d' };

/** A regular expression source (unanchored) matching exactly the strings of a shape. */
export function shapePattern(shape: string): string {
  let pattern = '';
  for (let index = 0; index < shape.length;) {
    const char = shape[index]!;
    let run = 1;
    while (shape[index + run] === char) run += 1;
    const chars = SHAPE_CLASSES[char];
    const unit = chars === undefined ? char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : (CLASS_PATTERNS[char] ?? `[${chars}]`);
    pattern += run === 1 ? unit : `${unit}{${run}}`;
    index += run;
  }
  return pattern;
}

/**
 * A shape as a byte table: entry `(offset << 8) | byte` is 1 where the byte may stand at that
 * offset. A check of bytes against it is one lookup per byte, and a byte past the end of the
 * data (undefined, so 0) never matches.
 */
export function shapeByteTable(shape: string): Uint8Array {
  const table = new Uint8Array(shape.length << 8);
  for (let offset = 0; offset < shape.length; offset += 1) {
    const char = shape[offset]!;
    for (const allowed of SHAPE_CLASSES[char] ?? char) table[(offset << 8) | allowed.charCodeAt(0)] = 1;
  }
  return table;
}

/**
 * How every row's text begins. Inside JSON strings a quote is always escaped, so this
 * sequence appears only where a row starts: a reader can find a whole row glued after the
 * torn head of a row whose writer died mid-write.
 */
export const AUDIT_ROW_PREFIX = '{"v":1,"id":"';

/** {@link AUDIT_ROW_PREFIX} of each version a reader accepts; they differ at {@link ROW_VERSION_OFFSET} only. */
export const AUDIT_ROW_PREFIXES = ['{"v":1,"id":"', '{"v":2,"id":"'] as const;

/** Where the version digit of a row as the sink writes it stands. */
export const ROW_VERSION_OFFSET = 5;

/**
 * What follows `details` in a row of version 2: `,"writer":"<36>","seq":<integer>}`. The writer
 * id is a UUIDv7 (the id of the writer's `audit.opened` row); the sequence number is a decimal
 * integer from 1 without leading zeros.
 */
export const ROW_WRITER_SEPARATOR = ',"writer":"';
export const ROW_SEQ_SEPARATOR = '","seq":';

/**
 * Where the header of a row as the sink writes it sits, in characters (all ASCII, so bytes too):
 * `{"v":1,"id":"<36>","emitted_at":"<24>","seam":"<name>",…`. A valid `id` and `emitted_at`
 * hold no escapes, so in a row that parses to a valid envelope they are exactly these spans.
 */
export const ROW_ID_START = AUDIT_ROW_PREFIX.length;
export const ROW_ID_END = ROW_ID_START + UUID_V7_SHAPE.length;
export const ROW_EMITTED_AT_SEPARATOR = '","emitted_at":"';
export const ROW_EMITTED_AT_START = ROW_ID_END + ROW_EMITTED_AT_SEPARATOR.length;
export const ROW_EMITTED_AT_END = ROW_EMITTED_AT_START + ISO_UTC_MILLIS_SHAPE.length;
export const ROW_SEAM_SEPARATOR = '","seam":"';
export const ROW_SEAM_START = ROW_EMITTED_AT_END + ROW_SEAM_SEPARATOR.length;

/**
 * A W3C Trace Context trace id and span id as a row carries them: 32 and 16 lower-case hex
 * digits, never all zeros (the all-zero ids are invalid in Trace Context).
 */
export const TRACE_ID_LENGTH = 32;
export const SPAN_ID_LENGTH = 16;

/**
 * What may follow `seq` in a row of version 2 made while a trace was active:
 * `,"trace_id":"<32>","span_id":"<16>"`, both or neither, before the closing brace. Nothing
 * before them moves, so a reader of the fixed offsets reads such a row as any other.
 */
export const ROW_TRACE_ID_SEPARATOR = ',"trace_id":"';
export const ROW_SPAN_ID_SEPARATOR = '","span_id":"';
/** The length of the trace fields after `seq`, closing quote included: 75 characters. */
export const ROW_TRACE_SUFFIX_LENGTH = ROW_TRACE_ID_SEPARATOR.length + TRACE_ID_LENGTH + ROW_SPAN_ID_SEPARATOR.length + SPAN_ID_LENGTH + 1;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ALL_ZEROS = /^0+$/;

/** Whether `value` is a trace id as a row carries it: 32 lower-case hex digits, not all zeros. */
export function isRowTraceId(value: unknown): boolean {
  return typeof value === 'string' && TRACE_ID.test(value) && !ALL_ZEROS.test(value);
}

/** Whether `value` is a span id as a row carries it: 16 lower-case hex digits, not all zeros. */
export function isRowSpanId(value: unknown): boolean {
  return typeof value === 'string' && SPAN_ID.test(value) && !ALL_ZEROS.test(value);
}
