import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SUBSTRATE_TIMEOUTS, createSubstratePool, migrateSubstrate } from '@kora/audit-substrate-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir } from '../__fixtures__/cli-harness.js';
import { loadSealSigner } from '@kora/audit-seal';
import { emitRows, keygen, openWriter, sealOnce } from '../__fixtures__/sealed-audit-file.js';
import type { KeyFiles } from '../__fixtures__/sealed-audit-file.js';
import { main } from '../main.js';

const BASE_URL = process.env.KORA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE_URL = BASE_URL.replace('//postgres@', '//postgres:pa55-word@');
const TABLE = `kora_seal_anchor_${process.pid}`;
const pool = createSubstratePool({ connectionString: DATABASE_URL, max: 2, ...DEFAULT_SUBSTRATE_TIMEOUTS });
const reachable = await pool.query('SELECT 1').then(
  () => true,
  () => false,
);
if (!reachable) console.warn('PostgreSQL at 127.0.0.1:5432 unreachable: seal --database-url tests against it skipped');

interface SealOutput {
  origin: string;
  size: number;
  checkpoint: { size: number; root: string } | null;
  anchor?: { anchored: number; already_there: number; conflicts: number; skipped: number; failed: boolean };
}

let dir: string;
let key: KeyFiles;
let next = 0;

/** An audit file with a rotated file and a live one, sealed once (one checkpoint) and grown since. */
async function sealedOnceAndGrown(): Promise<string> {
  const path = join(dir, `audit-${next++}.jsonl`);
  const first = openWriter(path);
  emitRows(first, 10);
  await first.close();
  renameSync(path, `${path}.1`);
  const second = openWriter(path);
  emitRows(second, 5, 10);
  await second.close();
  // Rotated files are finished at once: the run under test then reads on in the live file.
  await sealOnce(path, await loadSealSigner(key.privateKey));
  const third = openWriter(path);
  emitRows(third, 5, 15);
  await third.close();
  return path;
}

async function seal(path: string, ...extra: string[]): Promise<{ code: number; output: SealOutput; err: string }> {
  const io = createTestIo({ cwd: dir });
  const code = await main(['seal', '--key', key.privateKey, '--path', path, ...extra], io);
  return { code, output: JSON.parse(io.out() || 'null') as SealOutput, err: io.err() };
}

const anchoredIn = async (origin: string): Promise<{ size: number; root: string }[]> =>
  (
    await pool.query<{ size: string; root: string }>(`SELECT size, root FROM "${TABLE}_checkpoints" WHERE origin = $1 ORDER BY size`, [
      origin,
    ])
  ).rows.map((row) => ({ size: Number(row.size), root: row.root }));

const checkpointsOf = (path: string): { size: number; root: string; origin: string }[] =>
  readFileSync(`${path}.checkpoints`, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { size: number; root: string; origin: string });

describe.skipIf(!reachable)('kora-audit seal --database-url: checkpoints anchored in PostgreSQL', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    dir = makeTempDir();
    key = await keygen(join(dir, 'keys'), 'audit.example.com/seal-anchor');
    await migrateSubstrate(pool, { table: TABLE });
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${TABLE}", "${TABLE}_checkpoints"`);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('anchors the checkpoint sealed before (catching up) and the one it appends, and a second run nothing new', async () => {
    const path = await sealedOnceAndGrown();
    const first = await seal(path, '--database-url', DATABASE_URL, '--table', TABLE);
    expect(first.code).toBe(0);
    expect(first.output.anchor).toEqual({ anchored: 2, already_there: 0, conflicts: 0, skipped: 0, failed: false });
    const written = checkpointsOf(path);
    expect(written).toHaveLength(2);
    expect(await anchoredIn(first.output.origin)).toEqual(written.map(({ size, root }) => ({ size, root })));

    const again = await seal(path, '--database-url', DATABASE_URL, '--table', TABLE);
    expect(again.code).toBe(0);
    expect(again.output.checkpoint).toBeNull();
    expect(again.output.anchor).toMatchObject({ anchored: 0, conflicts: 0, failed: false });
    expect(await anchoredIn(first.output.origin)).toHaveLength(2);
  });

  it('still seals when the database cannot be reached, exits 75, and never prints the password', async () => {
    const path = await sealedOnceAndGrown();
    const unreachable = await seal(path, '--database-url', 'postgres://kora:pa55-word@127.0.0.1:1/kora', '--table', TABLE);
    expect(unreachable.code).toBe(75);
    expect(unreachable.output.anchor).toMatchObject({ anchored: 0, failed: true });
    expect(unreachable.output.checkpoint?.size).toBe(checkpointsOf(path)[1]?.size);
    expect(unreachable.err).toMatch(
      /\[kora\.seal\.anchor_failed\] table=kora_seal_anchor_\d+_checkpoints url=postgres:\/\/kora:\*+@127\.0\.0\.1:1\/kora/,
    );
    expect(JSON.stringify(unreachable)).not.toContain('pa55-word');

    // The next run with the database reachable catches up on both.
    const later = await seal(path, '--database-url', DATABASE_URL, '--table', TABLE);
    expect(later.code).toBe(0);
    expect(later.output.anchor).toMatchObject({ anchored: 2, failed: false });
  });

  it('exits 1 when the database holds another root for a checkpoint of the log, with or without --follow', async () => {
    for (const follow of [[], ['--follow']]) {
      const path = await sealedOnceAndGrown();
      const [sealed] = checkpointsOf(path);
      // What another log, or this one before it was rewritten, anchored at that origin and size.
      await pool.query(`INSERT INTO "${TABLE}_checkpoints" (origin, size, root, note) VALUES ($1, $2, $3, $4)`, [
        sealed!.origin,
        sealed!.size,
        `${'A'.repeat(43)}=`,
        'another note\n',
      ]);
      // With --follow it stops by itself: no signal is sent.
      const conflicting = await seal(path, '--database-url', DATABASE_URL, '--table', TABLE, ...follow);
      expect(conflicting.code).toBe(1);
      expect(conflicting.output.anchor).toMatchObject({ conflicts: 1 });
      expect(conflicting.err).toContain('[kora.ship.checkpoint_conflict]');
      expect(conflicting.err).toContain('the log was rewritten');
      expect((await anchoredIn(sealed!.origin))[0]?.root).toBe(`${'A'.repeat(43)}=`);
    }
  });

  it('refuses --table without --database-url', async () => {
    const io = createTestIo({ cwd: dir });
    expect(await main(['seal', '--key', key.privateKey, '--path', join(dir, 'none.jsonl'), '--table', TABLE], io)).toBe(2);
    expect(io.err()).toContain('--table: only with --database-url');
  });
});
