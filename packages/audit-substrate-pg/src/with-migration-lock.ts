import type pg from 'pg';
import type { SubstrateClient } from './substrate-client.js';
import { withConnection } from './substrate-client.js';

// Every host migrating at once takes this one lock, so two `CREATE … IF NOT EXISTS` never
// race (they can: both see no table, and the second fails on the catalog's unique index).
// Partitions are created and dropped under it too. Arbitrary and fixed: "kora" in ASCII, then 1.
const MIGRATION_LOCK_KEY = '7741532045410566145';

/**
 * Run `body` in one transaction holding the migration lock, on one connection. Rolls back and
 * rejects when any statement fails.
 */
export async function withMigrationLock<T>(client: SubstrateClient, body: (connection: pg.ClientBase) => Promise<T>): Promise<T> {
  return withConnection(client, async (connection) => {
    await connection.query('BEGIN');
    try {
      await connection.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      const result = await body(connection);
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
