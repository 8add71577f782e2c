import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope } from '@kora/audit-sink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  uniqueTableName,
  waitUntil,
} from './__fixtures__/postgres-test-server.js';
import { writeSeamRows } from './__fixtures__/write-seam-rows.js';
import { insertAuditRows } from './insert-audit-rows.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { createSubstratePartitions } from './partitions/create-day-partitions.js';
import { readNewestArrivalId, readSubstrateArrivals } from './read-substrate-arrivals.js';
import type { SubstrateArrivals } from './read-substrate-arrivals.js';

describeWithPostgres('readSubstrateArrivals', () => {
  describe.each(['plain', 'daily'] as const)('on the %s layout', (layout) => {
    const pool = createTestPool();
    const dir = mkdtempSync(join(tmpdir(), 'kora-substrate-arrivals-'));
    let rows: AuditEnvelope[] = [];

    beforeAll(async () => {
      const path = join(dir, 'audit.jsonl');
      await writeSeamRows(path, 60);
      rows = (await readAuditEntries({ path, limit: 100 })).entries.reverse();
    });
    afterAll(async () => {
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    });

    async function freshTable(label: string): Promise<string> {
      const table = uniqueTableName(label);
      await migrateSubstrate(pool, { table, layout });
      // A month of days behind today, as a table kept for 30 days has.
      if (layout === 'daily')
        await createSubstratePartitions(pool, { table, from: new Date(Date.now() - 30 * 86_400_000), to: new Date() });
      return table;
    }

    it('delivers every host’s rows in arrival order, then only what arrived after the position', async () => {
      const table = await freshTable('arrivals');
      try {
        await insertAuditRows(pool, rows.slice(0, 20), { table, originHost: 'host-a' });
        await insertAuditRows(pool, rows.slice(20, 30), { table, originHost: 'host-b' });
        const first = await readSubstrateArrivals(pool, { table, after: null, maxRows: 1_000, settleMs: 0 });
        expect(first.found).toBe(true);
        expect(
          first.rows
            .map((row) => row.id)
            .slice(0, 20)
            .sort(),
        ).toEqual(
          rows
            .slice(0, 20)
            .map((row) => row.id)
            .sort(),
        );
        expect(
          first.rows
            .map((row) => row.id)
            .slice(20)
            .sort(),
        ).toEqual(
          rows
            .slice(20, 30)
            .map((row) => row.id)
            .sort(),
        );
        expect(first.rows[0]).toEqual(rows.find((row) => row.id === first.rows[0]?.id));

        await insertAuditRows(pool, rows.slice(30, 35), { table, originHost: 'host-a' });
        const next = await readSubstrateArrivals(pool, { table, after: first.position, maxRows: 1_000, settleMs: 0 });
        expect(next.rows.map((row) => row.id).sort()).toEqual(
          rows
            .slice(30, 35)
            .map((row) => row.id)
            .sort(),
        );
        const idle = await readSubstrateArrivals(pool, { table, after: next.position, maxRows: 1_000, settleMs: 0 });
        expect(idle).toEqual({ found: true, rows: [], position: next.position });
      } finally {
        await dropTable(pool, table);
      }
    });

    it('holds rows back until they settle, and starts a stream from the newest settled row', async () => {
      const table = await freshTable('settle');
      try {
        await insertAuditRows(pool, rows.slice(0, 5), { table, originHost: 'host-a' });
        expect(await readSubstrateArrivals(pool, { table, after: null, maxRows: 100, settleMs: 60_000 })).toEqual({
          found: true,
          rows: [],
          position: null,
        });
        expect(await readNewestArrivalId(pool, { table, settleMs: 60_000 })).toBeNull();
        const newest = await readNewestArrivalId(pool, { table, settleMs: 0 });
        expect(rows.slice(0, 5).map((row) => row.id)).toContain(newest);
      } finally {
        await dropTable(pool, table);
      }
    });

    it('misses no row when an insert that arrived first commits last', async () => {
      const table = await freshTable('order');
      const early = await pool.connect();
      try {
        // The early transaction takes its arrival time, then waits while a later one commits.
        await early.query('BEGIN');
        await insertAuditRows(early, rows.slice(0, 1), { table, originHost: 'slow-host' });
        await insertAuditRows(pool, rows.slice(1, 2), { table, originHost: 'fast-host' });
        // Far longer than the gap between BEGIN and the first poll, on any machine.
        const settleMs = 5_000;
        const seen: string[] = [];
        let position: string | null = null;
        const poll = async (): Promise<SubstrateArrivals> => {
          const arrivals = await readSubstrateArrivals(pool, { table, after: position, maxRows: 100, settleMs });
          seen.push(...arrivals.rows.map((row) => row.id));
          position = arrivals.position;
          return arrivals;
        };
        await poll();
        await early.query('COMMIT');
        await waitUntil(
          'both rows to settle and be delivered',
          async () => {
            await poll();
            return seen.length >= 2;
          },
          30_000,
        );
        // Arrival order: the slow host's row first, though it committed last; each row once.
        expect(seen).toEqual([rows[0]!.id, rows[1]!.id]);
      } finally {
        early.release();
        await dropTable(pool, table);
      }
    });

    it('starts over when the position is gone or too far behind', async () => {
      const table = await freshTable('lost');
      try {
        await insertAuditRows(pool, rows.slice(0, 10), { table, originHost: 'host-a' });
        const gone = await readSubstrateArrivals(pool, { table, after: '0192f7c2-6d3e-7a4b-9c1d-00000000dead', maxRows: 100, settleMs: 0 });
        expect(gone.found).toBe(false);
        expect(gone.position).toBe(await readNewestArrivalId(pool, { table, settleMs: 0 }));
        const behind = await readSubstrateArrivals(pool, { table, after: null, maxRows: 5, settleMs: 0 });
        expect(behind).toEqual({ found: false, rows: [], position: gone.position });
      } finally {
        await dropTable(pool, table);
      }
    });

    it('delivers a row emitted long before it arrived, as a host shipping a backlog sends it, in its place in arrival order', async () => {
      const table = await freshTable('backlog');
      try {
        await insertAuditRows(pool, rows.slice(0, 3), { table, originHost: 'host-a' });
        const first = await readSubstrateArrivals(pool, { table, after: null, maxRows: 100, settleMs: 0 });
        // Twenty days old: on the daily layout it lands in an old day's partition.
        const old = { ...rows[3]!, emitted_at: new Date(Date.now() - 20 * 86_400_000).toISOString() };
        await insertAuditRows(pool, [old], { table, originHost: 'host-b' });
        await insertAuditRows(pool, rows.slice(4, 6), { table, originHost: 'host-a' });
        const next = await readSubstrateArrivals(pool, { table, after: first.position, maxRows: 100, settleMs: 0 });
        expect(next.rows[0]).toEqual(old);
        expect(
          next.rows
            .slice(1)
            .map((row) => row.id)
            .sort(),
        ).toEqual([rows[4]!.id, rows[5]!.id].sort());
      } finally {
        await dropTable(pool, table);
      }
    });

    it('plans the poll once per connection, not on every poll (planning dozens of partitions costs more than reading them)', async () => {
      const table = await freshTable('planned');
      const single = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
      try {
        await insertAuditRows(pool, rows.slice(0, 3), { table, originHost: 'host-a' });
        let position: string | null = (await readSubstrateArrivals(single, { table, after: null, maxRows: 100, settleMs: 0 })).position;
        for (let poll = 0; poll < 10; poll += 1)
          position = (await readSubstrateArrivals(single, { table, after: position, maxRows: 100, settleMs: 0 })).position;
        const plans = await single.query<{ generic_plans: string; custom_plans: string }>(
          'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1',
          [`kora_audit_arrivals_next_${table}`],
        );
        expect(plans.rows.map((row) => ({ generic: Number(row.generic_plans), custom: Number(row.custom_plans) }))).toEqual([
          { generic: 10, custom: 0 },
        ]);
      } finally {
        await single.end();
        await dropTable(pool, table);
      }
    });

    it('follows on from a position it delivered after retention deleted that row; a position it never delivered and whose row is gone starts over', async () => {
      const table = await freshTable('retained');
      const other = createTestPool();
      try {
        await insertAuditRows(pool, rows.slice(0, 4), { table, originHost: 'host-a' });
        const first = await readSubstrateArrivals(pool, { table, after: null, maxRows: 100, settleMs: 0 });
        await pool.query(`DELETE FROM "${table}"`);
        await insertAuditRows(pool, rows.slice(4, 6), { table, originHost: 'host-a' });
        const next = await readSubstrateArrivals(pool, { table, after: first.position, maxRows: 100, settleMs: 0 });
        expect(next.found).toBe(true);
        expect(next.rows.map((row) => row.id).sort()).toEqual([rows[4]!.id, rows[5]!.id].sort());
        // Another process (a reconnecting client's daemon) knows only the id, and its row is gone.
        expect((await readSubstrateArrivals(other, { table, after: first.position, maxRows: 100, settleMs: 0 })).found).toBe(false);
      } finally {
        await other.end();
        await dropTable(pool, table);
      }
    });
  });
});
