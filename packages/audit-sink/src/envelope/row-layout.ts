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
