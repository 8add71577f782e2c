import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  uniqueTableName,
} from './__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { SUBSTRATE_SCHEMA_VERSION } from './substrate-table.js';

describeWithPostgres('migrateSubstrate', () => {
  const pool = createTestPool();
  const tables: string[] = [];
  const fresh = (): string => {
    const table = uniqueTableName('migrate');
    tables.push(table);
    return table;
  };
  afterAll(async () => {
    for (const table of tables) await dropTable(pool, table);
    await pool.query('DROP SCHEMA IF EXISTS kora_test_schema CASCADE');
    await pool.end();
  });

  it('creates the table with its columns, the two panel indexes, the host index and the arrival index', async () => {
    const table = fresh();
    expect(await migrateSubstrate(pool, { table })).toBe(SUBSTRATE_SCHEMA_VERSION);
    const columns = await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
      'SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    );
    expect(columns.rows.map((row) => `${row.column_name} ${row.data_type} ${row.is_nullable}`)).toEqual([
      'id uuid NO',
      'v smallint NO',
      'emitted_at timestamp with time zone NO',
      'seam text NO',
      'source text YES',
      'caller_session_id text YES',
      'details jsonb NO',
      'origin_host text NO',
      'ingested_at timestamp with time zone NO',
    ]);
    const indexes = await pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [
      table,
    ]);
    expect(indexes.rows.map((row) => row.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (emitted_at DESC, id DESC)',
      'btree (origin_host, emitted_at DESC) INCLUDE (ingested_at)',
      'btree (ingested_at, id)',
      'btree (id)',
      'btree (seam, emitted_at DESC, id DESC)',
    ]);
  });

  it('runs again, and from many hosts at once, without error', async () => {
    const table = fresh();
    // Separate connections, as separate hosts would have.
    const clients = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        return client;
      }),
    );
    try {
      await expect(Promise.all(clients.map((client) => migrateSubstrate(client, { table })))).resolves.toHaveLength(6);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    await expect(migrateSubstrate(pool, { table })).resolves.toBe(SUBSTRATE_SCHEMA_VERSION);
  });

  it('creates the schema of a schema-qualified table', async () => {
    await migrateSubstrate(pool, { table: 'kora_test_schema.events' });
    const found = await pool.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = 'kora_test_schema' AND table_name = 'events'",
    );
    expect(found.rowCount).toBe(1);
  });

  it('refuses a table name that is not a plain identifier', async () => {
    await expect(migrateSubstrate(pool, { table: 'events; DROP TABLE x' })).rejects.toThrow(/invalid table name/);
    await expect(migrateSubstrate(pool, { table: 'Events' })).rejects.toThrow(/invalid table name/);
  });
});
