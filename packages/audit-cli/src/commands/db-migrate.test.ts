import { DEFAULT_SUBSTRATE_TIMEOUTS, createSubstratePool, migrateSubstrate } from '@kora/audit-substrate-pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestIo, parseJsonLines, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

const DATABASE_URL = (process.env.KORA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test').replace(
  '//postgres@',
  '//postgres:pa55-word@',
);
const TABLE = `kora_test_cli_migrate_${process.pid}`;
const NOW = Date.parse('2026-12-06T10:00:00.000Z');

const pool = createSubstratePool({ connectionString: DATABASE_URL, max: 2, ...DEFAULT_SUBSTRATE_TIMEOUTS });
const reachable = await pool.query('SELECT 1').then(
  () => true,
  () => false,
);
if (!reachable) console.warn('PostgreSQL at 127.0.0.1:5432 unreachable: db migrate tests against it skipped');

describe.skipIf(!reachable)('db migrate against PostgreSQL', () => {
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${TABLE}_daily", "${TABLE}_plain", "${TABLE}_daily_checkpoints", "${TABLE}_plain_checkpoints"`);
  });

  it('creates a table partitioned by day, with the days ahead and a default partition, and says so', async () => {
    const io = createTestIo({ now: () => NOW });
    expect(
      await main(
        ['db', 'migrate', '--database-url', DATABASE_URL, '--table', `${TABLE}_daily`, '--layout', 'daily', '--days-ahead', '3'],
        io,
      ),
    ).toBe(0);
    expect({ out: io.out(), err: io.err() }).toEqual({
      out: `${TABLE}_daily: partitioned by day on emitted_at, 4 partitions (2026-12-06 to 2026-12-09) and a default partition, ready\n`,
      err: '',
    });
    // Again, as JSON: the same partitions, nothing new.
    const json = createTestIo({ now: () => NOW });
    expect(
      await main(['db', 'migrate', '--database-url', DATABASE_URL, '--table', `${TABLE}_daily`, '--days-ahead', '3', '--json'], json),
    ).toBe(0);
    const [layout] = parseJsonLines(json.out()) as {
      layout: string;
      partitions: { name: string; from: string | null; default: boolean }[];
    }[];
    expect(layout?.layout).toBe('partitioned');
    expect(layout?.partitions.map((partition) => partition.name)).toEqual([
      ...['06', '07', '08', '09'].map((day) => `${TABLE}_daily_p202612${day}`),
      `${TABLE}_daily_default`,
    ]);
  });

  it('creates a plain table by default, and refuses --layout daily for it afterwards with exit 2', async () => {
    const { code, stdout } = await runCli(['db', 'migrate', '--database-url', DATABASE_URL, '--table', `${TABLE}_plain`]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: `${TABLE}_plain: a plain table, ready\n` });
    await migrateSubstrate(pool, { table: `${TABLE}_plain` });
    const refused = await runCli(['db', 'migrate', '--database-url', DATABASE_URL, '--table', `${TABLE}_plain`, '--layout', 'daily']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `kora-audit db migrate: ${TABLE}_plain exists without partitions: convert it as docs/fleet.md describes, or migrate without layout 'daily'\n`,
    );
  });
});

describe('db migrate arguments', () => {
  it('refuses an unknown layout and a bad --days-ahead before it connects', async () => {
    for (const [args, message] of [
      [['--layout', 'monthly'], "--layout: 'monthly' is not a layout (plain or daily)"],
      [['--days-ahead', '-1'], "Option '--days-ahead' argument is ambiguous"],
      [['--days-ahead=999'], "--days-ahead: '999' is not a whole number from 0 to 366"],
    ] as const) {
      const io = createTestIo();
      expect(await main(['db', 'migrate', '--database-url', 'postgres://kora:pa55-word@127.0.0.1:1/kora', ...args], io)).toBe(2);
      expect(io.err()).toContain(message);
    }
  });
});
