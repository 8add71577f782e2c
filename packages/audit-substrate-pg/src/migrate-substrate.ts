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

// The signed checkpoints of audit files' Merkle trees, kept off the host that wrote the file: one
// row per (origin, size), never changed once stored. The checks repeat what `insertCheckpoint`
// validates, so a row written by other means holds to the same shape: a one-line origin of at
// most 1 KiB without control characters, a size of 0 or more, a root that is the standard base64
// of 32 bytes (43 characters, the last with its two spare bits zero, and one `=`), a note of at
// most 64 KiB.
function checkpointTableStatement(table: SubstrateTable): string {
  return `CREATE TABLE IF NOT EXISTS ${table.checkpointsSql} (
      origin text NOT NULL CHECK (octet_length(origin) BETWEEN 1 AND 1024 AND origin !~ '[\\x01-\\x1f\\x7f]'),
      size bigint NOT NULL CHECK (size >= 0),
      root text NOT NULL CHECK (root ~ '^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$'),
      note text NOT NULL CHECK (octet_length(note) BETWEEN 1 AND 65536),
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (origin, size)
    )`;
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

/** What a connection that does not own the table finds missing, if anything. */
interface MigrationState {
  /** The table exists and the session may act as its owner (or no table exists yet). */
  readonly owner: boolean;
  /** What the layout lacks: column, index and table names. Empty when it is current. */
  readonly missing: readonly string[];
}

function notPartitioned(table: SubstrateTable): RangeError {
  return new RangeError(
    `${table.name} exists without partitions: convert it as docs/fleet.md describes, or migrate without layout 'daily'`,
  );
}

/**
 * Read whether the session owns the table and what of the current layout it lacks. A session
 * that does not own the table (an append-only writer role) cannot run the DDL at all, even
 * `CREATE … IF NOT EXISTS` of what exists: PostgreSQL checks the privilege before the name.
 */
async function readMigrationState(connection: pg.ClientBase, table: SubstrateTable): Promise<MigrationState> {
  const found = await connection.query<{ owner: boolean; columns: string[]; indexes: string[]; checkpoints: boolean }>(
    `SELECT pg_has_role(c.relowner, 'USAGE') AS owner,
            ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped) AS columns,
            ARRAY(SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid) AS indexes,
            to_regclass($2) IS NOT NULL AS checkpoints
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table.sql, table.checkpointsSql],
  );
  const state = found.rows[0];
  if (state === undefined) return { owner: true, missing: [table.relation] };
  const columns = new Set(state.columns);
  const indexes = new Set(state.indexes);
  // PostgreSQL cuts a longer name to 63 bytes; these are ASCII.
  const wanted = [table.timeIndex, table.seamIndex, table.ingestIndex, table.hostIndex].map((name) => name.slice(0, 63));
  return {
    owner: state.owner,
    missing: [
      ...WRITER_COLUMNS.filter((column) => !columns.has(column.name)).map((column) => column.name),
      ...wanted.filter((name) => !indexes.has(name)),
      ...(state.checkpoints ? [] : [table.checkpointsRelation]),
    ],
  };
}

/**
 * Create the event-log table and the indexes the panel queries need, if they are missing, the
 * checkpoint table beside it (`<table>_checkpoints`, see `insertCheckpoint`), and on a table
 * partitioned by range on `emitted_at` the partitions of today and the next `daysAhead` UTC
 * days and a default partition. Idempotent and safe from many hosts at once: it
 * runs in one transaction under a transaction-scoped advisory lock (`pg_advisory_xact_lock`).
 * A table that already exists (for example one the operator partitioned by month) keeps its
 * layout; only missing columns, indexes and partitions are added (a table of layout version 2
 * gains the nullable `writer` and `seq` columns in place, without rewriting a row). The
 * shipper and the daemon call it at start, so a partitioned table stays covered as long as they restart or `kora-audit db prune`
 * runs at least every `daysAhead` days; rows of an uncovered day land in the default partition
 * and are moved out when their day's partition is created.
 *
 * A session that does not own the table (a role given `grantWriter`'s append-only rights) runs
 * no DDL: when the layout is current it only checks it, and it leaves the days ahead to the
 * owner; when something is missing it rejects, naming what, so the owner runs the migration.
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
    const state = await readMigrationState(connection, table);
    if (!state.owner) {
      // An append-only writer role: no DDL. The days ahead are the owner's (`db migrate`, `db
      // prune`); rows of a day without its partition land in the default one meanwhile.
      if (state.missing.length > 0) {
        throw new Error(
          `${table.name} lacks ${state.missing.join(', ')} of layout version ${SUBSTRATE_SCHEMA_VERSION}, and only its owner can add them: run kora-audit db migrate as the owner`,
        );
      }
      const found = await readSubstrateLayout(connection, table);
      if (layout === 'daily' && found.kind !== 'partitioned') throw notPartitioned(table);
      if (found.kind === 'partitioned' && !found.partitions.some((partition) => partition.isDefault)) {
        throw new Error(`${table.name} has no default partition, and only its owner can add it: run kora-audit db migrate as the owner`);
      }
      return;
    }
    if (table.schema !== undefined) await connection.query(`CREATE SCHEMA IF NOT EXISTS "${table.schema}"`);
    await connection.query(createTableStatement(table, layout));
    await addMissingColumns(connection, table);
    for (const statement of indexStatements(table)) await connection.query(statement);
    await connection.query(checkpointTableStatement(table));
    const found = await readSubstrateLayout(connection, table);
    if (layout === 'daily' && found.kind !== 'partitioned') throw notPartitioned(table);
    if (found.kind === 'partitioned') {
      await createDayPartitions(connection, table, found.partitions, covered);
    }
  });
  return SUBSTRATE_SCHEMA_VERSION;
}
