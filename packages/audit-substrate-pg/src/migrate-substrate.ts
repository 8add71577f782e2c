import { readIntegerOption } from '@kora/audit-sink';
import type pg from 'pg';
import { createDayPartitions, daysAheadRange } from './partitions/create-day-partitions.js';
import { readSubstrateLayout } from './partitions/read-substrate-layout.js';
import type { SubstrateClient } from './substrate-client.js';
import { SUBSTRATE_SCHEMA_VERSION, parseSubstrateTable } from './substrate-table.js';
import type { SubstrateTable } from './substrate-table.js';
import { withMigrationLock } from './with-migration-lock.js';

/** Options of {@link migrateSubstrate}. */
export interface MigrateSubstrateOptions {
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /**
   * The layout of a table this call creates: `plain` (the default) or `daily`, partitioned by
   * range on `emitted_at` with one partition per UTC day and a default partition, so retention
   * drops whole days (`pruneSubstrate`). A table that exists keeps its layout.
   */
  readonly layout?: 'plain' | 'daily' | undefined;
  /**
   * On a partitioned table: how many UTC days after today get their partition ahead of time,
   * 0–366 (default 7). Any table partitioned by range on `emitted_at` is kept covered.
   */
  readonly daysAhead?: number | undefined;
  /** The clock that says which day today is (default: this machine's). */
  readonly now?: (() => Date) | undefined;
}

/** The days ahead {@link migrateSubstrate} covers with partitions when not told. */
export const DEFAULT_DAYS_AHEAD = 7;

/** Check `daysAhead` of `owner`'s options: a TypeError or RangeError names the function and the option. */
export function parseDaysAhead(owner: string, value: number | undefined): number {
  return readIntegerOption(owner, 'daysAhead', value, { min: 0, max: 366, fallback: DEFAULT_DAYS_AHEAD });
}

function createTableStatement(table: SubstrateTable, layout: 'plain' | 'daily'): string {
  // A partitioned table's unique keys must hold the partition key: (id, emitted_at). Ids are
  // UUIDv7 and a re-shipped row carries its first `emitted_at`, so it still conflicts.
  const key = layout === 'daily' ? 'PRIMARY KEY (id, emitted_at)' : 'PRIMARY KEY (id)';
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
      id uuid NOT NULL,
      v smallint NOT NULL,
      emitted_at timestamptz NOT NULL,
      seam text NOT NULL,
      source text,
      caller_session_id text,
      details jsonb NOT NULL,
      origin_host text NOT NULL,
      ingested_at timestamptz NOT NULL DEFAULT now(),
      ${WRITER_COLUMNS.map((column) => `${column.name} ${column.type}`).join(',\n      ')},
      ${key}
    )${layout === 'daily' ? ' PARTITION BY RANGE (emitted_at)' : ''}`;
}

// Version 2 envelopes name their writer and their place in its sequence; version 1 rows have
// neither, so both columns are nullable. Last in the table, where a table made before them
// has them once migrated, so both have the same columns in the same order.
const WRITER_COLUMNS = [
  { name: 'writer', type: 'uuid' },
  { name: 'seq', type: 'bigint' },
] as const;

/**
 * Add the columns a table made before them lacks. Nullable without a default, a column is added
 * to the catalog only: no row is rewritten, however large the table. `ALTER TABLE` waits for
 * every query on the table to end and makes every later one wait for it, so it runs only when a
 * column is missing, not on each start; on a partitioned table it reaches every partition.
 */
async function addMissingColumns(connection: pg.ClientBase, table: SubstrateTable): Promise<void> {
  const found = await connection.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    [table.sql],
  );
  const present = new Set(found.rows.map((row) => row.name));
  const missing = WRITER_COLUMNS.filter((column) => !present.has(column.name));
  if (missing.length === 0) return;
  await connection.query(
    `ALTER TABLE ${table.sql} ${missing.map((column) => `ADD COLUMN IF NOT EXISTS ${column.name} ${column.type}`).join(', ')}`,
  );
}

function indexStatements(table: SubstrateTable): string[] {
  // On a partitioned table each is created on every partition, and on every later one.
  return [
    // Newest first over all seams, and keyset paging on (emitted_at, id).
    `CREATE INDEX IF NOT EXISTS "${table.timeIndex}" ON ${table.sql} (emitted_at DESC, id DESC)`,
    // Newest first within one seam: a panel of several seams reads one range per seam.
    `CREATE INDEX IF NOT EXISTS "${table.seamIndex}" ON ${table.sql} (seam, emitted_at DESC, id DESC)`,
    // Arrival order, for the panels' live streams: the rows that came in since the last poll.
    `CREATE INDEX IF NOT EXISTS "${table.ingestIndex}" ON ${table.sql} (ingested_at, id)`,
    // Newest row per origin host, for the lag check: one short descent per host, not a scan of
    // the host's rows (the newest of a silent host is hours deep in the time index).
    `CREATE INDEX IF NOT EXISTS "${table.hostIndex}" ON ${table.sql} (origin_host, emitted_at DESC) INCLUDE (ingested_at)`,
  ];
}

/**
 * Create the event-log table and the indexes the panel queries need, if they are missing, and
 * on a table partitioned by range on `emitted_at` the partitions of today and the next
 * `daysAhead` UTC days and a default partition. Idempotent and safe from many hosts at once: it
 * runs in one transaction under a transaction-scoped advisory lock (`pg_advisory_xact_lock`).
 * A table that already exists (for example one the operator partitioned by month) keeps its
 * layout; only missing columns, indexes and partitions are added (a table of layout version 2
 * gains the nullable `writer` and `seq` columns in place, without rewriting a row). The shipper and the daemon call it at
 * start, so a partitioned table stays covered as long as they restart or `kora-audit db prune`
 * runs at least every `daysAhead` days; rows of an uncovered day land in the default partition
 * and are moved out when their day's partition is created.
 *
 * Resolves to the layout version now in place ({@link SUBSTRATE_SCHEMA_VERSION}). Rejects
 * when the database refuses (no permission, unreachable), when `layout` asks for daily
 * partitions of a table that exists without them, or on invalid options (RangeError).
 */
export async function migrateSubstrate(client: SubstrateClient, options: MigrateSubstrateOptions = {}): Promise<number> {
  const table = parseSubstrateTable(options.table);
  const layout = options.layout ?? 'plain';
  if (layout !== 'plain' && layout !== 'daily')
    throw new RangeError(`migrateSubstrate: layout must be 'plain' or 'daily', got ${String(layout)}`);
  const daysAhead = parseDaysAhead('migrateSubstrate', options.daysAhead);
  const covered = daysAheadRange(options.now?.() ?? new Date(), daysAhead);
  await withMigrationLock(client, async (connection) => {
    if (table.schema !== undefined) await connection.query(`CREATE SCHEMA IF NOT EXISTS "${table.schema}"`);
    await connection.query(createTableStatement(table, layout));
    await addMissingColumns(connection, table);
    for (const statement of indexStatements(table)) await connection.query(statement);
    const found = await readSubstrateLayout(connection, table);
    if (layout === 'daily' && found.kind !== 'partitioned') {
      throw new RangeError(
        `${table.name} exists without partitions: convert it as docs/fleet.md describes, or migrate without layout 'daily'`,
      );
    }
    if (found.kind === 'partitioned') {
      await createDayPartitions(connection, table, found.partitions, covered);
    }
  });
  return SUBSTRATE_SCHEMA_VERSION;
}
