import type { AuditEnvelope } from '@kora/audit-sink';
import { ENVELOPE_COLUMNS, toEnvelope } from './read-substrate-entries.js';
import type { SelectedRow } from './read-substrate-entries.js';
import type { SubstrateClient } from './substrate-client.js';
import { queryWithGenericPlan } from './query-with-generic-plan.js';
import { parseSubstrateTable } from './substrate-table.js';

/**
 * How long a row stays out of the live stream after it arrives. Rows are ordered by arrival
 * (`ingested_at`, the start of the inserting transaction), but a transaction that started
 * earlier can commit later: a row shown only once this long has passed cannot be overtaken by
 * one that arrived before it, as long as inserts take less than this (a batch takes
 * milliseconds).
 */
export const DEFAULT_SETTLE_MS = 2_000;

/** Options of {@link readSubstrateArrivals}. */
export interface ReadSubstrateArrivalsOptions {
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /** The id of the last row already delivered; null for a table that held none. */
  readonly after: string | null;
  /** More rows than this since `after` counts as lost: the reader should start over. */
  readonly maxRows: number;
  /** How long a row waits before it is delivered, in milliseconds (default 2 s). */
  readonly settleMs?: number | undefined;
}

/** The rows that arrived after a position, and the position now. */
export type SubstrateArrivals =
  | {
      readonly found: true;
      /** Rows of every seam that arrived after the position, in arrival order. */
      readonly rows: AuditEnvelope[];
      /** The last delivered row's id: the next position (unchanged when nothing arrived). */
      readonly position: string | null;
    }
  | {
      /** The position's row is gone (retention deleted it) or too far behind to follow. */
      readonly found: false;
      readonly rows: [];
      /** The newest settled row's id, to follow from instead. */
      readonly position: string | null;
    };

// Where each delivered position sits in arrival order, `(ingested_at, id)`, so that the next
// poll starts from it without looking the row up: on a table partitioned by `emitted_at`, a
// lookup by id alone probes every partition. Rows never change their ingested_at, so an entry
// is never stale. Kept per client (two databases may hold the same row, arrived at different
// times) and bounded; a position forgotten is looked up again.
const knownPositions = new WeakMap<object, Map<string, string>>();
const KNOWN_POSITIONS_MAX = 4_096;

function rememberPosition(client: SubstrateClient, key: string, arrivedAt: string): void {
  let known = knownPositions.get(client);
  if (known === undefined) knownPositions.set(client, (known = new Map<string, string>()));
  known.delete(key);
  known.set(key, arrivedAt);
  if (known.size > KNOWN_POSITIONS_MAX) {
    const oldest = known.keys().next();
    if (oldest.done !== true) known.delete(oldest.value);
  }
}

// ingested_at keeps microseconds; as ISO text in UTC it goes back to the server exactly.
const ARRIVED_AT = `to_char(events.ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS arrived_at`;

/**
 * The rows that arrived in the event log after the row `after`, in arrival order: what a live
 * panel shows next. Every host's rows are included. A row is delivered once it has been in the
 * table for `settleMs`, so that rows are never skipped when concurrent inserts commit out of
 * order; the price is that much delay. The arrival index `(ingested_at, id)` serves it, on a
 * partitioned table each partition's. A position this process delivered is followed from
 * where it was even once retention has deleted its row; one it did not deliver (a reconnecting
 * client's) is looked up, and `found: false` answers when its row is gone.
 */
export async function readSubstrateArrivals(client: SubstrateClient, options: ReadSubstrateArrivalsOptions): Promise<SubstrateArrivals> {
  const table = parseSubstrateTable(options.table);
  const settle = `${Math.max(0, Math.floor(options.settleMs ?? DEFAULT_SETTLE_MS))} milliseconds`;
  const { after, maxRows } = options;
  let anchor = '';
  const values: unknown[] = [settle, maxRows + 1];
  if (after !== null) {
    const key = `${table.name}\n${after}`;
    let arrivedAt = knownPositions.get(client)?.get(key);
    if (arrivedAt === undefined) {
      const position = await client.query<{ arrived_at: string }>(
        `SELECT ${ARRIVED_AT} FROM ${table.sql} AS events WHERE events.id = $1::uuid`,
        [after],
      );
      arrivedAt = position.rows[0]?.arrived_at;
      if (arrivedAt === undefined) return { found: false, rows: [], position: await readNewestArrivalId(client, options) };
    }
    values.push(arrivedAt, after);
    // Compared in the server: a JavaScript Date would cut ingested_at's microseconds and
    // deliver again the rows of the position's millisecond.
    anchor = 'AND (events.ingested_at, events.id) > ($3::timestamptz, $4::uuid)';
  }
  const rows = await queryWithGenericPlan<SelectedRow & { arrived_at: string }>(client, {
    // One name per table and form: a connection prepares each once, and a name keeps one text.
    name: `kora_audit_arrivals_${after === null ? 'first' : 'next'}_${table.name}`,
    // `events.id`, the uuid: a bare `id` would be the selected text and defeat the index.
    text: `SELECT ${ENVELOPE_COLUMNS}, ${ARRIVED_AT} FROM ${table.sql} AS events
      WHERE events.ingested_at < clock_timestamp() - $1::interval ${anchor}
      ORDER BY events.ingested_at, events.id LIMIT $2`,
    values,
  });
  if (rows.length > maxRows) return { found: false, rows: [], position: await readNewestArrivalId(client, options) };
  const entries: AuditEnvelope[] = [];
  for (const row of rows) {
    const entry = toEnvelope(row);
    if (entry !== undefined) entries.push(entry);
  }
  const last = rows[rows.length - 1];
  if (last !== undefined) rememberPosition(client, `${table.name}\n${last.id}`, last.arrived_at);
  return { found: true, rows: entries, position: last?.id ?? after };
}

/**
 * Where a live panel starts: the id of the newest row that has settled (see
 * {@link readSubstrateArrivals}), or null when none has. Rows still settling are delivered as
 * arrivals after it.
 */
export async function readNewestArrivalId(
  client: SubstrateClient,
  options: { readonly table?: string | undefined; readonly settleMs?: number | undefined } = {},
): Promise<string | null> {
  const table = parseSubstrateTable(options.table);
  const settle = `${Math.max(0, Math.floor(options.settleMs ?? DEFAULT_SETTLE_MS))} milliseconds`;
  const rows = await queryWithGenericPlan<{ id: string; arrived_at: string }>(client, {
    name: `kora_audit_arrivals_newest_${table.name}`,
    // Ordered by the uuid column, not the selected text of the same name, so the index serves it.
    text: `SELECT events.id::text AS id, ${ARRIVED_AT} FROM ${table.sql} AS events
      WHERE events.ingested_at < clock_timestamp() - $1::interval ORDER BY events.ingested_at DESC, events.id DESC LIMIT 1`,
    values: [settle],
  });
  const newest = rows[0];
  if (newest === undefined) return null;
  rememberPosition(client, `${table.name}\n${newest.id}`, newest.arrived_at);
  return newest.id;
}
