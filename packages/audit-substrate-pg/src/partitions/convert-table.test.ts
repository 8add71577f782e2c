import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepositoryRoot } from '@kora/test-support';
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
import { readSubstrateEntries } from '../read-substrate-entries.js';
import { SUBSTRATE_SCHEMA_VERSION, parseSubstrateTable } from '../substrate-table.js';
import { pruneSubstrate } from './prune-substrate.js';
import { readSubstrateLayout } from './read-substrate-layout.js';

const DAY_MS = 86_400_000;

/** The SQL the operations guide gives for converting a plain table, statement by statement. */
function documentedConversion(table: string, cutover: Date): string[] {
  const guide = readFileSync(join(findRepositoryRoot(), 'docs', 'fleet.md'), 'utf8');
  const section = guide.slice(guide.indexOf('### Converting an existing table'));
  const block = /```sql\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('docs/fleet.md has no SQL block under "Converting an existing table"');
  return block
    .replaceAll('kora_audit_events', table)
    .replaceAll('2026-12-09 00:00Z', cutover.toISOString())
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .split(/;\s*\n/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}

describeWithPostgres('converting a plain table to daily partitions, as docs/fleet.md says', () => {
  const pool = createTestPool();
  const table = uniqueTableName('convert');
  const tables: string[] = [];
  afterAll(async () => {
    await dropTable(pool, table);
    await dropTable(pool, `${table}_legacy`);
    for (const other of tables) await dropTable(pool, other);
    await pool.end();
  });

  it('converts a table of layout version 2, without the writer columns; the migration then adds them to every partition', async () => {
    const old = `${table}_v2`;
    tables.push(old, `${old}_legacy`);
    // The table and its indexes as layout version 2 made them.
    await pool.query(`CREATE TABLE "${old}" (
        id uuid PRIMARY KEY, v smallint NOT NULL, emitted_at timestamptz NOT NULL, seam text NOT NULL, source text,
        caller_session_id text, details jsonb NOT NULL, origin_host text NOT NULL, ingested_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(`CREATE INDEX "${old}_emitted_at_id_idx" ON "${old}" (emitted_at DESC, id DESC)`);
    await pool.query(`CREATE INDEX "${old}_seam_emitted_at_id_idx" ON "${old}" (seam, emitted_at DESC, id DESC)`);
    await pool.query(`CREATE INDEX "${old}_ingested_at_id_idx" ON "${old}" (ingested_at, id)`);
    await pool.query(`CREATE INDEX "${old}_host_emitted_at_idx" ON "${old}" (origin_host, emitted_at DESC) INCLUDE (ingested_at)`);
    await pool.query(
      `INSERT INTO "${old}" (id, v, emitted_at, seam, details, origin_host)
       SELECT gen_random_uuid(), 1, now() - n * interval '1 hour', 'mcp.tool_called', '{}', 'h' FROM generate_series(0, 99) AS n`,
    );
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const statement of documentedConversion(old, new Date(today + 2 * DAY_MS))) await client.query(statement);
    } finally {
      await client.end();
    }
    const legacyFile = await pool.query<{ node: string }>(`SELECT relfilenode::text AS node FROM pg_class WHERE relname = $1`, [
      `${old}_legacy`,
    ]);

    expect(await migrateSubstrate(pool, { table: old, daysAhead: 2 })).toBe(SUBSTRATE_SCHEMA_VERSION);
    const columns = await pool.query<{ relation: string; columns: string }>(
      `SELECT c.relname AS relation, string_agg(a.attname, ',' ORDER BY a.attnum) AS columns
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relname = $1 OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass($2))
        GROUP BY 1 ORDER BY 1`,
      [old, `"${old}"`],
    );
    expect(columns.rows.map((row) => row.relation)).toContain(`${old}_legacy`);
    for (const row of columns.rows) expect(row.columns, row.relation).toMatch(/,ingested_at,writer,seq$/);
    // The old rows stayed where they were: the legacy partition was not rewritten.
    const after = await pool.query<{ node: string }>(`SELECT relfilenode::text AS node FROM pg_class WHERE relname = $1`, [
      `${old}_legacy`,
    ]);
    expect(after.rows).toEqual(legacyFile.rows);
    const counts = await pool.query<{ rows: string }>(`SELECT count(*) AS rows FROM "${old}" WHERE writer IS NULL AND seq IS NULL`);
    expect(counts.rows[0]?.rows).toBe('100');
  });

  it('keeps every row, takes new ones on both sides of the cutover, and is then migrated and pruned like a daily table', async () => {
    await migrateSubstrate(pool, { table });
    await pool.query(
      `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host)
       SELECT gen_random_uuid(), 1, now() - n * interval '1 hour', 'mcp.tool_called', '{}', 'h' FROM generate_series(0, 999) AS n`,
    );
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const cutover = new Date(today + 2 * DAY_MS);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const statement of documentedConversion(table, cutover)) await client.query(statement);
    } finally {
      await client.end();
    }

    await migrateSubstrate(pool, { table, daysAhead: 4 });
    const layout = await readSubstrateLayout(pool, parseSubstrateTable(table));
    if (layout.kind !== 'partitioned') throw new Error(`not partitioned: ${layout.kind}`);
    expect(layout.partitions.map((partition) => partition.relation)).toEqual([
      `${table}_legacy`,
      ...[2, 3, 4].map((days) => `${table}_p${new Date(today + days * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`),
      `${table}_default`,
    ]);
    // A row of today goes to the old table, one after the cutover to its day.
    await pool.query(
      `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host) VALUES (gen_random_uuid(), 1, now(), 'mcp.tool_called', '{}', 'h'), (gen_random_uuid(), 1, $1, 'mcp.tool_called', '{}', 'h')`,
      [new Date(cutover.getTime() + 3_600_000)],
    );
    const counts = await pool.query<{ partition: string; rows: string }>(
      `SELECT tableoid::regclass::text AS partition, count(*) AS rows FROM "${table}" GROUP BY 1 ORDER BY 1`,
    );
    expect(counts.rows.map((row) => `${row.partition} ${row.rows}`)).toEqual([
      `${table}_legacy 1001`,
      `${table}_p${cutover.toISOString().slice(0, 10).replace(/-/g, '')} 1`,
    ]);
    // Pages read across the old table and the new days (these bare rows fail the seam's schema, so they count as skipped).
    const page = await readSubstrateEntries(pool, { table, limit: 5 });
    expect(page.entries.length + page.skipped.invalid).toBe(5);
    expect(page.cursor).not.toBeNull();

    // The old table is trimmed in batches until the cut passes its bound.
    const pruned = await pruneSubstrate(pool, { table, before: new Date(Date.now() - 10 * DAY_MS), batchSize: 100, daysAhead: 4 });
    expect(pruned.steps).toEqual([expect.objectContaining({ kind: 'deleted', relation: `${table}_legacy` })]);
    const left = await pool.query<{ older: string }>(
      `SELECT count(*) FILTER (WHERE emitted_at < now() - interval '10 days') AS older FROM "${table}"`,
    );
    expect(Number(left.rows[0]?.older)).toBe(0);
  });
});
