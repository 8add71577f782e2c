import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  uniqueTableName,
} from './__fixtures__/postgres-test-server.js';
import { insertAuditLines } from './insert-audit-rows.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { readSubstrateEntries } from './read-substrate-entries.js';
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
      'writer uuid YES',
      'seq bigint YES',
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

  it('creates the checkpoint table beside the event table, keyed on origin and size, and adds it to a table made before it', async () => {
    const table = fresh();
    await migrateSubstrate(pool, { table });
    // A table of layout version 3 has no checkpoint table: migrating again adds it, and keeps the rows.
    await pool.query(`DROP TABLE "${table}_checkpoints"`);
    await pool.query(
      `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host) VALUES (gen_random_uuid(), 1, now(), 'mcp.tool_called', '{}', 'h')`,
    );
    expect(await migrateSubstrate(pool, { table })).toBe(4);
    const columns = await pool.query<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      'SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [`${table}_checkpoints`],
    );
    expect(columns.rows.map((row) => `${row.column_name} ${row.data_type} ${row.is_nullable} ${row.column_default ?? '-'}`)).toEqual([
      'origin text NO -',
      'size bigint NO -',
      'root text NO -',
      'note text NO -',
      'received_at timestamp with time zone NO now()',
    ]);
    const key = await pool.query<{ definition: string }>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'`,
      [`"${table}_checkpoints"`],
    );
    expect(key.rows.map((row) => row.definition)).toEqual(['PRIMARY KEY (origin, size)']);
    expect((await pool.query(`SELECT count(*)::int AS rows FROM "${table}"`)).rows[0]).toEqual({ rows: 1 });
    // Each check refuses what it is for.
    const root = Buffer.alloc(32, 7).toString('base64');
    const insert = (origin: string, size: number, value: string, note: string): Promise<unknown> =>
      pool.query(`INSERT INTO "${table}_checkpoints" (origin, size, root, note) VALUES ($1, $2, $3, $4)`, [origin, size, value, note]);
    for (const [origin, size, value, note] of [
      ['', 1, root, 'n\n'],
      ['two\nlines', 1, root, 'n\n'],
      ['o'.repeat(1_025), 1, root, 'n\n'],
      ['o', -1, root, 'n\n'],
      ['o', 1, root.slice(0, 43), 'n\n'],
      ['o', 1, `${root.slice(0, 42)}B=`, 'n\n'],
      ['o', 1, Buffer.alloc(33, 7).toString('base64'), 'n\n'],
      ['o', 1, root, ''],
      ['o', 1, root, 'n'.repeat(65_537)],
    ] as const) {
      await expect(insert(origin, size, value, note), `${origin.slice(0, 10)} ${size} ${value} ${note.length}`).rejects.toMatchObject({
        code: '23514',
      });
    }
    await expect(insert('o', 1, root, 'n\n')).resolves.toBeDefined();
  });

  // The table as layout version 2 made it, before the writer columns.
  const versionTwoTable = (table: string, daily: boolean): string => `CREATE TABLE "${table}" (
      id uuid NOT NULL, v smallint NOT NULL, emitted_at timestamptz NOT NULL, seam text NOT NULL, source text,
      caller_session_id text, details jsonb NOT NULL, origin_host text NOT NULL, ingested_at timestamptz NOT NULL DEFAULT now(),
      ${daily ? 'PRIMARY KEY (id, emitted_at)) PARTITION BY RANGE (emitted_at)' : 'PRIMARY KEY (id))'}`;
  const storage = async (table: string): Promise<Map<string, string>> => {
    const found = await pool.query<{ relation: string; node: string }>(
      `SELECT c.relname AS relation, c.relfilenode::text AS node FROM pg_class c
        WHERE c.relname = $1 OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass($2))`,
      [table, `"${table}"`],
    );
    return new Map(found.rows.map((row) => [row.relation, row.node]));
  };

  for (const layout of ['plain', 'daily'] as const) {
    it(`adds writer and seq to a ${layout} table of layout version 2 in place, keeping its rows, and then stores them`, async () => {
      const table = fresh();
      await pool.query(versionTwoTable(table, layout === 'daily'));
      if (layout === 'daily') {
        await pool.query(`CREATE TABLE "${table}_old" PARTITION OF "${table}" FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')`);
      }
      await pool.query(
        `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host)
         SELECT gen_random_uuid(), 1, '2026-11-20T00:00:00Z'::timestamptz + n * interval '1 minute', 'mcp.tool_called', '{}', 'h'
           FROM generate_series(1, 500) AS n`,
      );
      const before = await storage(table);

      expect(await migrateSubstrate(pool, { table })).toBe(SUBSTRATE_SCHEMA_VERSION);
      // No rewrite: every relation keeps its storage file; the rows are all there, with NULL in the new columns.
      const after = await storage(table);
      for (const [relation, node] of before) expect(after.get(relation)).toBe(node);
      const counts = await pool.query<{ rows: string; without: string }>(
        `SELECT count(*) AS rows, count(*) FILTER (WHERE writer IS NULL AND seq IS NULL) AS without FROM "${table}"`,
      );
      expect(counts.rows[0]).toEqual({ rows: '500', without: '500' });
      // Every partition has the columns too, so a row of any day can carry them.
      const partitionColumns = await pool.query<{ relation: string; columns: string }>(
        `SELECT c.relname AS relation, string_agg(a.attname, ',' ORDER BY a.attnum) AS columns
           FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE c.relname = $1 OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass($2))
          GROUP BY 1`,
        [table, `"${table}"`],
      );
      expect(partitionColumns.rows.length).toBe(layout === 'daily' ? 2 + 8 + 1 : 1);
      for (const row of partitionColumns.rows) expect(row.columns).toMatch(/,ingested_at,writer,seq$/);

      const writer = '01a218cc-ba80-717e-b121-a8e67c4fa63f';
      const line = JSON.stringify({
        v: 2,
        id: '01a218cc-ba80-717e-b121-a8e67c4fa640',
        emitted_at: '2026-11-20T12:00:00.000Z',
        seam: 'audit.closed',
        source: null,
        caller_session_id: null,
        // In jsonb's own key order (shorter keys first), so that the row reads back as this very line.
        details: {
          trigger: 'close',
          last_seq: 9_007_199_254_740_991,
          rows_lost: {},
          rows_made: 9_007_199_254_740_990,
          rows_written: 9_007_199_254_740_990,
        },
        writer,
        seq: 9_007_199_254_740_991,
      });
      expect(await insertAuditLines(pool, [line], { table, originHost: 'h' })).toEqual({ inserted: 1 });
      const { entries } = await readSubstrateEntries(pool, { table, seams: ['audit.closed'] });
      expect(entries.map((entry) => JSON.stringify(entry))).toEqual([line]);
      // Migrating again changes nothing.
      const migrated = await storage(table);
      await migrateSubstrate(pool, { table });
      expect(await storage(table)).toEqual(migrated);
    });
  }

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
