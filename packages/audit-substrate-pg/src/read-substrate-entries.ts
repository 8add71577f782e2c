import { SEAM_NAMES, auditEnvelope, decodeOpaqueCursor, encodeOpaqueCursor, parseReadFilters } from '@kora/audit-sink';
import type { AuditEnvelope, SeamName, TimeBound } from '@kora/audit-sink';
import { z } from 'zod';
import type { SubstrateClient } from './substrate-client.js';
import { queryWithGenericPlan } from './query-with-generic-plan.js';
import { parseSubstrateTable } from './substrate-table.js';

/** A time bound: a Date, an ISO-8601 string, or epoch milliseconds (the core's `TimeBound`). */
export type SubstrateTimeBound = TimeBound;

/** Which rows {@link readSubstrateEntries} returns; the same options as `readAuditEntries`. */
export interface ReadSubstrateEntriesOptions {
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /** Only rows of these seams (default: all). */
  readonly seams?: readonly SeamName[] | undefined;
  /** Only rows emitted at or after this time (inclusive). */
  readonly since?: SubstrateTimeBound | undefined;
  /** Only rows emitted before this time (exclusive). */
  readonly until?: SubstrateTimeBound | undefined;
  /** Rows per page, 1–10,000 (default 100). */
  readonly limit?: number | undefined;
  /** The `cursor` of the previous page, to continue with older rows. */
  readonly cursor?: string | null | undefined;
}

/** One page of rows from the event log. */
export interface ReadSubstrateEntriesResult {
  /**
   * Matching rows, newest first by `(emitted_at, id)`, each with the envelope's keys in the
   * envelope's order, `emitted_at` as ISO-8601 UTC with milliseconds, `details` an object.
   */
  entries: AuditEnvelope[];
  /** Pass as `cursor` for the next, older page; null once nothing older matches. */
  cursor: string | null;
  /** Rows in the table that fail the strict envelope schema (written by something else), passed over. */
  skipped: { invalid: number };
}

// The cursor: the oldest row of the page. Opaque to callers, parsed at the edge.
const cursorState = z.strictObject({
  v: z.literal(1),
  /** `emitted_at` of the page's oldest row, as returned. */
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
  /** Its id. */
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
});
type CursorState = z.infer<typeof cursorState>;

/** One row as selected. */
export interface SelectedRow {
  v: number;
  id: string;
  emitted_at: string;
  seam: string;
  source: string | null;
  caller_session_id: string | null;
  details: unknown;
  /** Null for a version 1 row. */
  writer: string | null;
  /** A bigint, which the driver gives as text; null for a version 1 row. */
  seq: string | null;
}

// emitted_at is rendered by the server as the file has it: UTC, milliseconds, `Z`. A
// timestamptz keeps microseconds, but rows come from millisecond strings, so nothing is cut.
// `emitted_at` and `id` are then text; a query orders by `sort_at`, `sort_id` (the columns
// themselves) or by qualified names, never by the bare names, or no index can serve it.
export const ENVELOPE_COLUMNS = `v, id::text AS id, to_char(emitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS emitted_at,
  seam, source, caller_session_id, details, writer::text AS writer, seq, emitted_at AS sort_at, id AS sort_id`;

/** A known seam name as an SQL literal; anything else is refused rather than quoted. */
function seamLiteral(seam: string): string {
  if (!(SEAM_NAMES as readonly string[]).includes(seam)) throw new RangeError(`readSubstrateEntries: unknown seam '${seam}'`);
  return `'${seam}'`;
}

/**
 * Read the event log newest first, one page at a time: the same options, order, row shape and
 * paging as `readAuditEntries` over the audit file, so a panel can read either. `since` is
 * inclusive, `until` exclusive; `limit` is 1–10,000 (default 100). Pages are keyset pages on
 * `(emitted_at, id)`: each costs an index range scan of at most `limit + 1` rows per seam,
 * however deep the page, and rows arriving meanwhile never shift a page. With several seams,
 * each seam's range is read from the `(seam, emitted_at, id)` index and the ranges merged.
 *
 * Rejects on bad options or a bad cursor (TypeError, RangeError) and on database errors.
 */
export async function readSubstrateEntries(
  client: SubstrateClient,
  options: ReadSubstrateEntriesOptions = {},
): Promise<ReadSubstrateEntriesResult> {
  const table = parseSubstrateTable(options.table);
  const { seams, sinceMs, untilMs, limit } = parseReadFilters('readSubstrateEntries', options);
  // No seam wanted, no row: as the file reader answers.
  if (seams !== undefined && seams.size === 0) return { entries: [], cursor: null, skipped: { invalid: 0 } };
  // As ISO strings, which the server parses exactly (epoch milliseconds would need a cast).
  const since = sinceMs === undefined ? undefined : new Date(sinceMs).toISOString();
  const until = untilMs === undefined ? undefined : new Date(untilMs).toISOString();
  const cursor = options.cursor == null ? undefined : decodeOpaqueCursor('readSubstrateEntries', options.cursor, cursorState);

  const values: unknown[] = [];
  const parameter = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const conditions: string[] = [];
  if (since !== undefined) conditions.push(`emitted_at >= ${parameter(since)}::timestamptz`);
  if (until !== undefined) conditions.push(`emitted_at < ${parameter(until)}::timestamptz`);
  if (cursor !== undefined) conditions.push(`(emitted_at, id) < (${parameter(cursor.at)}::timestamptz, ${parameter(cursor.id)}::uuid)`);
  // One row more than the page tells whether anything older is left.
  const fetch = parameter(limit + 1);
  // By the table's own columns: a bare `emitted_at` or `id` in ORDER BY names the output
  // column first, here the text `to_char(…)` and `id::text`, which no index holds, so every
  // page would read and sort every matching row.
  const order = 'ORDER BY sort_at DESC, sort_id DESC';
  const where = (extra: readonly string[]): string => {
    const all = [...extra, ...conditions];
    return all.length === 0 ? '' : `WHERE ${all.join(' AND ')}`;
  };

  let text: string;
  if (seams === undefined) {
    text = `SELECT ${ENVELOPE_COLUMNS} FROM ${table.sql} ${where([])} ${order} LIMIT ${fetch}`;
  } else {
    // A range per seam, each an index scan that stops after `limit + 1` rows, then merged:
    // `seam = ANY(…)` would make the server read and sort every row of the seams instead. The
    // seam is written into the statement, not passed as a value: the statement is planned once
    // per connection, and a plan for "some seam" assumes an average one, which on a full day's
    // partition reads the time index and filters instead of reading a rare seam's own range.
    // Only known seam names reach here (parseReadFilters refuses any other), sorted so that
    // one set of seams is one statement.
    const ranges = [...seams]
      .sort()
      .map((seam) => `(SELECT ${ENVELOPE_COLUMNS} FROM ${table.sql} ${where([`seam = ${seamLiteral(seam)}`])} ${order} LIMIT ${fetch})`);
    text = `SELECT * FROM (${ranges.join(' UNION ALL ')}) AS ranges ORDER BY sort_at DESC, sort_id DESC LIMIT ${fetch}`;
  }
  const rows = await queryWithGenericPlan<SelectedRow>(client, { text, values });
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const entries: AuditEnvelope[] = [];
  let invalid = 0;
  for (const row of page) {
    const entry = toEnvelope(row);
    if (entry === undefined) invalid += 1;
    else entries.push(entry);
  }
  const oldest = page[page.length - 1];
  const next =
    more && oldest !== undefined ? encodeOpaqueCursor({ v: 1, at: oldest.emitted_at, id: oldest.id } satisfies CursorState) : null;
  return { entries, cursor: next, skipped: { invalid } };
}

/** A selected row as an envelope, in the envelope's key order as the file has it; undefined when the strict schema refuses it. */
export function toEnvelope(row: SelectedRow): AuditEnvelope | undefined {
  const envelope: Record<string, unknown> = {
    v: row.v,
    id: row.id,
    emitted_at: row.emitted_at,
    seam: row.seam,
    source: row.source,
    caller_session_id: row.caller_session_id,
    details: row.details,
  };
  // Present as the file has them: a version 2 row ends with its writer and sequence number, a
  // version 1 row has neither key (the schema refuses a version 1 row that has them).
  if (row.writer !== null) envelope.writer = row.writer;
  if (row.seq !== null) envelope.seq = Number(row.seq);
  const parsed = auditEnvelope.safeParse(envelope);
  return parsed.success ? parsed.data : undefined;
}
