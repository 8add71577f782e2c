// The real PostgreSQL server the substrate tests run against, and what they need of it:
// a probe, a table of their own, a restart, and counts.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readErrorCode } from '@kora/audit-sink';
import pg from 'pg';
import { describe, it } from 'vitest';

/** The test database: trust auth on loopback, as on the CI machine. */
export const TEST_DATABASE_URL = process.env.KORA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return readErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unreachable = await probe();
const required = process.env.KORA_TEST_REQUIRE_POSTGRES === '1';

/**
 * `describe` when the server answers. When it does not: a skip with a visible message, or,
 * with KORA_TEST_REQUIRE_POSTGRES=1 (CI), one failing test saying why.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  if (unreachable === undefined) {
    describe(name, body);
    return;
  }
  if (required) {
    describe(name, () => {
      it('reaches PostgreSQL (KORA_TEST_REQUIRE_POSTGRES=1)', () => {
        throw new Error(`PostgreSQL at 127.0.0.1:5432 unreachable (${unreachable}), and KORA_TEST_REQUIRE_POSTGRES=1 requires it`);
      });
    });
    return;
  }
  console.warn(`PostgreSQL at 127.0.0.1:5432 unreachable (${unreachable}): substrate tests skipped`);
  describe.skip(name, body);
}

/** A pool on the test database that survives a server restart (idle connections dropped are not fatal). */
export function createTestPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  return pool;
}

/** A table name no other test file uses: files run side by side. */
export function uniqueTableName(label: string): string {
  return `kora_test_${label}_${randomBytes(4).toString('hex')}`;
}

/** Drop a test table and the checkpoint table beside it. */
export async function dropTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_checkpoints"`);
}

/** Rows in a table: all, and distinct ids. */
export async function countRows(pool: pg.Pool, table: string): Promise<{ rows: number; ids: number }> {
  const result = await pool.query<{ rows: string; ids: string }>(`SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM "${table}"`);
  return { rows: Number(result.rows[0]?.rows ?? 0), ids: Number(result.rows[0]?.ids ?? 0) };
}

/** Every id in a table. */
export async function readIds(pool: pg.Pool, table: string): Promise<Set<string>> {
  const result = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "${table}"`);
  return new Set(result.rows.map((row) => row.id));
}

/** Wait until `condition` resolves true, checking every 100 ms; rejects after `timeoutMs` with `what`. */
export async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let met = false;
    try {
      met = await condition();
    } catch {
      // The server may be restarting: ask again.
    }
    if (met) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The local cluster as `pg_lsclusters` lists it (Debian): version and name. */
function findCluster(): { version: string; name: string } {
  const listing = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  const line = listing.split('\n').find((entry) => /\s5432\s/.test(entry)) ?? listing.split('\n')[0] ?? '';
  const [version, name] = line.trim().split(/\s+/);
  if (version === undefined || name === undefined) throw new Error(`no PostgreSQL cluster in pg_lsclusters: ${listing}`);
  return { version, name };
}

/** Why the real server cannot be restarted here, or undefined when it can (root and pg_ctlcluster). */
export function restartUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'restarting PostgreSQL needs root';
  try {
    findCluster();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Restart the real server (every connection breaks), then wait until it accepts connections
 * again. Also the way to bring it back should anything leave it stopped.
 */
export async function restartPostgres(): Promise<void> {
  const { version, name } = findCluster();
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'restart', '--mode=fast'], { stdio: 'ignore' });
  await waitUntil('PostgreSQL to accept connections again', async () => (await probe()) === undefined, 120_000);
}

/** Stop the real server (every connection breaks) and wait until it refuses connections. */
export async function stopPostgres(): Promise<void> {
  const { version, name } = findCluster();
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'stop', '--mode=fast'], { stdio: 'ignore' });
  await waitUntil('PostgreSQL to stop', async () => (await probe()) !== undefined, 120_000);
}

/** Start the server if it is down (a test's cleanup): leaves it as the machine had it. */
export async function ensurePostgresRunning(): Promise<void> {
  if ((await probe()) === undefined) return;
  const { version, name } = findCluster();
  try {
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], { stdio: 'ignore' });
  } catch {
    // Already starting: wait for it below.
  }
  await waitUntil('PostgreSQL to accept connections', async () => (await probe()) === undefined, 120_000);
}
