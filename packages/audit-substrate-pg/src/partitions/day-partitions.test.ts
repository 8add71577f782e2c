import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  uniqueTableName,
} from '../__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { parseSubstrateTable } from '../substrate-table.js';
import { createSubstratePartitions } from './create-day-partitions.js';
import { readSubstrateLayout } from './read-substrate-layout.js';

const TODAY = new Date('2026-12-06T15:30:00.000Z');
const now = (): Date => TODAY;

/** The table's partitions as `name from..to`, the default as `name DEFAULT`. */
async function describePartitions(pool: pg.Pool, table: string): Promise<string[]> {
  const layout = await readSubstrateLayout(pool, parseSubstrateTable(table));
  if (layout.kind !== 'partitioned') return [layout.kind];
  return layout.partitions.map((partition) =>
    partition.isDefault
      ? `${partition.relation} DEFAULT`
      : `${partition.relation} ${partition.from?.toISOString() ?? 'MINVALUE'}..${partition.to?.toISOString() ?? 'MAXVALUE'}`,
  );
}

async function insertAt(pool: pg.Pool, table: string, times: readonly string[]): Promise<void> {
  await pool.query(
    `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host)
     SELECT gen_random_uuid(), 1, at, 'mcp.tool_called', '{}', 'test-host' FROM unnest($1::timestamptz[]) AS at`,
    [times],
  );
}

describeWithPostgres('daily partitions', () => {
  const pool = createTestPool();
  const tables: string[] = [];
  const fresh = (): string => {
    const table = uniqueTableName('daily');
    tables.push(table);
    return table;
  };
  afterAll(async () => {
    for (const table of tables) await dropTable(pool, table);
    await pool.query('DROP SCHEMA IF EXISTS kora_test_daily CASCADE');
    await pool.end();
  });

  it('creates a table partitioned by day: today and the days ahead, a default partition, the key on (id, emitted_at), every index on every partition', async () => {
    const table = fresh();
    await migrateSubstrate(pool, { table, layout: 'daily', daysAhead: 2, now });
    expect(await describePartitions(pool, table)).toEqual([
      `${table}_p20261206 2026-12-06T00:00:00.000Z..2026-12-07T00:00:00.000Z`,
      `${table}_p20261207 2026-12-07T00:00:00.000Z..2026-12-08T00:00:00.000Z`,
      `${table}_p20261208 2026-12-08T00:00:00.000Z..2026-12-09T00:00:00.000Z`,
      `${table}_default DEFAULT`,
    ]);
    const key = await pool.query<{ definition: string }>(
      "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'",
      [`"${table}"`],
    );
    expect(key.rows.map((row) => row.definition)).toEqual(['PRIMARY KEY (id, emitted_at)']);
    const indexes = await pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [
      `${table}_p20261207`,
    ]);
    expect(indexes.rows.map((row) => row.indexdef.replace(/^.* USING /, '')).sort()).toEqual([
      'btree (emitted_at DESC, id DESC)',
      'btree (id, emitted_at)',
      'btree (ingested_at, id)',
      'btree (origin_host, emitted_at DESC) INCLUDE (ingested_at)',
      'btree (seam, emitted_at DESC, id DESC)',
    ]);
  });

  it('adds the days that came since on the next migration, from any call, and leaves the others', async () => {
    const table = fresh();
    await migrateSubstrate(pool, { table, layout: 'daily', daysAhead: 1, now });
    // Three days later, a shipper starting up migrates without naming a layout.
    await migrateSubstrate(pool, { table, daysAhead: 1, now: () => new Date('2026-12-09T01:00:00.000Z') });
    expect((await describePartitions(pool, table)).map((line) => line.split(' ')[0])).toEqual([
      `${table}_p20261206`,
      `${table}_p20261207`,
      `${table}_p20261209`,
      `${table}_p20261210`,
      `${table}_default`,
    ]);
  });

  it('moves rows out of the default partition into the partition their day gets, losing none', async () => {
    const table = fresh();
    await migrateSubstrate(pool, { table, layout: 'daily', daysAhead: 0, now });
    // Rows of days no partition covers land in the default partition.
    await insertAt(pool, table, [
      '2026-12-01T00:00:00.000Z',
      '2026-12-01T23:59:59.999Z',
      '2026-12-02T00:00:00.000Z',
      '2026-12-06T12:00:00.000Z',
    ]);
    expect(
      await createSubstratePartitions(pool, {
        table,
        from: new Date('2026-12-01T08:00:00.000Z'),
        to: new Date('2026-12-01T09:00:00.000Z'),
      }),
    ).toEqual([`${table}_p20261201`]);
    const counts = await pool.query<{ partition: string; rows: string }>(
      `SELECT tableoid::regclass::text AS partition, count(*) AS rows FROM "${table}" GROUP BY 1 ORDER BY 1`,
    );
    expect(counts.rows.map((row) => `${row.partition} ${row.rows}`)).toEqual([
      `${table}_default 1`,
      `${table}_p20261201 2`,
      `${table}_p20261206 1`,
    ]);
    // The moved partition has the parent's indexes too.
    const indexes = await pool.query('SELECT 1 FROM pg_indexes WHERE tablename = $1', [`${table}_p20261201`]);
    expect(indexes.rowCount).toBe(5);
  });

  it('keeps an operator’s month partitions and covers only the days they leave out', async () => {
    const table = fresh();
    await pool.query(
      `CREATE TABLE "${table}" (id uuid NOT NULL, v smallint NOT NULL, emitted_at timestamptz NOT NULL, seam text NOT NULL, source text,
        caller_session_id text, details jsonb NOT NULL, origin_host text NOT NULL, ingested_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, emitted_at)) PARTITION BY RANGE (emitted_at)`,
    );
    await pool.query(`CREATE TABLE "${table}_2026_12" PARTITION OF "${table}" FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')`);
    await migrateSubstrate(pool, { table, daysAhead: 3, now: () => new Date('2026-12-30T10:00:00.000Z') });
    expect((await describePartitions(pool, table)).map((line) => line.split(' ')[0])).toEqual([
      `${table}_2026_12`,
      `${table}_p20270101`,
      `${table}_p20270102`,
      `${table}_default`,
    ]);
  });

  it('runs from many hosts at once without error, and makes each partition once', async () => {
    const table = fresh();
    const clients = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        return client;
      }),
    );
    try {
      await Promise.all(clients.map((client) => migrateSubstrate(client, { table, layout: 'daily', daysAhead: 3, now })));
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    expect(await describePartitions(pool, table)).toHaveLength(5);
  });

  it('creates the partitions of a schema-qualified table in its schema', async () => {
    await migrateSubstrate(pool, { table: 'kora_test_daily.events', layout: 'daily', daysAhead: 0, now });
    const found = await pool.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'kora_test_daily' ORDER BY 1",
    );
    expect(found.rows.map((row) => row.name)).toEqual(['events', 'events_checkpoints', 'events_default', 'events_p20261206']);
  });

  it('refuses daily partitions for a table that exists without them, a table partitioned another way, and bad options', async () => {
    const plain = fresh();
    await migrateSubstrate(pool, { table: plain });
    await expect(migrateSubstrate(pool, { table: plain, layout: 'daily' })).rejects.toThrow(/exists without partitions: convert it/);
    await expect(createSubstratePartitions(pool, { table: plain, from: TODAY, to: TODAY })).rejects.toThrow(/not partitioned/);
    const byHost = fresh();
    await pool.query(
      `CREATE TABLE "${byHost}" (id uuid NOT NULL, v smallint NOT NULL, emitted_at timestamptz NOT NULL, seam text NOT NULL, source text,
        caller_session_id text, details jsonb NOT NULL, origin_host text NOT NULL, ingested_at timestamptz NOT NULL DEFAULT now())
        PARTITION BY LIST (origin_host)`,
    );
    await expect(migrateSubstrate(pool, { table: byHost })).rejects.toThrow(
      /partitioned by LIST \(origin_host\): only RANGE \(emitted_at\)/,
    );
    for (const daysAhead of [-1, 1.5, 367, Number.NaN])
      await expect(migrateSubstrate(pool, { table: plain, daysAhead })).rejects.toThrow(RangeError);
    await expect(migrateSubstrate(pool, { table: plain, layout: 'weekly' as 'daily' })).rejects.toThrow(/layout must be/);
    await expect(createSubstratePartitions(pool, { table: plain, from: new Date('2000-01-01'), to: TODAY })).rejects.toThrow(
      /more than 3660 days/,
    );
  });
});
