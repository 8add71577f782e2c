import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from '../__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { insertCheckpoint } from './insert-checkpoint.js';
import { readCheckpointOrigins } from './read-checkpoint-origins.js';
import { readCheckpoints } from './read-checkpoints.js';

function checkpointOf(origin: string, size: number): { origin: string; size: number; root: string; note: string } {
  const root = createHash('sha256').update(`${origin} ${size}`).digest('base64');
  return { origin, size, root, note: `${origin}\n${size}\n${root}\n\n— signature\n` };
}

describeWithPostgres('readCheckpoints', () => {
  const pool = createTestPool();
  const table = uniqueTableName('checkpoint_read');
  const hosts = ['kora-audit/host-b/1', 'kora-audit/host-a/1'];
  beforeAll(async () => {
    await migrateSubstrate(pool, { table });
    // Out of order, two origins, sizes of one to ten digits: the reads sort them as numbers.
    for (const size of [40, 100, 10, 30, 9, 2_147_483_637, 20, 50]) await insertCheckpoint(pool, table, checkpointOf(hosts[0] ?? '', size));
    for (const size of [7, 3]) await insertCheckpoint(pool, table, checkpointOf(hosts[1] ?? '', size));
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });

  it('returns one origin ascending by size, paged by afterSize and limit', async () => {
    const all = await readCheckpoints(pool, table, hosts[0] ?? '');
    expect(all.map((checkpoint) => checkpoint.size)).toEqual([9, 10, 20, 30, 40, 50, 100, 2_147_483_637]);
    expect(all[3]).toMatchObject(checkpointOf(hosts[0] ?? '', 30));
    const first = await readCheckpoints(pool, table, hosts[0] ?? '', { limit: 3 });
    const next = await readCheckpoints(pool, table, hosts[0] ?? '', { afterSize: first[first.length - 1]?.size, limit: 3 });
    const last = await readCheckpoints(pool, table, hosts[0] ?? '', { afterSize: 40, limit: 3 });
    expect([first, next, last].map((page) => page.map((checkpoint) => checkpoint.size))).toEqual([
      [9, 10, 20],
      [30, 40, 50],
      [50, 100, 2_147_483_637],
    ]);
    expect(await readCheckpoints(pool, table, 'kora-audit/unknown')).toEqual([]);
  });

  it('refuses a bad origin, afterSize or limit before asking the database', async () => {
    await expect(readCheckpoints(pool, table, 'two\nlines')).rejects.toThrow(TypeError);
    await expect(readCheckpoints(pool, table, hosts[0] ?? '', { afterSize: -1 })).rejects.toThrow(/afterSize must be an integer/);
    await expect(readCheckpoints(pool, table, hosts[0] ?? '', { limit: 0 })).rejects.toThrow(/limit must be an integer from 1 to 10000/);
    await expect(readCheckpoints(pool, 'Bad-Name', hosts[0] ?? '')).rejects.toThrow(/invalid table name/);
  });

  it('rejects a size the table holds past 2^53 - 1 rather than return it rounded', async () => {
    const origin = 'kora-audit/huge';
    const { root } = checkpointOf(origin, 1);
    await pool.query(`INSERT INTO "${table}_checkpoints" (origin, size, root, note) VALUES ($1, 9007199254740993, $2, 'n\n')`, [
      origin,
      root,
    ]);
    await expect(readCheckpoints(pool, table, origin)).rejects.toThrow(/a size past 9007199254740991/);
    await pool.query(`DELETE FROM "${table}_checkpoints" WHERE origin = $1`, [origin]);
  });
});

describeWithPostgres('readCheckpointOrigins', () => {
  const pool = createTestPool();
  const table = uniqueTableName('checkpoint_origins');
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });

  it('lists each origin once, in order, with its largest size (as a number, not as text) and when that checkpoint arrived', async () => {
    await migrateSubstrate(pool, { table });
    expect(await readCheckpointOrigins(pool, table)).toEqual([]);
    for (const size of [5, 1_000, 900, 12]) await insertCheckpoint(pool, table, checkpointOf('kora-audit/z', size));
    await insertCheckpoint(pool, table, checkpointOf('kora-audit/a', 0));
    const stored = await pool.query<{ received_at: Date }>(
      `SELECT received_at FROM "${table}_checkpoints" WHERE origin = 'kora-audit/z' AND size = 1000`,
    );
    expect(await readCheckpointOrigins(pool, table)).toEqual([
      { origin: 'kora-audit/a', latestSize: 0, receivedAt: expect.any(Date) as Date },
      { origin: 'kora-audit/z', latestSize: 1_000, receivedAt: stored.rows[0]?.received_at },
    ]);
  });
});
