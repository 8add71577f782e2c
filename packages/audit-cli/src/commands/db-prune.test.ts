import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEFAULT_SUBSTRATE_TIMEOUTS, createSubstratePartitions, createSubstratePool, migrateSubstrate } from '@kora/audit-substrate-pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestIo, packageDir, parseJsonLines, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

const DATABASE_URL = (process.env.KORA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test').replace(
  '//postgres@',
  '//postgres:pa55-word@',
);
const DOWN_URL = 'postgres://kora:pa55-word@127.0.0.1:1/kora';
const DAY_MS = 86_400_000;
const PLAIN = `kora_test_cli_prune_${process.pid}`;
const DAILY = `kora_test_cli_prune_daily_${process.pid}`;

const pool = createSubstratePool({ connectionString: DATABASE_URL, max: 2, ...DEFAULT_SUBSTRATE_TIMEOUTS });
const reachable = await pool.query('SELECT 1').then(
  () => true,
  () => false,
);
if (!reachable) console.warn('PostgreSQL at 127.0.0.1:5432 unreachable: db prune tests against it skipped');

/** Rows one every six hours over the 40 days before now, as `origin_host` `test-host`. */
async function fill(table: string, layout: 'plain' | 'daily'): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_checkpoints"`);
  await migrateSubstrate(pool, { table, layout });
  if (layout === 'daily') await createSubstratePartitions(pool, { table, from: new Date(Date.now() - 40 * DAY_MS), to: new Date() });
  await pool.query(
    `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host)
     SELECT gen_random_uuid(), 1, now() - n * interval '6 hours', 'mcp.tool_called', '{}', 'test-host' FROM generate_series(0, 159) AS n`,
  );
}

async function countOlderThan(table: string, days: number): Promise<{ older: number; all: number }> {
  const result = await pool.query<{ older: string; all: string }>(
    `SELECT count(*) FILTER (WHERE emitted_at < now() - $1 * interval '1 day') AS older, count(*) AS all FROM "${table}"`,
    [days],
  );
  return { older: Number(result.rows[0]?.older), all: Number(result.rows[0]?.all) };
}

describe.skipIf(!reachable)('db prune against PostgreSQL', () => {
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${PLAIN}", "${DAILY}", "${PLAIN}_checkpoints", "${DAILY}_checkpoints"`);
  });

  describe.each([
    ['plain', PLAIN],
    ['daily', DAILY],
  ] as const)('on the %s layout', (layout, table) => {
    beforeEach(async () => {
      await fill(table, layout);
    });

    it('removes the rows older than --older-than, prints each step and the total, and keeps every newer row', async () => {
      const before = await countOlderThan(table, 30);
      const { code, stdout, stderr } = await runCli([
        'db',
        'prune',
        '--older-than',
        '30d',
        '--database-url',
        DATABASE_URL,
        '--table',
        table,
      ]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const lines = stdout.trimEnd().split('\n');
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^removed ${before.older} rows emitted before \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z from ${table}`)),
      );
      if (layout === 'daily') {
        // Ten whole days dropped (nine, when the cut falls on the first of them), each with its rows.
        const drops = lines.filter((line) => line.startsWith('dropped partition '));
        expect(drops.length).toBeGreaterThanOrEqual(9);
        for (const line of drops)
          expect(line).toMatch(
            new RegExp(`^dropped partition ${table}_p\\d{8} \\(\\d{4}-\\d{2}-\\d{2} to \\d{4}-\\d{2}-\\d{2}\\): [1-4] rows$`),
          );
      } else {
        expect(lines[0]).toBe(`deleted ${before.older} rows from ${table}`);
      }
      expect(await countOlderThan(table, 30)).toEqual({ older: 0, all: before.all - before.older });
    });

    it('on a terminal shows what it would remove and removes nothing without --yes; with --yes it removes', async () => {
      const before = await countOlderThan(table, 20);
      const command = [
        'node',
        '--import',
        'tsx',
        '--conditions=@kora/source',
        'src/bin.ts',
        'db',
        'prune',
        '--older-than',
        '20d',
        '--database-url',
        DATABASE_URL,
        '--table',
        table,
      ];
      const asked = await inTerminal(command);
      expect(asked.code).toBe(2);
      expect(asked.output).toContain(`would remove ${before.older} rows emitted before`);
      expect(asked.output).toContain('nothing removed: on a terminal, run it again with --yes');
      expect(await countOlderThan(table, 20)).toEqual(before);
      const confirmed = await inTerminal([...command, '--yes']);
      expect(confirmed.code).toBe(0);
      expect(confirmed.output).toContain(`removed ${before.older} rows`);
      expect((await countOlderThan(table, 20)).older).toBe(0);
    });

    it('counts without removing under --dry-run, and prints JSON lines under --json', async () => {
      const before = await countOlderThan(table, 25);
      const dry = createTestIo();
      expect(
        await main(['db', 'prune', '--older-than', '25d', '--dry-run', '--json', '--database-url', DATABASE_URL, '--table', table], dry),
      ).toBe(0);
      const lines = parseJsonLines(dry.out()) as Record<string, unknown>[];
      expect(lines.at(-1)).toMatchObject({
        table,
        layout: layout === 'daily' ? 'partitioned' : 'plain',
        dry_run: true,
        removed_rows: before.older,
        created_partitions: [],
      });
      expect(lines.slice(0, -1).every((line) => line.dry_run === true)).toBe(true);
      expect(lines.slice(0, -1).reduce((sum, line) => sum + Number(line.rows), 0)).toBe(before.older);
      expect(await countOlderThan(table, 25)).toEqual(before);
    });
  });
});

/** Run `command` with a pseudo-terminal as its standard input and output (util-linux `script`). */
async function inTerminal(command: readonly string[]): Promise<{ code: number; output: string }> {
  const quoted = command.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  try {
    const { stdout } = await promisify(execFile)('script', ['-qec', quoted, '/dev/null'], {
      cwd: packageDir,
      env: { ...process.env, KORA_AUDIT_LOG_PATH: '' },
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, output: failed.stdout ?? '' };
  }
}

describe.skipIf(!reachable)('db prune and names from the catalog', () => {
  const table = `${DAILY}_hostile`;
  // A partition an operator (or an intruder) attached under a name that forges terminal output.
  const hostile = `old\u202e\x1b[31m\x9b2J`;
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_checkpoints"`);
  });

  it('prints a hostile partition name escaped, as text and as JSON', async () => {
    await migrateSubstrate(pool, { table, layout: 'daily' });
    await pool.query(`CREATE TABLE "${hostile}" PARTITION OF "${table}" FOR VALUES FROM ('2020-01-01') TO ('2020-02-01')`);
    await pool.query(
      `INSERT INTO "${table}" (id, v, emitted_at, seam, details, origin_host) VALUES (gen_random_uuid(), 1, '2020-01-15', 'mcp.tool_called', '{}', 'h')`,
    );
    for (const format of [[], ['--json']]) {
      const io = createTestIo();
      expect(
        await main(['db', 'prune', '--older-than', '30d', '--dry-run', ...format, '--database-url', DATABASE_URL, '--table', table], io),
      ).toBe(0);
      expect(io.out()).toContain(String.raw`old\u202e\u001b[31m\u009b2J`);
      expect(io.out()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  });
});

describe('db prune arguments', () => {
  async function run(args: readonly string[]): Promise<{ code: number; err: string }> {
    const io = createTestIo();
    return { code: await main(args, io), err: io.err() };
  }
  const url = ['--database-url', DOWN_URL];

  it('needs --older-than, a duration of at least an hour, and checks every count', async () => {
    expect(await run(['db', 'prune', ...url])).toEqual({
      code: 2,
      err: 'kora-audit db prune: --older-than is required (for example 30d)\n',
    });
    for (const value of ['30m', '59m', 'soon', 'never', '-30d', '1.5d']) {
      expect((await run(['db', 'prune', ...url, `--older-than=${value}`])).err).toMatch(
        /--older-than: '.*' (must be a duration of at least 1h|is not a duration)/,
      );
    }
    expect((await run(['db', 'prune', ...url, '--older-than', '30d', '--batch-size', '50'])).err).toContain(
      "--batch-size: '50' is not a whole number from 100 to 100000",
    );
    expect((await run(['db', 'prune', ...url, '--older-than', '30d', '--days-ahead', '400'])).err).toContain(
      "--days-ahead: '400' is not a whole number from 0 to 366",
    );
    expect((await run(['db', 'prune', '--older-than', '30d'])).err).toBe(
      'kora-audit db prune: --database-url is required (or set KORA_DATABASE_URL)\n',
    );
  });

  it('reports a database that refuses the connection with exit 2, the password replaced', async () => {
    expect(await run(['db', 'prune', ...url, '--older-than', '30d', '--yes'])).toEqual({
      code: 2,
      err: 'kora-audit db prune: cannot prune kora_audit_events at postgres://kora:***@127.0.0.1:1/kora: code=ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1\n',
    });
  });

  it('refuses on an interactive io without --yes before it removes anything', async () => {
    const io = createTestIo({ interactive: true });
    expect(await main(['db', 'prune', ...url, '--older-than', '30d'], io)).toBe(2);
    // It could not even count: the error, not a removal, is what it reports.
    expect(io.err()).toContain('cannot prune');
  });
});
