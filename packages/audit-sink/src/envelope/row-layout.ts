// The constants of a row's layout, in a module free of zod so that the reader's scanning
// thread loads nothing else.

/** The envelope schema version written into every row's `v`. */
export const AUDIT_SCHEMA_VERSION = 1;

/**
 * How every row's text begins. Inside JSON strings a quote is always escaped, so this
 * sequence appears only where a row starts: a reader can find a whole row glued after the
 * torn head of a row whose writer died mid-write.
 */
export const AUDIT_ROW_PREFIX = '{"v":1,"id":"';

/**
 * Where the header of a row as the sink writes it sits, in characters (all ASCII, so bytes too):
 * `{"v":1,"id":"<36>","emitted_at":"<24>","seam":"<name>",…`. A valid `id` and `emitted_at`
 * hold no escapes, so in a row that parses to a valid envelope they are exactly these spans.
 */
export const ROW_ID_START = AUDIT_ROW_PREFIX.length;
export const ROW_ID_END = ROW_ID_START + 36;
export const ROW_EMITTED_AT_SEPARATOR = '","emitted_at":"';
export const ROW_EMITTED_AT_START = ROW_ID_END + ROW_EMITTED_AT_SEPARATOR.length;
export const ROW_EMITTED_AT_END = ROW_EMITTED_AT_START + 24;
export const ROW_SEAM_SEPARATOR = '","seam":"';
export const ROW_SEAM_START = ROW_EMITTED_AT_END + ROW_SEAM_SEPARATOR.length;
