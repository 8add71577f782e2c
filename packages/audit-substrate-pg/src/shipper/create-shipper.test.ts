import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditEntries } from '@kora/audit-sink';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWriter } from '../__fixtures__/child-processes.js';
import {
  TEST_DATABASE_URL,
  countRows,
  createTestPool,
  describeWithPostgres,
  dropTable,
  readIds,
  uniqueTableName,
  waitUntil,
} from '../__fixtures__/postgres-test-server.js';
import { idsInFiles, writeSeamRows } from '../__fixtures__/write-seam-rows.js';
import { readSubstrateEntries } from '../read-substrate-entries.js';
import { createShipper } from './create-shipper.js';
import type { ShipperOptions } from './create-shipper.js';
import { readShipCheckpoint } from './read-ship-checkpoint.js';

/** A logger that keeps its lines. */
function captureLogger(): { info: (message: string) => void; warn: (message: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { info: (message) => void lines.push(message), warn: (message) => void lines.push(message), lines };
}

describeWithPostgres('createShipper', () => {
  const pool = createTestPool();
  const table = uniqueTableName('shipper');
  let dir: string;
  let fileNumber = 0;
  const freshPath = (): string => join(dir, `audit-${(fileNumber += 1)}.jsonl`);
  const ship = (options: Partial<ShipperOptions> & { path: string }): ReturnType<typeof createShipper> =>
    createShipper({ pool, table, originHost: 'test-host', logger: captureLogger(), pollMs: 50, ...options });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kora-shipper-'));
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships every row of all seams, which read back as the file has them', async () => {
    const path = freshPath();
    // The writer's opened row, 1,001 rows of the seams, its closed row.
    expect(await writeSeamRows(path, 1_001, Date.parse('2026-11-20T00:00:00.000Z'))).toHaveLength(1_003);
    const stats = await ship({ path, batchRows: 100 }).run();
    expect(stats).toMatchObject({
      rowsShipped: 1_003,
      rowsInserted: 1_003,
      linesSkipped: { blank: 0, malformed: 0, invalid: 0, rejected: 0 },
      offset: readFileSync(path).length,
    });
    const since = '2026-11-20T00:00:00.000Z';
    const until = '2026-11-20T00:00:01.001Z';
    const fromFile = await readAuditEntries({ path, since, until, limit: 2_000 });
    const fromTable = await readSubstrateEntries(pool, { table, since, until, limit: 2_000 });
    expect(fromTable.entries).toEqual(fromFile.entries);
    expect(fromTable.entries).toHaveLength(1_003);
    expect(
      fromTable.entries.filter((entry) => entry.seam.startsWith('audit.')).map((entry) => `${entry.seam} ${String(entry.seq)}`),
    ).toEqual(['audit.closed 1003', 'audit.opened 1']);
  });

  it('resumes from its checkpoint: a second run ships only what was appended', async () => {
    const path = freshPath();
    // Each writer's rows come with its opened and closed rows: 300 + 2, then 50 + 2.
    await writeSeamRows(path, 300, Date.parse('2026-11-21T00:00:00.000Z'));
    expect((await ship({ path }).run()).rowsShipped).toBe(302);
    const checkpoint = await readShipCheckpoint(`${path}.ship-checkpoint.json`);
    expect(checkpoint).toMatchObject({ path, offset: readFileSync(path).length, fingerprint: { bytes: 1024 } });
    expect((await ship({ path }).run()).rowsShipped).toBe(0);
    await writeSeamRows(path, 50, Date.parse('2026-11-21T01:00:00.000Z'));
    expect(await ship({ path }).run()).toMatchObject({ rowsShipped: 52, rowsInserted: 52 });
  });

  it('waits for a torn last line, and passes bad lines with a warning that names offset and reason only', async () => {
    const path = freshPath();
    await writeSeamRows(path, 3, Date.parse('2026-11-22T00:00:00.000Z'));
    const [first = '', second = '', third = ''] = readFileSync(path, 'utf8').split('\n');
    const badOffset = Buffer.byteLength(`${first}\n`);
    const secret = 'not json xoxb-secret-value';
    const unknownSeam = second.replace('"seam":"', '"seam":"x');
    // A dead writer's torn head with a whole row glued after it, then half a row.
    writeFileSync(path, `${first}\n${secret}\n${unknownSeam}\n{"v":1,"id":"01${third}\n\n${second.slice(0, 40)}`);
    const logger = captureLogger();
    const stats = await ship({ path, logger }).run();
    expect(stats).toMatchObject({ rowsShipped: 2, linesSkipped: { blank: 1, malformed: 1, invalid: 1, rejected: 0 } });
    const warnings = logger.lines.filter((line) => line.startsWith('[kora.ship.skipped]'));
    expect(warnings).toEqual([
      `[kora.ship.skipped] path=${path} offset=${badOffset} reason=malformed`,
      `[kora.ship.skipped] path=${path} offset=${badOffset + secret.length + 1} reason=invalid_seam`,
    ]);
    expect(logger.lines.join('\n')).not.toContain('xoxb');
    // The torn line is not passed: it is shipped once its writer ends it.
    appendFileSync(path, `${second.slice(40)}\n`);
    expect((await ship({ path, logger }).run()).rowsShipped).toBe(1);
    expect((await readIds(pool, table)).has(JSON.parse(second).id as string)).toBe(true);
  });

  it('ships every row exactly once while the file is rotated by rename mid-shipping', { timeout: 120_000 }, async () => {
    const path = freshPath();
    const shipper = ship({ path, follow: true, batchRows: 200 });
    const running = shipper.run();
    const writing = startWriter(path, 1, 6_000, 10);
    const lines = (file: string): number => readFileSync(file, 'utf8').split('\n').length - 1;
    // logrotate's `create` mode: rename the files up by one, create the new live file.
    const named = (index: number): string => (index === 0 ? path : `${path}.${index}`);
    const rotate = (): void => {
      for (let index = 1; index >= 0; index -= 1) {
        if (existsSync(named(index))) renameSync(named(index), named(index + 1));
      }
      writeFileSync(path, '', { mode: 0o600 });
    };
    await waitUntil('rows in the file', () => lines(path) > 1_500);
    rotate();
    await waitUntil('rows in the new live file', () => lines(path) > 1_000);
    rotate();
    const { acknowledged, ids, writer } = await writing;
    expect(acknowledged).toBe(6_000);
    // Its opened row (seq 1), the 6,000 rows, its closed row (seq 6,002), nothing lost.
    expect(writer).toMatchObject({ seq: 6_002, lost: {} });
    const ofWriter = async (): Promise<{ rows: string; ids: string; seqs: string; first: string; last: string; other: string[] }> => {
      const found = await pool.query<{ rows: string; ids: string; seqs: string; first: string; last: string; other: string[] }>(
        `SELECT count(*) AS rows, count(DISTINCT id) AS ids, count(DISTINCT seq) AS seqs, min(seq) AS first, max(seq) AS last,
                array_agg(id::text) FILTER (WHERE NOT (id = ANY($2::uuid[]))) AS other
           FROM "${table}" WHERE writer = $1::uuid`,
        [writer.id, ids],
      );
      return found.rows[0] ?? { rows: '0', ids: '0', seqs: '0', first: '', last: '', other: [] };
    };
    await waitUntil('every row in the table', async () => (await ofWriter()).rows === '6002');
    shipper.stop();
    await running;
    const stored = await ofWriter();
    expect(stored).toMatchObject({ rows: '6002', ids: '6002', seqs: '6002', first: '1', last: '6002' });
    // The two rows not acknowledged to the caller are the writer's own, the opened row's id its id.
    expect(stored.other).toHaveLength(2);
    expect(stored.other).toContain(writer.id);
    expect(new Set(await idsInFiles(path))).toEqual(new Set([...ids, ...stored.other]));
    expect(lines(`${path}.2`)).toBeGreaterThan(1_000);
  });

  it('ships the rows of a copytruncate copy that were not shipped yet, then the truncated file from its start', async () => {
    const path = freshPath();
    // Each writer's rows come with its opened and closed rows.
    await writeSeamRows(path, 400, Date.parse('2026-11-23T00:00:00.000Z'));
    expect((await ship({ path }).run()).rowsShipped).toBe(402);
    // More rows, then logrotate's copytruncate before they are shipped, then new rows.
    const later = await writeSeamRows(path, 100, Date.parse('2026-11-23T01:00:00.000Z'));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    const newest = await writeSeamRows(path, 30, Date.parse('2026-11-23T02:00:00.000Z'));
    const logger = captureLogger();
    const stats = await ship({ path, logger }).run();
    expect(stats).toMatchObject({ rowsShipped: 102 + 32, rowsInserted: 102 + 32 });
    const shipped = await readIds(pool, table);
    expect([...later, ...newest].every((id) => shipped.has(id))).toBe(true);
  });

  it('follows copytruncate while following the file', async () => {
    const path = freshPath();
    const shipper = ship({ path, follow: true });
    const running = shipper.run();
    const before = await writeSeamRows(path, 200, Date.parse('2026-11-24T00:00:00.000Z'));
    await waitUntil('the first rows shipped', async () => (await readIds(pool, table)).has(before.at(-1) ?? ''));
    const unshipped = await writeSeamRows(path, 100, Date.parse('2026-11-24T01:00:00.000Z'));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    const after = await writeSeamRows(path, 20, Date.parse('2026-11-24T02:00:00.000Z'));
    await waitUntil('every row shipped', async () => {
      const shipped = await readIds(pool, table);
      return [...before, ...unshipped, ...after].every((id) => shipped.has(id));
    });
    shipper.stop();
    const stats = await running;
    // Three writers: 200, 100 and 20 rows, each with its opened and closed rows.
    expect(stats.rowsInserted).toBe(320 + 3 * 2);
  });

  it('waits while the database is unreachable, warns once without the password, and keeps the checkpoint', async () => {
    const path = freshPath();
    await writeSeamRows(path, 10);
    const logger = captureLogger();
    const shipper = createShipper({
      path,
      databaseUrl: 'postgres://kora:s3cret-pw@127.0.0.1:1/test',
      logger,
      migrate: false,
      retry: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    const running = shipper.run();
    await waitUntil('a few failed attempts', () => shipper.stats().databaseFailures >= 3);
    shipper.stop();
    const stats = await running;
    expect(stats).toMatchObject({ rowsShipped: 0, databaseAvailable: false, lastError: { code: 'ECONNREFUSED' } });
    const warnings = logger.lines.filter((line) => line.startsWith('[kora.ship.database_unavailable]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('code=ECONNREFUSED database=postgres://kora:***@127.0.0.1:1/test');
    expect(logger.lines.join('\n')).not.toContain('s3cret');
    expect(await readShipCheckpoint(`${path}.ship-checkpoint.json`)).toMatchObject({ offset: 0 });
  });

  it('gives up once the database has been unreachable for giveUpAfterMs, keeping the checkpoint', async () => {
    const path = freshPath();
    await writeSeamRows(path, 10);
    const logger = captureLogger();
    // No stop() here: only the give-up ends this run. Its first backoff step is ten minutes,
    // so the run ends within the test's time only because the wait is cut to the give-up time.
    const stats = await createShipper({
      path,
      databaseUrl: 'postgres://kora:s3cret-pw@127.0.0.1:1/test',
      logger,
      retry: { initialDelayMs: 600_000, maxDelayMs: 600_000 },
      giveUpAfterMs: 400,
    }).run();
    expect(stats).toMatchObject({ rowsShipped: 0, gaveUp: true, databaseAvailable: false, lastError: { code: 'ECONNREFUSED' } });
    const gaveUp = logger.lines.filter((line) => line.startsWith('[kora.ship.gave_up]'));
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatch(
      /^\[kora\.ship\.gave_up\] code=ECONNREFUSED database=postgres:\/\/kora:\*\*\*@127\.0\.0\.1:1\/test after_ms=\d+;/,
    );
    expect(Number(/after_ms=(\d+)/.exec(gaveUp[0] ?? '')?.[1])).toBeGreaterThanOrEqual(400);
    expect(logger.lines.join('\n')).not.toContain('s3cret');
    // It never reached the database, so no position was ever saved past the start.
    expect((await readShipCheckpoint(`${path}.ship-checkpoint.json`))?.offset ?? 0).toBe(0);
  });

  it('lets one shipper at a time use a checkpoint, and takes over a lock whose process is gone', async () => {
    const path = freshPath();
    await writeSeamRows(path, 3);
    const down = 'postgres://kora:s3cret-pw@127.0.0.1:1/test';
    const first = createShipper({
      path,
      databaseUrl: down,
      logger: captureLogger(),
      follow: true,
      migrate: false,
      retry: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    const running = first.run();
    await waitUntil('the first shipper holds the lock', () => existsSync(`${path}.ship-checkpoint.json.lock`));
    const second = createShipper({ path, databaseUrl: down, logger: captureLogger(), migrate: false });
    await expect(second.run()).rejects.toThrow(
      `${path}.ship-checkpoint.json is in use by another shipper (pid ${process.pid}): run one shipper per audit file`,
    );
    first.stop();
    await running;
    expect(existsSync(`${path}.ship-checkpoint.json.lock`)).toBe(false);

    // A shipper killed with SIGKILL leaves its lock behind; the next one takes it over.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${path}.ship-checkpoint.json.lock`, `${JSON.stringify({ pid: Number(dead.stdout), host: hostname() })}\n`);
    const after = await createShipper({ path, databaseUrl: down, logger: captureLogger(), migrate: false, giveUpAfterMs: 0 }).run();
    expect(after.gaveUp).toBe(true);
    expect(existsSync(`${path}.ship-checkpoint.json.lock`)).toBe(false);

    // One on another host cannot be checked from here: it says what to do.
    writeFileSync(`${path}.ship-checkpoint.json.lock`, `${JSON.stringify({ pid: 1, host: 'other-host' })}\n`);
    await expect(createShipper({ path, databaseUrl: down, migrate: false }).run()).rejects.toThrow(
      `${path}.ship-checkpoint.json is in use by a shipper on other-host (pid 1); if none runs there, delete ${path}.ship-checkpoint.json.lock`,
    );
  });

  it('refuses a checkpoint kept for another file', async () => {
    const path = freshPath();
    const other = freshPath();
    await writeSeamRows(other, 1);
    await ship({ path: other }).run();
    await expect(ship({ path, checkpointPath: `${other}.ship-checkpoint.json` }).run()).rejects.toThrow(
      /give each audit file its own checkpoint/,
    );
  });

  it('rejects bad options at once', () => {
    expect(() => createShipper({ path: 'x', databaseUrl: TEST_DATABASE_URL, batchRows: 0 })).toThrow(RangeError);
    expect(() => createShipper({ path: 'x' })).toThrow(/pool or databaseUrl/);
    expect(() => createShipper({ path: 'x', pool, table: 'a-b' })).toThrow(/invalid table name/);
    // Numbers are refused, never changed: a poll of 0 ms would spin, a first retry of 0 ms hammer the server.
    expect(() => createShipper({ path: 'x', pool, pollMs: 0 })).toThrow(
      new RangeError('createShipper: pollMs must be an integer from 1 to 3600000, got 0'),
    );
    expect(() => createShipper({ path: 'x', pool, retry: { initialDelayMs: 0 } })).toThrow(RangeError);
    expect(() => createShipper({ path: 'x', pool, retry: { initialDelayMs: 500, maxDelayMs: 100 } })).toThrow(
      new RangeError('createShipper: retry.maxDelayMs must be an integer from 500 to 3600000, got 100'),
    );
    expect(() => createShipper({ path: 'x', pool, pollMs: '5' as unknown as number })).toThrow(TypeError);
  });
  void countRows;
});
