import { mkdtempSync, rmSync } from 'node:fs';
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

describeWithPostgres('readSubstrateEntries', () => {
  const pool = createTestPool();
  const table = uniqueTableName('read');
  const dir = mkdtempSync(join(tmpdir(), 'kora-substrate-read-'));
  const path = join(dir, 'audit.jsonl');

  beforeAll(async () => {
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
      fromFile.entries.map(() => ['v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details']),
    );
    expect(new Set(fromTable.entries.map((entry) => entry.seam)).size).toBe(4);
  });

  it('pages through every row with the cursor, as the file reader does', async () => {
    const { file, table: pages } = await readAll({ limit: 37 });
    expect(pages.flat()).toEqual(file.flat());
    expect(pages.flat()).toHaveLength(ROWS);
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
    expect((await readSubstrateEntries(pool, { table, limit: ROWS })).cursor).toBeNull();
    expect((await readSubstrateEntries(pool, { table, limit: ROWS - 1 })).cursor).not.toBeNull();
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
