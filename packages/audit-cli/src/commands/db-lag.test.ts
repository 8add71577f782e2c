import { DEFAULT_SUBSTRATE_TIMEOUTS, createSubstratePool, migrateSubstrate } from '@kora/audit-substrate-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, parseJsonLines, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

// Trust auth on loopback: the password is sent nowhere, but it is in the URL the CLI is given.
const DATABASE_URL = (process.env.KORA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test').replace(
  '//postgres@',
  '//postgres:pa55-word@',
);
const DOWN_URL = 'postgres://kora:pa55-word@127.0.0.1:1/kora';
const TABLE = `kora_test_cli_lag_${process.pid}`;
// A host name chosen to forge terminal output: it reverses the line and starts a colour.
const HOSTILE_HOST = 'evil\u202ehost\x1b[31m\x9b2J';
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const pool = createSubstratePool({ connectionString: DATABASE_URL, max: 2, ...DEFAULT_SUBSTRATE_TIMEOUTS });
const reachable = await pool.query('SELECT 1').then(
  () => true,
  () => false,
);
if (!reachable) console.warn('PostgreSQL at 127.0.0.1:5432 unreachable: db lag tests against it skipped');

describe.skipIf(!reachable)('db lag against PostgreSQL', () => {
  beforeAll(async () => {
    await migrateSubstrate(pool, { table: TABLE });
    // web-1 and the hostile host write every 10 s until a minute ago; web-2 fell silent five hours ago.
    await pool.query(
      `INSERT INTO "${TABLE}" (id, v, emitted_at, seam, details, origin_host, ingested_at)
       SELECT gen_random_uuid(), 1, at, 'mcp.tool_called', '{}', host, at + interval '2 seconds'
       FROM unnest($1::text[], $2::interval[]) AS hosts(host, silent),
            generate_series(0, 499) AS n,
            LATERAL (SELECT now() - interval '1 minute' - silent - n * interval '10 seconds' AS at) AS times`,
      [
        ['web-1', 'web-2', HOSTILE_HOST],
        ['0', '5 hours', '0'],
      ],
    );
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${TABLE}", "${TABLE}_checkpoints"`);
  });

  it("prints each host's newest row and how far behind it is as a table, the silent host hours behind", async () => {
    const { code, stdout, stderr } = await runCli(['db', 'lag', '--database-url', DATABASE_URL, '--table', TABLE]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ORIGIN HOST +NEWEST ROW +BEHIND +ARRIVED$/);
    expect(lines).toHaveLength(4);
    const byHost = new Map(lines.slice(1).map((line) => [line.split(/ {2,}/)[0], line.split(/ {2,}/)]));
    expect(byHost.get('web-1')?.[2]).toMatch(/^1m \d+s$/);
    expect(byHost.get('web-2')?.[2]).toMatch(/^5h [01]m$/);
    // The hostile name is printed escaped, and its columns still line up.
    expect(byHost.get(String.raw`evil\u202ehost\u001b[31m\u009b2J`)?.[2]).toMatch(/^1m \d+s$/);
    expect(stdout).not.toMatch(RAW_CONTROLS);
    const newestColumn = lines[0]?.indexOf('NEWEST ROW');
    for (const line of lines.slice(1)) expect(line.search(/\d{4}-\d{2}-\d{2}T/)).toBe(newestColumn);
  });

  it('prints JSON lines with --json, and exits 1 when a host is behind --behind', async () => {
    const { code, stdout } = await runCli(['db', 'lag', '--database-url', DATABASE_URL, '--table', TABLE, '--json', '--behind', '1h']);
    expect(code).toBe(1);
    expect(stdout).not.toMatch(RAW_CONTROLS);
    const hosts = parseJsonLines(stdout) as {
      origin_host: string;
      newest_emitted_at: string;
      newest_ingested_at: string;
      behind_ms: number;
      behind: boolean;
    }[];
    expect(hosts.map((host) => [host.origin_host, host.behind])).toEqual([
      [HOSTILE_HOST, false],
      ['web-1', false],
      ['web-2', true],
    ]);
    const silent = hosts[2];
    expect(silent?.behind_ms).toBeGreaterThanOrEqual(5 * 3_600_000 + 60_000);
    expect(Date.parse(silent?.newest_ingested_at ?? '') - Date.parse(silent?.newest_emitted_at ?? '')).toBe(2_000);
  });

  it('exits 0 and marks every host ok when none is behind --behind', async () => {
    const { code, stdout } = await runCli(['db', 'lag', '--table', TABLE, '--behind', '1d'], { KORA_DATABASE_URL: DATABASE_URL });
    expect(code).toBe(0);
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/ {2,}/).at(-1)),
    ).toEqual(['ok', 'ok', 'ok']);
  });

  it('reads a table partitioned by day the same way', async () => {
    const daily = `${TABLE}_daily`;
    await migrateSubstrate(pool, { table: daily, layout: 'daily' });
    try {
      await pool.query(
        `INSERT INTO "${daily}" (id, v, emitted_at, seam, details, origin_host)
         VALUES (gen_random_uuid(), 1, now() - interval '2 minutes', 'mcp.tool_called', '{}', 'web-1'),
                (gen_random_uuid(), 1, now() - interval '3 days', 'mcp.tool_called', '{}', 'web-2')`,
      );
      const { code, stdout } = await runCli(['db', 'lag', '--database-url', DATABASE_URL, '--table', daily, '--json', '--behind', '1h']);
      expect(code).toBe(1);
      expect((parseJsonLines(stdout) as { origin_host: string; behind: boolean }[]).map((host) => [host.origin_host, host.behind])).toEqual(
        [
          ['web-1', false],
          ['web-2', true],
        ],
      );
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${daily}", "${daily}_checkpoints"`);
    }
  });

  it('says so on stderr for an empty table, and fails with exit 2 for a missing one, never printing the password', async () => {
    const empty = `${TABLE}_empty`;
    await migrateSubstrate(pool, { table: empty });
    try {
      const io = createTestIo();
      expect(await main(['db', 'lag', '--database-url', DATABASE_URL, '--table', empty], io)).toBe(0);
      expect({ out: io.out(), err: io.err() }).toEqual({ out: '', err: `no rows in ${empty}\n` });
    } finally {
      await pool.query(`DROP TABLE IF EXISTS "${empty}", "${empty}_checkpoints"`);
    }
    const missing = await runCli(['db', 'lag', '--database-url', DATABASE_URL, '--table', `${TABLE}_missing`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `kora-audit db lag: cannot read ${TABLE}_missing at ${DATABASE_URL.replace('pa55-word', '***')}: code=42P01 relation "${TABLE}_missing" does not exist\n`,
    );
    expect(missing.stdout + missing.stderr).not.toContain('pa55-word');
  });
});

describe('db lag arguments', () => {
  async function run(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
    const io = createTestIo({ env });
    return { code: await main(args, io), err: io.err() };
  }

  it('needs a subcommand it knows and a database URL', async () => {
    expect(await run(['db'])).toEqual({
      code: 2,
      err: 'kora-audit db: a subcommand is required (grant-writer, lag, migrate, prune; see kora-audit db --help)\n',
    });
    expect(await run(['db', 'lagg\u202e'])).toEqual({
      code: 2,
      err: String.raw`kora-audit db: unknown subcommand 'lagg\u202e' (subcommands: grant-writer, lag, migrate, prune)` + '\n',
    });
    expect(await run(['db', 'lag'])).toEqual({
      code: 2,
      err: 'kora-audit db lag: --database-url is required (or set KORA_DATABASE_URL)\n',
    });
  });

  it('refuses an unknown option, a positional, a bad --behind and a table name that is not an identifier', async () => {
    const url = ['--database-url', DOWN_URL];
    expect(await run(['db', 'lag', ...url, '--since', '1h'])).toEqual({ code: 2, err: "kora-audit db lag: Unknown option '--since'\n" });
    expect((await run(['db', 'lag', ...url, 'extra'])).code).toBe(2);
    for (const behind of ['soon', 'never', '-5m', '1.5h', '']) {
      expect(await run(['db', 'lag', ...url, `--behind=${behind}`])).toMatchObject({
        code: 2,
        err: expect.stringContaining(`--behind: '${behind}' is not a duration`),
      });
    }
    expect(await run(['db', 'lag', ...url, '--table', 'x; DROP TABLE y'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("invalid table name 'x; DROP TABLE y'"),
    });
  });

  it('reports a database that refuses the connection with exit 2, the password replaced', async () => {
    const result = await run(['db', 'lag', '--database-url', DOWN_URL]);
    expect(result).toEqual({
      code: 2,
      err: 'kora-audit db lag: cannot read kora_audit_events at postgres://kora:***@127.0.0.1:1/kora: code=ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1\n',
    });
  });

  it('prints the usage of db and of db lag for --help', async () => {
    const db = createTestIo();
    expect(await main(['db', '--help'], db)).toBe(0);
    expect(db.out()).toContain('Usage: kora-audit db <subcommand>');
    const lag = createTestIo();
    expect(await main(['db', 'lag', '--help'], lag)).toBe(0);
    expect(lag.out()).toContain('Usage: kora-audit db lag --database-url URL');
  });
});

afterAll(async () => {
  await pool.end();
});
