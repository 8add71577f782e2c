import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope } from '@kora/audit-sink';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countRows, createTestPool, describeWithPostgres, dropTable, uniqueTableName } from './__fixtures__/postgres-test-server.js';
import { writeSeamRows } from './__fixtures__/write-seam-rows.js';
import { insertAuditLines, insertAuditRows } from './insert-audit-rows.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { readSubstrateEntries } from './read-substrate-entries.js';

const row = (n: number, details: Record<string, unknown> = {}): AuditEnvelope => ({
  v: 1,
  id: `0192f7c2-6d3e-7a4b-9c1d-${n.toString(16).padStart(12, '0')}`,
  emitted_at: new Date(Date.parse('2026-11-26T17:00:00.000Z') + n).toISOString(),
  seam: 'mcp.tool_called',
  source: 'mcp_http',
  caller_session_id: null,
  details,
});

describeWithPostgres('insertAuditRows', () => {
  const pool = createTestPool();
  const table = uniqueTableName('insert');
  const dir = mkdtempSync(join(tmpdir(), 'kora-substrate-insert-'));
  beforeAll(async () => {
    await migrateSubstrate(pool, { table });
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('inserts rows of every seam once: the same rows again insert nothing', async () => {
    const path = join(dir, 'seams.jsonl');
    // The writer's opened row, 40 rows of the seams, its closed row.
    const ids = await writeSeamRows(path, 40);
    expect(ids).toHaveLength(42);
    const { entries } = await readAuditEntries({ path, limit: 100 });
    expect(await insertAuditRows(pool, entries, { table, originHost: 'host-a' })).toEqual({ inserted: 42 });
    expect(await insertAuditRows(pool, entries, { table, originHost: 'host-a' })).toEqual({ inserted: 0 });
    // The file's lines themselves, as a mirror hands them over: already there.
    const lines = readFileSync(path, 'utf8').split(/(?<=\n)/);
    expect(await insertAuditLines(pool, lines, { table, originHost: 'host-a' })).toEqual({ inserted: 0 });
    expect(await countRows(pool, table)).toEqual({ rows: 42, ids: 42 });
    const hosts = await pool.query(`SELECT DISTINCT origin_host FROM "${table}" WHERE id = ANY($1::uuid[])`, [
      entries.map((entry) => entry.id),
    ]);
    expect(hosts.rows).toEqual([{ origin_host: 'host-a' }]);
  });

  it('inserts rows that carry trace fields, as lines and as rows, keeping their writer and seq', async () => {
    const traced = {
      ...row(7_700_000, { tool_name: 'kora__x' }),
      // Before the other tests' rows, which read the newest.
      emitted_at: '2026-11-20T00:00:00.000Z',
      v: 2,
      writer: '0192f7c2-6d3e-7a4b-9c1d-000000000001',
      seq: 7,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
    } as AuditEnvelope;
    expect(await insertAuditLines(pool, [`${JSON.stringify(traced)}\n`], { table, originHost: 'host-t' })).toEqual({ inserted: 1 });
    const second = { ...traced, id: row(7_700_001).id, seq: 8 };
    expect(await insertAuditRows(pool, [second], { table, originHost: 'host-t' })).toEqual({ inserted: 1 });
    const stored = await pool.query(`SELECT writer, seq FROM "${table}" WHERE origin_host = 'host-t' ORDER BY seq`);
    expect(stored.rows).toEqual([
      { writer: traced.writer, seq: '7' },
      { writer: traced.writer, seq: '8' },
    ]);
  });

  it('inserts a batch of 20,000 rows in one statement', async () => {
    const rows = Array.from({ length: 20_000 }, (_, n) => row(1_000_000 + n, { n }));
    expect(await insertAuditRows(pool, rows, { table, originHost: 'host-b' })).toEqual({ inserted: 20_000 });
  });

  it('stores strings jsonb refuses (NUL, a lone surrogate) with U+FFFD in their place', async () => {
    const odd = row(2_000_000, { note: 'a\u0000b', ['key\u0000']: '\ud800x', pair: '\ud83d\ude00' });
    expect(await insertAuditRows(pool, [odd], { table, originHost: 'host-c' })).toEqual({ inserted: 1 });
    const line = JSON.stringify(row(2_000_001, { note: 'c\u0000d' }));
    expect(line).toContain('\\u0000');
    expect(await insertAuditLines(pool, [line], { table, originHost: 'host-c' })).toEqual({ inserted: 1 });
    const { entries } = await readSubstrateEntries(pool, { table, since: odd.emitted_at, limit: 2 });
    expect(entries.map((entry) => entry.details)).toEqual([
      { note: 'c\ufffdd' },
      { note: 'a\ufffdb', ['key\ufffd']: '\ufffdx', pair: '\ud83d\ude00' },
    ]);
  });

  it('rejects the whole statement when the database refuses a row, inserting none of it', async () => {
    const refused = { ...row(3_000_000), emitted_at: '0000-01-01T00:00:00.000Z' };
    await expect(insertAuditRows(pool, [row(3_000_001), refused], { table, originHost: 'host-d' })).rejects.toMatchObject({
      code: expect.stringMatching(/^22/),
    });
    const found = await pool.query(`SELECT 1 FROM "${table}" WHERE id = $1`, [row(3_000_001).id]);
    expect(found.rowCount).toBe(0);
  });
});
