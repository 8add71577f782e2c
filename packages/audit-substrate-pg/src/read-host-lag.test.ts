import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from './__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { createSubstratePartitions } from './partitions/create-day-partitions.js';
import { readHostLag } from './read-host-lag.js';
import { parseSubstrateTable } from './substrate-table.js';

const NOW = new Date('2026-12-06T04:00:00.000Z');
const HOSTS = 10;
const ROWS_PER_HOST = 3_000;
// Shipped by a host whose name was chosen to forge terminal output.
const HOSTILE_HOST = 'evil\u202ehost\x1b[31m';

/** Every node of an `EXPLAIN (FORMAT JSON)` plan. */
function planNodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}

describeWithPostgres('readHostLag', () => {
  describe.each(['plain', 'daily'] as const)('on the %s layout', (layout) => {
    const pool = createTestPool();
    const table = uniqueTableName('lag');
    const empty = new Set<string>();

    beforeAll(async () => {
      await migrateSubstrate(pool, { table, layout, now: () => NOW });
      // The rows span two days: the day before NOW gets its partition too.
      if (layout === 'daily') await createSubstratePartitions(pool, { table, from: new Date(NOW.getTime() - 86_400_000), to: NOW });
      // host-0 … host-8 wrote until a minute before NOW, one row per 10 s; host-9 fell silent
      // five hours earlier. Each row arrived 3 s after it was emitted.
      await pool.query(
        `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host, ingested_at)
       SELECT gen_random_uuid(), 1, at, 'mcp.tool_called', '{}', 'host-' || host, at + interval '3 seconds'
       FROM generate_series(0, $1::int - 1) AS host,
            generate_series(0, $2::int - 1) AS n,
            LATERAL (SELECT $3::timestamptz - interval '1 minute' - n * interval '10 seconds'
                            - CASE WHEN host = 9 THEN interval '5 hours' ELSE interval '0' END AS at) AS times`,
        [HOSTS, ROWS_PER_HOST, NOW.toISOString()],
      );
      await pool.query(
        `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host, ingested_at)
       VALUES (gen_random_uuid(), 1, $1, 'mcp.tool_called', '{}', $2, $1)`,
        [new Date(NOW.getTime() - 2_000), HOSTILE_HOST],
      );
      await pool.query(`ANALYZE "${table}"`);
      const partitions = await pool.query<{ name: string }>(
        "SELECT relname AS name FROM pg_class WHERE relname LIKE $1 AND relkind = 'r' AND reltuples = 0",
        [`${table}_%`],
      );
      for (const { name } of partitions.rows) empty.add(name);
    }, 60_000);
    afterAll(async () => {
      await dropTable(pool, table);
      await pool.end();
    });

    it("gives every host's newest row and how far behind now it is, the silent host hours behind", async () => {
      const lag = await readHostLag(pool, { table, now: () => NOW });
      expect(lag.map((host) => host.originHost)).toEqual([HOSTILE_HOST, ...Array.from({ length: HOSTS }, (_, host) => `host-${host}`)]);
      expect(lag[1]).toEqual({
        originHost: 'host-0',
        newestEmittedAt: new Date('2026-12-06T03:59:00.000Z'),
        newestIngestedAt: new Date('2026-12-06T03:59:03.000Z'),
        behindMs: 60_000,
      });
      expect(lag[10]).toMatchObject({
        originHost: 'host-9',
        newestEmittedAt: new Date('2026-12-05T22:59:00.000Z'),
        behindMs: 5 * 3_600_000 + 60_000,
      });
      expect(lag[0]).toMatchObject({ originHost: HOSTILE_HOST, behindMs: 2_000 });
    });

    it('gives no hosts for an empty table, and rejects for a table that does not exist', async () => {
      const empty = uniqueTableName('lag_empty');
      await migrateSubstrate(pool, { table: empty });
      try {
        expect(await readHostLag(pool, { table: empty })).toEqual([]);
      } finally {
        await dropTable(pool, empty);
      }
      await expect(readHostLag(pool, { table: uniqueTableName('lag_missing') })).rejects.toMatchObject({ code: '42P01' });
      await expect(readHostLag(pool, { table: 'x; DROP TABLE y' })).rejects.toThrow(RangeError);
    });

    it('sends SQL that the planner serves from the host index, with no sequential scan or sort of the table', async () => {
      const connection: pg.PoolClient = await pool.connect();
      const sent: string[] = [];
      const query = connection.query.bind(connection) as (text: string) => Promise<pg.QueryResult>;
      try {
        // The exact text the function sends, captured through the client it is given.
        (connection as unknown as { query: (text: string) => Promise<pg.QueryResult> }).query = async (text: string) => {
          sent.push(text);
          return query(text);
        };
        await readHostLag(connection, { table, now: () => NOW });
        expect(sent).toHaveLength(1);
        const explained = await query(`EXPLAIN (FORMAT JSON) ${sent[0] ?? ''}`);
        const plan = (explained.rows[0] as { 'QUERY PLAN': [{ Plan: Record<string, unknown> }] })['QUERY PLAN'][0].Plan;
        // A sequential scan of an empty partition (a day ahead) reads nothing.
        const nodes = planNodes(plan).filter((node) => !empty.has(String(node['Relation Name'])));
        const types = nodes.map((node) => node['Node Type']);
        expect(types).not.toContain('Seq Scan');
        expect(types).not.toContain('Sort');
        const hostIndex = parseSubstrateTable(table).hostIndex;
        const scans = nodes.filter((node) => node['Relation Name'] === table || String(node['Relation Name']).startsWith(`${table}_`));
        expect(scans.length).toBeGreaterThan(0);
        // On partitions, each partition's copy of the host index, attached to the table's.
        const copies = await query(
          `SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = inhrelid WHERE inhparent = to_regclass('"${hostIndex}"')`,
        );
        const hostIndexes = new Set([hostIndex, ...copies.rows.map((row) => (row as { relname: string }).relname)]);
        for (const scan of scans) {
          expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
          expect(hostIndexes).toContain(scan['Index Name']);
        }
      } finally {
        // Its query method is patched: closed, not lent out again.
        connection.release(true);
      }
    });
  });
});
