import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from './__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from './migrate-substrate.js';
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
  const pool = createTestPool();
  const table = uniqueTableName('lag');

  beforeAll(async () => {
    await migrateSubstrate(pool, { table });
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
    expect(lag[10]).toMatchObject({ originHost: 'host-9', newestEmittedAt: new Date('2026-12-05T22:59:00.000Z'), behindMs: 5 * 3_600_000 + 60_000 });
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
      const nodes = planNodes(plan);
      const types = nodes.map((node) => node['Node Type']);
      expect(types).not.toContain('Seq Scan');
      expect(types).not.toContain('Sort');
      const hostIndex = parseSubstrateTable(table).hostIndex;
      const indexScans = nodes.filter((node) => node['Relation Name'] === table);
      expect(indexScans.length).toBeGreaterThan(0);
      for (const scan of indexScans) expect(scan).toMatchObject({ 'Node Type': expect.stringMatching(/^Index (Only )?Scan$/), 'Index Name': hostIndex });
    } finally {
      // Its query method is patched: closed, not lent out again.
      connection.release(true);
    }
  });
});
