import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  uniqueTableName,
} from '../__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { createSubstratePartitions } from './create-day-partitions.js';
import { pruneSubstrate } from './prune-substrate.js';
import type { PruneStep } from './prune-substrate.js';

const DAY_MS = 86_400_000;
const TODAY_MS = Date.parse('2026-12-06T15:30:00.000Z');
const now = (): Date => new Date(TODAY_MS);
const LAYOUTS = ['plain', 'daily'] as const;

/** A table of the layout, partitions covering the ten days before today, and rows at `times`. */
async function tableWith(pool: pg.Pool, table: string, layout: 'plain' | 'daily', times: readonly number[]): Promise<void> {
  await migrateSubstrate(pool, { table, layout, daysAhead: 1, now });
  if (layout === 'daily') await createSubstratePartitions(pool, { table, from: new Date(TODAY_MS - 10 * DAY_MS), to: now() });
  await pool.query(
    `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host)
     SELECT gen_random_uuid(), 1, to_timestamp(ms / 1000.0), 'mcp.tool_called', '{}', 'test-host' FROM unnest($1::float8[]) AS ms`,
    [times],
  );
}

async function remainingTimes(pool: pg.Pool, table: string): Promise<number[]> {
  const result = await pool.query<{ ms: string }>(
    `SELECT (extract(epoch FROM emitted_at) * 1000)::bigint AS ms FROM "${table}" ORDER BY 1`,
  );
  return result.rows.map((row) => Number(row.ms));
}

function describeStep(step: PruneStep): string {
  return step.kind === 'dropped' ? `dropped ${step.partition} ${step.rows}` : `deleted ${step.relation} ${step.rows}`;
}

describeWithPostgres('pruneSubstrate', () => {
  const pool = createTestPool();
  const tables: string[] = [];
  const fresh = (): string => {
    const table = uniqueTableName('prune');
    tables.push(table);
    return table;
  };
  afterAll(async () => {
    for (const table of tables) await dropTable(pool, table);
    await pool.end();
  });

  it('drops whole days of a partitioned table, deletes the older part of the day the cut falls in and of the default partition, and keeps every newer row', async () => {
    const table = fresh();
    const cut = TODAY_MS - 3 * DAY_MS; // 2026-12-03T15:30
    // Two rows an hour for the ten days, and rows before any partition (the default partition).
    const times = [
      ...Array.from({ length: 240 }, (_, hour) => TODAY_MS - 10 * DAY_MS + hour * 3_600_000),
      TODAY_MS - 40 * DAY_MS,
      TODAY_MS - 20 * DAY_MS,
    ];
    await tableWith(pool, table, 'daily', times);
    const result = await pruneSubstrate(pool, { table, before: new Date(cut), daysAhead: 2, now });
    expect(result.steps.map(describeStep)).toEqual([
      // The rows fall on the half hour from 2026-11-26T15:30: that day holds 15:30 … 23:30.
      `dropped ${table}_p20261126 9`,
      ...['27', '28', '29', '30'].map((day) => `dropped ${table}_p202611${day} 24`),
      ...['01', '02'].map((day) => `dropped ${table}_p202612${day} 24`),
      // The day the cut falls in: its rows before 15:30 (00:30 … 14:30) go, the rest stay.
      `deleted ${table}_p20261203 15`,
      `deleted ${table}_default 2`,
    ]);
    expect(result.removedRows).toBe(times.filter((ms) => ms < cut).length);
    expect(await remainingTimes(pool, table)).toEqual(times.filter((ms) => ms >= cut).sort((a, b) => a - b));
    // And the days ahead are covered: today and tomorrow were, the day after is made.
    expect(result.createdPartitions).toEqual([`${table}_p20261208`]);
    const left = await pool.query<{ name: string }>(
      'SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = to_regclass($1) ORDER BY 1',
      [`"${table}"`],
    );
    expect(left.rows.map((row) => row.name)).toEqual([
      `${table}_default`,
      ...['03', '04', '05', '06', '07', '08'].map((day) => `${table}_p202612${day}`),
    ]);
    // The dropped partitions are gone, not left behind detached.
    const orphans = await pool.query("SELECT 1 FROM pg_class WHERE relname LIKE $1 AND relname < $2 AND relkind = 'r'", [
      `${table}_p%`,
      `${table}_p20261203`,
    ]);
    expect(orphans.rowCount).toBe(0);
  });

  it('deletes in batches on a plain table, and a dry run counts the same rows and removes none', async () => {
    const table = fresh();
    const times = Array.from({ length: 1_000 }, (_, n) => TODAY_MS - n * 600_000);
    await tableWith(pool, table, 'plain', times);
    const cut = new Date(TODAY_MS - DAY_MS);
    const dry = await pruneSubstrate(pool, { table, before: cut, dryRun: true });
    expect(dry).toMatchObject({ layout: 'plain', dryRun: true, removedRows: times.filter((ms) => ms < cut.getTime()).length });
    expect(await remainingTimes(pool, table)).toHaveLength(1_000);
    const done = await pruneSubstrate(pool, { table, before: cut, batchSize: 100 });
    expect(done.steps).toEqual([{ kind: 'deleted', relation: table, rows: dry.removedRows }]);
    expect(await remainingTimes(pool, table)).toEqual(times.filter((ms) => ms >= cut.getTime()).sort((a, b) => a - b));
    // Nothing older is left: pruning again removes nothing.
    expect((await pruneSubstrate(pool, { table, before: cut })).removedRows).toBe(0);
  });

  it('a dry run on a partitioned table names the partitions it would drop and changes nothing', async () => {
    const table = fresh();
    await tableWith(pool, table, 'daily', [TODAY_MS - 9 * DAY_MS, TODAY_MS - 8 * DAY_MS, TODAY_MS]);
    const dry = await pruneSubstrate(pool, { table, before: new Date(TODAY_MS - 5 * DAY_MS), dryRun: true, now });
    expect(dry.steps.filter((step) => step.kind === 'dropped').map((step) => (step.kind === 'dropped' ? step.partition : ''))).toEqual(
      ['26', '27', '28', '29', '30'].map((day) => `${table}_p202611${day}`),
    );
    expect(dry.removedRows).toBe(2);
    expect(dry.createdPartitions).toEqual([]);
    expect(await remainingTimes(pool, table)).toHaveLength(3);
    const partitions = await pool.query('SELECT 1 FROM pg_inherits WHERE inhparent = to_regclass($1)', [`"${table}"`]);
    expect(partitions.rowCount).toBe(13);
  });

  it('keeps every row written during the prune that is newer than the cut', async () => {
    const table = fresh();
    await tableWith(
      pool,
      table,
      'daily',
      Array.from({ length: 2_000 }, (_, n) => TODAY_MS - 10 * DAY_MS + n * 400_000),
    );
    const cut = TODAY_MS - 4 * DAY_MS;
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await pool.query(
          `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host) VALUES (gen_random_uuid(), 1, $1, 'mcp.tool_called', '{}', 'writer')`,
          [new Date(cut + (written % 1_000) * 1_000)],
        );
        written += 1;
      }
    })();
    await pruneSubstrate(pool, { table, before: new Date(cut), batchSize: 100, now });
    writing = false;
    await writer;
    const kept = await pool.query<{ rows: string }>(`SELECT count(*) AS rows FROM "${table}" WHERE origin_host = 'writer'`);
    expect(Number(kept.rows[0]?.rows)).toBe(written);
    expect(written).toBeGreaterThan(0);
    expect((await remainingTimes(pool, table)).every((ms) => ms >= cut)).toBe(true);
  });

  it('gives up on a partition whose lock it cannot get within lockTimeoutMs (55P03), keeping what it removed before', async () => {
    const table = fresh();
    await tableWith(pool, table, 'daily', [TODAY_MS - 9 * DAY_MS, TODAY_MS - 8 * DAY_MS]);
    // A long read of the table holds a lock a detach must wait for.
    const reader = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query(`SELECT count(*) FROM "${table}"`);
      await expect(pruneSubstrate(pool, { table, before: new Date(TODAY_MS - DAY_MS), lockTimeoutMs: 200, now })).rejects.toMatchObject({
        code: '55P03',
      });
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    expect(await remainingTimes(pool, table)).toHaveLength(2);
    expect((await pruneSubstrate(pool, { table, before: new Date(TODAY_MS - DAY_MS), now })).removedRows).toBe(2);
  });

  it('refuses bad options and a missing table', async () => {
    const table = fresh();
    await expect(pruneSubstrate(pool, { table, before: new Date(TODAY_MS) })).rejects.toThrow(`no table ${table}`);
    await migrateSubstrate(pool, { table });
    await expect(pruneSubstrate(pool, { table, before: new Date(Number.NaN) })).rejects.toThrow(/before must be a valid Date/);
    for (const batchSize of [0, 99, 100_001, 2.5])
      await expect(pruneSubstrate(pool, { table, before: now(), batchSize })).rejects.toThrow(/batchSize/);
    await expect(pruneSubstrate(pool, { table, before: now(), lockTimeoutMs: 0 })).rejects.toThrow(/lockTimeoutMs/);
    await expect(pruneSubstrate(pool, { table: 'x; DROP TABLE y', before: now() })).rejects.toThrow(/invalid table name/);
  });

  describe.each(LAYOUTS)('on the %s layout, for any rows and any cut', (layout) => {
    it('removes exactly the rows emitted before the cut', async () => {
      const table = fresh();
      await migrateSubstrate(pool, { table, layout, daysAhead: 0, now });
      if (layout === 'daily') await createSubstratePartitions(pool, { table, from: new Date(TODAY_MS - 6 * DAY_MS), to: now() });
      const span = 8 * DAY_MS;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: span }), { maxLength: 60 }),
          fc.integer({ min: 0, max: span }),
          async (offsets, cutOffset) => {
            await pool.query(`TRUNCATE "${table}"`);
            const times = offsets.map((offset) => TODAY_MS - 7 * DAY_MS + offset);
            if (times.length > 0) {
              await pool.query(
                `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host)
               SELECT gen_random_uuid(), 1, to_timestamp(ms / 1000.0), 'mcp.tool_called', '{}', 'h' FROM unnest($1::float8[]) AS ms`,
                [times],
              );
            }
            const cut = TODAY_MS - 7 * DAY_MS + cutOffset;
            const result = await pruneSubstrate(pool, { table, before: new Date(cut), batchSize: 100, daysAhead: 0, now });
            expect(result.removedRows).toBe(times.filter((ms) => ms < cut).length);
            expect(await remainingTimes(pool, table)).toEqual(times.filter((ms) => ms >= cut).sort((a, b) => a - b));
            // Dropped days come back for the next run: the partitions are made again as a backfill would.
            if (layout === 'daily') await createSubstratePartitions(pool, { table, from: new Date(TODAY_MS - 6 * DAY_MS), to: now() });
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});
