import type { AuditEnvelope } from '@kora/audit-sink';
import { ENVELOPE_COLUMNS, toEnvelope } from './read-substrate-entries.js';
import type { SelectedRow } from './read-substrate-entries.js';
import type { SubstrateClient } from './substrate-client.js';
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

/**
 * The rows that arrived in the event log after the row `after`, in arrival order: what a live
 * panel shows next. Every host's rows are included. A row is delivered once it has been in the
 * table for `settleMs`, so that rows are never skipped when concurrent inserts commit out of
 * order; the price is that much delay. The arrival index `(ingested_at, id)` serves it.
 */
export async function readSubstrateArrivals(client: SubstrateClient, options: ReadSubstrateArrivalsOptions): Promise<SubstrateArrivals> {
  const table = parseSubstrateTable(options.table);
  const settle = `${Math.max(0, Math.floor(options.settleMs ?? DEFAULT_SETTLE_MS))} milliseconds`;
  const { after, maxRows } = options;
  let anchor = '';
  const values: unknown[] = [settle, maxRows + 1];
  if (after !== null) {
    const position = await client.query(`SELECT 1 FROM ${table.sql} WHERE id = $1::uuid`, [after]);
    if (position.rows.length === 0) return { found: false, rows: [], position: await readNewestArrivalId(client, options) };
    values.push(after);
    // Compared in the server: a JavaScript Date would cut ingested_at's microseconds and
    // deliver again the rows of the position's millisecond.
    anchor = `AND (events.ingested_at, events.id) > (SELECT ingested_at, id FROM ${table.sql} WHERE id = $3::uuid)`;
  }
  const result = await client.query<SelectedRow>(
    // `events.id`, the uuid: a bare `id` would be the selected text and defeat the index.
    `SELECT ${ENVELOPE_COLUMNS} FROM ${table.sql} AS events
      WHERE events.ingested_at < clock_timestamp() - $1::interval ${anchor}
      ORDER BY events.ingested_at, events.id LIMIT $2`,
    values,
  );
  if (result.rows.length > maxRows) return { found: false, rows: [], position: await readNewestArrivalId(client, options) };
  const rows: AuditEnvelope[] = [];
  for (const row of result.rows) {
    const entry = toEnvelope(row);
    if (entry !== undefined) rows.push(entry);
  }
  const last = result.rows[result.rows.length - 1];
  return { found: true, rows, position: last?.id ?? after };
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
  const result = await client.query<{ id: string }>(
    // Ordered by the uuid column, not the selected text of the same name, so the index serves it.
    `SELECT events.id::text AS id FROM ${table.sql} AS events
      WHERE events.ingested_at < clock_timestamp() - $1::interval ORDER BY events.ingested_at DESC, events.id DESC LIMIT 1`,
    [settle],
  );
  return result.rows[0]?.id ?? null;
}
