import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from '../__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { insertCheckpoint } from './insert-checkpoint.js';
import { readCheckpoints } from './read-checkpoints.js';
import type { SubstrateCheckpoint } from './substrate-checkpoint.js';

/** A root as the sealer makes one: 32 bytes of SHA-256, standard base64. */
function rootOf(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

function checkpointOf(origin: string, size: number, label = ''): SubstrateCheckpoint {
  const root = rootOf(`${origin} ${size} ${label}`);
  return { origin, size, root, note: `${origin}\n${size}\n${root}\n\n— kora-audit signature${label}\n` };
}

describeWithPostgres('insertCheckpoint', () => {
  const pool = createTestPool();
  const table = uniqueTableName('checkpoint');
  const origin = 'kora-audit/host-7/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  beforeAll(async () => {
    await migrateSubstrate(pool, { table });
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });

  it('stores a checkpoint once: the same one again is a success that inserts nothing', async () => {
    const checkpoint = checkpointOf(origin, 3);
    expect(await insertCheckpoint(pool, table, checkpoint)).toEqual({ ok: true, inserted: true });
    expect(await insertCheckpoint(pool, table, checkpoint)).toEqual({ ok: true, inserted: false });
    const stored = await readCheckpoints(pool, table, origin);
    expect(stored.map(({ receivedAt: _receivedAt, ...rest }) => rest)).toEqual([checkpoint]);
    expect(stored[0]?.receivedAt).toBeInstanceOf(Date);
  });

  it('reports another root or note at the same origin and size as a conflict and keeps the first', async () => {
    const first = checkpointOf(origin, 10);
    expect(await insertCheckpoint(pool, table, first)).toEqual({ ok: true, inserted: true });
    const rewritten = checkpointOf(origin, 10, ' after a rewrite');
    expect(await insertCheckpoint(pool, table, rewritten)).toEqual({
      ok: false,
      reason: 'conflict',
      stored: { root: first.root, note: first.note },
    });
    // The same root with another note (signed again, by another key) is a conflict too.
    expect(await insertCheckpoint(pool, table, { ...first, note: `${first.note}— another signature\n` })).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    const stored = await readCheckpoints(pool, table, origin, { afterSize: 9, limit: 1 });
    expect(stored.map((checkpoint) => [checkpoint.size, checkpoint.root, checkpoint.note])).toEqual([[10, first.root, first.note]]);
  });

  it('keeps one row per origin and size when many insert the same checkpoint at once', async () => {
    const checkpoint = checkpointOf(origin, 77);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => insertCheckpoint(pool, table, checkpoint)));
    expect(outcomes.filter((outcome) => outcome.ok && outcome.inserted)).toHaveLength(1);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
  });

  it('stores size 0, the largest safe size and a 64 KiB note exactly', async () => {
    const empty = checkpointOf('kora-audit/empty', 0);
    const large = checkpointOf('kora-audit/empty', Number.MAX_SAFE_INTEGER);
    const note = `${'é'.repeat(32_767)}\n`; // 65,535 bytes
    const long = { ...checkpointOf('kora-audit/empty', 5), note };
    for (const checkpoint of [empty, large, long])
      expect(await insertCheckpoint(pool, table, checkpoint)).toEqual({ ok: true, inserted: true });
    const stored = await readCheckpoints(pool, table, 'kora-audit/empty');
    expect(stored.map(({ receivedAt: _receivedAt, ...rest }) => rest)).toEqual([empty, long, large]);
  });

  it('refuses an invalid field with a TypeError naming the field and not its value, storing nothing', async () => {
    const valid = checkpointOf('kora-audit/refused', 1);
    const secret = 'Zm9vYmFyc2VjcmV0';
    const cases: [string, unknown][] = [
      ['origin', { ...valid, origin: '' }],
      ['origin', { ...valid, origin: `kora-audit/${secret}\nsecond line` }],
      ['origin', { ...valid, origin: `${secret}${'x'.repeat(1_024)}` }],
      ['origin', { ...valid, origin: 42 }],
      ['size', { ...valid, size: -1 }],
      ['size', { ...valid, size: 1.5 }],
      ['size', { ...valid, size: Number.MAX_SAFE_INTEGER + 1 }],
      ['size', { ...valid, size: '3' }],
      ['root', { ...valid, root: `${secret}` }],
      // 32 bytes in URL-safe base64, without padding, or with spare bits set: one root has one spelling.
      ['root', { ...valid, root: valid.root.replace(/\+/g, '-').replace(/\//g, '_').replace('=', '') }],
      ['root', { ...valid, root: `${valid.root.slice(0, 42)}B=` }],
      ['root', { ...valid, root: createHash('sha512').update(secret).digest('base64') }],
      ['note', { ...valid, note: `${secret}` }],
      ['note', { ...valid, note: `${secret}\u0000\n` }],
      ['note', { ...valid, note: `${secret}\ud800\n` }],
      ['note', { ...valid, note: `${secret}${'x'.repeat(65_536)}\n` }],
      ['checkpoint', null],
    ];
    for (const [field, checkpoint] of cases) {
      const error = await insertCheckpoint(pool, table, checkpoint as SubstrateCheckpoint).then(
        () => undefined,
        (rejected: unknown) => rejected,
      );
      expect(error, field).toBeInstanceOf(TypeError);
      expect((error as Error).message, field).toContain(`insertCheckpoint: ${field === 'checkpoint' ? 'the checkpoint' : field}`);
      expect((error as Error).message).not.toContain(secret);
    }
    expect(await readCheckpoints(pool, table, 'kora-audit/refused')).toEqual([]);
  });

  it('is refused by the table too when a row comes by other means with a bad root or size', async () => {
    const checkpoints = `"${table}_checkpoints"`;
    await expect(
      pool.query(`INSERT INTO ${checkpoints} (origin, size, root, note) VALUES ('o', 1, 'not base64', 'n\n')`),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      pool.query(`INSERT INTO ${checkpoints} (origin, size, root, note) VALUES ('o', -1, $1, 'n\n')`, [rootOf('x')]),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
