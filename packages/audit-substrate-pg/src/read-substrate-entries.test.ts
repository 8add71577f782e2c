import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope, SeamName } from '@kora/audit-sink';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from './__fixtures__/postgres-test-server.js';
import { writeSeamRows } from './__fixtures__/write-seam-rows.js';
import { insertAuditRows } from './insert-audit-rows.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { readSubstrateEntries } from './read-substrate-entries.js';

const ROWS = 403;
// Rows a sink wrote before envelope version 2: no writer, no sequence number.
const V1_ROWS = [0, 1, 2].map((n) =>
  JSON.stringify({
    v: 1,
    id: `0192f7c2-6d3e-7a4b-9c1d-${n.toString(16).padStart(12, '0')}`,
    emitted_at: `2026-11-26T16:59:59.00${n}Z`,
    seam: 'mcp.tool_called',
    source: 'mcp_http',
    caller_session_id: null,
    details: { tool_name: 'kora__list_tickets', tool_kind: 'read', caller_actor_kind: 'viewer', args_keys: [], result: 'ok' },
  }),
);
// In the file: the version 1 rows, then one writer's opened row, ROWS rows and its closed row.
const FILE_ROWS = V1_ROWS.length + ROWS + 2;

describeWithPostgres('readSubstrateEntries', () => {
  const pool = createTestPool();
  const table = uniqueTableName('read');
  const dir = mkdtempSync(join(tmpdir(), 'kora-substrate-read-'));
  const path = join(dir, 'audit.jsonl');

  beforeAll(async () => {
    writeFileSync(path, V1_ROWS.map((line) => `${line}\n`).join(''));
    await writeSeamRows(path, ROWS);
    await migrateSubstrate(pool, { table });
    const { entries } = await readAuditEntries({ path, limit: 10_000 });
    await insertAuditRows(pool, entries, { table, originHost: 'test-host' });
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every page of a read, from the file and from the table. */
  async function readAll(options: {
    seams?: SeamName[];
    since?: string;
    until?: string;
    limit?: number;
  }): Promise<{ file: AuditEnvelope[][]; table: AuditEnvelope[][] }> {
    const pages = { file: [] as AuditEnvelope[][], table: [] as AuditEnvelope[][] };
    for (let cursor: string | null | undefined = undefined, first = true; first || cursor !== null; first = false) {
      const page: { entries: AuditEnvelope[]; cursor: string | null } = await readAuditEntries({ path, ...options, cursor });
      pages.file.push(page.entries);
      cursor = page.cursor;
    }
    for (let cursor: string | null | undefined = undefined, first = true; first || cursor !== null; first = false) {
      const page: { entries: AuditEnvelope[]; cursor: string | null } = await readSubstrateEntries(pool, { table, ...options, cursor });
      pages.table.push(page.entries);
      cursor = page.cursor;
    }
    return pages;
  }

  it('returns the same rows as the file reader, newest first, with the same text', async () => {
    const fromFile = await readAuditEntries({ path, limit: 50, withLines: true });
    const fromTable = await readSubstrateEntries(pool, { table, limit: 50 });
    expect(fromTable.entries).toEqual(fromFile.entries);
    // Key order and the time's spelling as in the file: each entry serializes to its line,
    // except that jsonb keeps the keys inside details in an order of its own.
    const sortDetails = (entry: AuditEnvelope): string =>
      JSON.stringify({ ...entry, details: Object.fromEntries(Object.entries(entry.details).sort()) });
    expect(fromTable.entries.map(sortDetails)).toEqual(fromFile.entries.map(sortDetails));
    expect(fromTable.entries.map((entry) => Object.keys(entry))).toEqual(
      fromFile.entries.map(() => ['v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details', 'writer', 'seq']),
    );
    // The newest row is the writer's closed row, then its rows in descending sequence.
    expect(fromTable.entries.map((entry) => `${entry.seam}`).slice(0, 1)).toEqual(['audit.closed']);
    expect(fromTable.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 50 }, (_, index) => ROWS + 2 - index));
    expect(new Set(fromTable.entries.map((entry) => entry.seam)).size).toBe(5);
  });

  it('returns version 1 rows without writer or seq, and version 2 rows with them, as the file reader does', async () => {
    const { file, table: pages } = await readAll({ limit: 5, since: '2026-11-26T16:59:59.000Z', until: '2026-11-26T17:00:00.002Z' });
    expect(pages.flat()).toEqual(file.flat());
    expect(pages.flat().map((entry) => `${entry.seam} ${JSON.stringify(Object.keys(entry).slice(7))}`)).toEqual([
      'reasoning.tool_called ["writer","seq"]',
      'mcp.tool_called ["writer","seq"]',
      'audit.opened ["writer","seq"]',
      'mcp.tool_called []',
      'mcp.tool_called []',
      'mcp.tool_called []',
    ]);
    const columns = await pool.query<{ v: number; writer: string | null; seq: string | null }>(
      `SELECT v, writer::text AS writer, seq FROM "${table}" WHERE id = ANY($1::uuid[]) OR seam = 'audit.opened' ORDER BY emitted_at, id`,
      [V1_ROWS.map((line) => (JSON.parse(line) as { id: string }).id)],
    );
    const opened = pages.flat()[2];
    expect(columns.rows).toEqual([
      { v: 1, writer: null, seq: null },
      { v: 1, writer: null, seq: null },
      { v: 1, writer: null, seq: null },
      { v: 2, writer: opened?.id, seq: '1' },
    ]);
  });

  it('reads the lifecycle seams like any other: one seam, several, beside the agent seams', async () => {
    for (const seams of [
      ['audit.opened'],
      ['audit.closed', 'audit.opened'],
      ['audit.lost', 'audit.closed', 'mcp.tool_called'],
    ] as SeamName[][]) {
      const { file, table: pages } = await readAll({ seams, limit: 40 });
      expect(pages.flat()).toEqual(file.flat());
      expect(new Set(pages.flat().map((entry) => entry.seam))).toEqual(new Set(seams.filter((seam) => seam !== 'audit.lost')));
    }
  });

  it('pages through every row with the cursor, as the file reader does', async () => {
    const { file, table: pages } = await readAll({ limit: 37 });
    expect(pages.flat()).toEqual(file.flat());
    expect(pages.flat()).toHaveLength(FILE_ROWS);
    expect(pages.slice(0, -1).every((page) => page.length === 37)).toBe(true);
  });

  it('filters by seams, since (inclusive) and until (exclusive) as the file reader does', async () => {
    const since = '2026-11-26T17:00:00.100Z';
    const until = '2026-11-26T17:00:00.300Z';
    for (const options of [
      { seams: ['webhook.dead_letter'] as SeamName[], limit: 20 },
      { seams: ['mcp.tool_called', 'reasoning.tool_called'] as SeamName[], limit: 33 },
      { since, until, limit: 25 },
      { seams: ['slack_dm.reply_failed', 'mcp.tool_called'] as SeamName[], since, until, limit: 10 },
    ]) {
      const { file, table: pages } = await readAll(options);
      expect(pages.flat()).toEqual(file.flat());
      expect(pages.flat().length).toBeGreaterThan(0);
    }
    const bounded = (await readSubstrateEntries(pool, { table, since, until, limit: 1000 })).entries;
    expect(bounded[0]?.emitted_at).toBe('2026-11-26T17:00:00.299Z');
    expect(bounded[bounded.length - 1]?.emitted_at).toBe(since);
  });

  it('returns a null cursor once nothing older is left, and nothing for no seams', async () => {
    expect((await readSubstrateEntries(pool, { table, limit: FILE_ROWS })).cursor).toBeNull();
    expect((await readSubstrateEntries(pool, { table, limit: FILE_ROWS - 1 })).cursor).not.toBeNull();
    expect(await readSubstrateEntries(pool, { table, seams: [] })).toEqual({ entries: [], cursor: null, skipped: { invalid: 0 } });
  });

  it('rejects a bad limit, seam, time or cursor', async () => {
    await expect(readSubstrateEntries(pool, { table, limit: 0 })).rejects.toThrow(RangeError);
    await expect(readSubstrateEntries(pool, { table, limit: 10_001 })).rejects.toThrow(RangeError);
    await expect(readSubstrateEntries(pool, { table, seams: ['mcp.tool_deleted' as SeamName] })).rejects.toThrow(/unknown seam/);
    await expect(readSubstrateEntries(pool, { table, since: 'yesterday' })).rejects.toThrow(/since/);
    await expect(readSubstrateEntries(pool, { table, cursor: 'not-a-cursor' })).rejects.toThrow(/invalid cursor/);
    await expect(readSubstrateEntries(pool, { table: 'Robert"); DROP TABLE students;--' })).rejects.toThrow(/invalid table name/);
  });
});
