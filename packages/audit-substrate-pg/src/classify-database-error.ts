import { readErrorCode } from '@kora/audit-sink';

/**
 * What a failed insert means for the rows in it:
 * - `unavailable`: the database could not be reached or is restarting; retry the same rows later.
 * - `rejected`: the server refused the data itself (a value it cannot store); retrying the same
 *   rows can never succeed, so the bad row must be found and passed over.
 * - `missing_table`: the table is gone; create it again, then retry.
 * - `refused`: anything else (no permission, a wrong column): an operator must act; retry later.
 */
export type DatabaseErrorKind = 'unavailable' | 'rejected' | 'missing_table' | 'refused';

/** Classify an error from `pg` by its code: a SQLSTATE, or a Node error code for the socket. */
export function classifyDatabaseError(error: unknown): DatabaseErrorKind {
  const code = readDatabaseErrorCode(error);
  if (code === '42P01' || code === '3F000') return 'missing_table';
  // 22: data exception (bad uuid, timestamp out of range, invalid JSON, NUL in text);
  // 54000: a value too large (a jsonb over its limit).
  if (code.startsWith('22') || code === '54000') return 'rejected';
  // 08: connection exception; 57P0x: shutdown or crash recovery; 53: out of resources;
  // 40001/40P01: serialization failure, deadlock; 55P03: lock not available; 57014: the
  // statement ran past statement_timeout (a server too slow for now).
  if (/^(08|53|57P0|57014|40001|40P01|55P03)/.test(code)) return 'unavailable';
  // No SQLSTATE: the socket failed (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE), the server
  // closed the connection, or the pool timed out connecting.
  if (!/^[0-9A-Z]{5}$/.test(code)) return 'unavailable';
  return 'refused';
}

// pg's own timeouts are plain errors without a code: named here, so a warning says which.
const PG_TIMEOUTS: ReadonlyMap<string, string> = new Map([
  ['Query read timeout', 'query_timeout'],
  ['timeout expired', 'connect_timeout'],
  ['Connection terminated due to connection timeout', 'connect_timeout'],
  ['timeout exceeded when trying to connect', 'connect_timeout'],
]);

/**
 * A database error's code for a log line: the SQLSTATE or Node code ({@link readErrorCode}),
 * `query_timeout` or `connect_timeout` for the driver's timeouts, else the error's name, else
 * `unknown`.
 */
export function readDatabaseErrorCode(error: unknown): string {
  const code = readErrorCode(error);
  if (code !== undefined) return code;
  if (!(error instanceof Error)) return 'unknown';
  return PG_TIMEOUTS.get(error.message) ?? error.name;
}
