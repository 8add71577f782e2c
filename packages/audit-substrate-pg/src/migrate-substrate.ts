import type { SubstrateClient } from './substrate-client.js';
import { withConnection } from './substrate-client.js';
import { SUBSTRATE_SCHEMA_VERSION, parseSubstrateTable } from './substrate-table.js';

/** Options of {@link migrateSubstrate}. */
export interface MigrateSubstrateOptions {
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
}

// Every host migrating at once takes this one lock, so two `CREATE … IF NOT EXISTS` never
// race (they can: both see no table, and the second fails on the catalog's unique index).
// Arbitrary and fixed: "kora" in ASCII, then 1.
const MIGRATION_LOCK_KEY = '7741532045410566145';

/**
 * Create the event-log table and the indexes the panel queries need, if they are missing.
 * Idempotent and safe from many hosts at once: it runs in one transaction under a
 * transaction-scoped advisory lock (`pg_advisory_xact_lock`). A table that already exists
 * (for example one the operator created partitioned by month) is left as it is; only missing
 * indexes are added.
 *
 * Resolves to the layout version now in place ({@link SUBSTRATE_SCHEMA_VERSION}). Rejects
 * when the database refuses (no permission, unreachable) or the table name is invalid.
 */
export async function migrateSubstrate(client: SubstrateClient, options: MigrateSubstrateOptions = {}): Promise<number> {
  const table = parseSubstrateTable(options.table);
  const statements = [
    `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`,
    ...(table.schema === undefined ? [] : [`CREATE SCHEMA IF NOT EXISTS "${table.schema}"`]),
    `CREATE TABLE IF NOT EXISTS ${table.sql} (
      id uuid PRIMARY KEY,
      v smallint NOT NULL,
      emitted_at timestamptz NOT NULL,
      seam text NOT NULL,
      source text,
      caller_session_id text,
      details jsonb NOT NULL,
      origin_host text NOT NULL,
      ingested_at timestamptz NOT NULL DEFAULT now()
    )`,
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
  await withConnection(client, async (connection) => {
    await connection.query('BEGIN');
    try {
      for (const statement of statements) await connection.query(statement);
      await connection.query('COMMIT');
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
  return SUBSTRATE_SCHEMA_VERSION;
}
