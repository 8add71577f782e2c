import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  readIds,
  uniqueTableName,
  waitUntil,
} from './__fixtures__/postgres-test-server.js';
import { startTcpProxy } from './__fixtures__/tcp-proxy.js';
import type { TcpProxy } from './__fixtures__/tcp-proxy.js';
import { idsInFiles, writeSeamRows } from './__fixtures__/write-seam-rows.js';
import { readDatabaseErrorCode } from './classify-database-error.js';
import { DEFAULT_SUBSTRATE_TIMEOUTS, createSubstratePool, readSubstrateTimeouts } from './create-substrate-pool.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { readSubstrateEntries } from './read-substrate-entries.js';
import { createShipper } from './shipper/create-shipper.js';
import { createSubstrateWriter } from './writer/create-substrate-writer.js';

// Short, so a test sees a frozen connection fail; the assertions are on errors, never on time.
const SHORT = { connectTimeoutMs: 300, queryTimeoutMs: 300, statementTimeoutMs: 250 } as const;

/** The test database's URL through the proxy. */
function throughProxy(proxy: TcpProxy): string {
  const url = new URL(TEST_DATABASE_URL);
  url.port = String(proxy.port);
  return url.toString();
}

function captureLogger(): { info: (message: string) => void; warn: (message: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { info: (message) => void lines.push(message), warn: (message) => void lines.push(message), lines };
}

describe('readSubstrateTimeouts', () => {
  it('fills in the defaults and refuses a timeout that would mean none', () => {
    expect(readSubstrateTimeouts({})).toEqual(DEFAULT_SUBSTRATE_TIMEOUTS);
    expect(readSubstrateTimeouts({ queryTimeoutMs: 300 })).toEqual({ ...DEFAULT_SUBSTRATE_TIMEOUTS, queryTimeoutMs: 300 });
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createSubstratePool({ connectionString: TEST_DATABASE_URL, statementTimeoutMs: bad })).toThrow(
        'createSubstratePool: statementTimeoutMs must be a positive whole number of milliseconds',
      );
    }
  });
});

describe('readSubstrateTimeouts with hostile values', () => {
  it('keeps a positive whole number of milliseconds and refuses anything else, naming the option, never the value', () => {
    const names = ['connectTimeoutMs', 'queryTimeoutMs', 'statementTimeoutMs', 'keepAliveInitialDelayMs'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.oneof(fc.integer({ min: -10, max: 10_000_000 }), fc.double(), fc.anything()),
        (name, value) => {
          const timeouts = { [name]: value } as Record<string, unknown>;
          const valid = typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
          if (value === undefined || value === null) {
            expect(readSubstrateTimeouts(timeouts)).toEqual(DEFAULT_SUBSTRATE_TIMEOUTS);
          } else if (valid) {
            expect(readSubstrateTimeouts(timeouts)[name]).toBe(value);
          } else {
            expect(() => readSubstrateTimeouts(timeouts)).toThrow(
              `createSubstratePool: ${name} must be a positive whole number of milliseconds`,
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describeWithPostgres('createSubstratePool', () => {
  const table = uniqueTableName('frozen');
  const directory = mkdtempSync(join(tmpdir(), 'kora-substrate-frozen-'));
  let pool: pg.Pool;
  let proxy: TcpProxy;

  beforeAll(async () => {
    pool = createTestPool();
    await migrateSubstrate(pool, { table });
  });
  beforeEach(async () => {
    proxy = await startTcpProxy();
  });
  afterEach(async () => {
    await proxy.close();
  });
  afterAll(async () => {
    rmSync(directory, { recursive: true, force: true });
    await dropTable(pool, table);
    await pool.end();
  });

  it('gives each session the statement timeout, and the server cancels a statement past it', async () => {
    const timed = createSubstratePool({ connectionString: TEST_DATABASE_URL, ...SHORT });
    try {
      expect((await timed.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]?.statement_timeout).toBe('250ms');
      const error: unknown = await timed.query('SELECT pg_sleep(5)').catch((caught: unknown) => caught);
      expect(readDatabaseErrorCode(error)).toBe('57014');
    } finally {
      await timed.end();
    }
  });

  it('fails a panel read on a connection that stops answering, instead of waiting for ever', async () => {
    const frozen = createSubstratePool({ connectionString: throughProxy(proxy), max: 1, ...SHORT });
    try {
      // One connection, idle in the pool, then the server's answers stop coming through.
      expect((await readSubstrateEntries(frozen, { table, limit: 1 })).entries).toEqual([]);
      proxy.hold(true);
      const error: unknown = await readSubstrateEntries(frozen, { table, limit: 1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(readDatabaseErrorCode(error)).toBe('query_timeout');
      // A new connection through the frozen path fails too, on its own timeout.
      expect(readDatabaseErrorCode(await readSubstrateEntries(frozen, { table, limit: 1 }).catch((caught: unknown) => caught))).toBe(
        'connect_timeout',
      );
      proxy.hold(false);
      expect((await readSubstrateEntries(frozen, { table, limit: 1 })).entries).toEqual([]);
    } finally {
      await frozen.end();
    }
  });

  it('makes the direct writer report failing on a frozen connection, and deliver every row once when it answers again', async () => {
    const frozen = createSubstratePool({ connectionString: throughProxy(proxy), max: 1, ...SHORT });
    const logger = captureLogger();
    const writer = createSubstrateWriter({ client: frozen, table, originHost: 'host-frozen', batchRows: 50, flushIntervalMs: 20, logger });
    const row = (index: number): string =>
      `${JSON.stringify({ v: 1, id: `0192f7c2-6d3e-7a4b-9c1d-${(0xf00000000000 + index).toString(16)}`, emitted_at: '2026-11-27T06:00:00.000Z', seam: 'slack_dm.reply_failed', source: 'slack_dm', caller_session_id: null, details: { channel_id: 'D024BE91L', reason: 'slack_api:channel_not_found' } })}\n`;
    try {
      writer.write(Array.from({ length: 100 }, (_, index) => row(index)));
      await writer.flush();
      expect(writer.stats()).toMatchObject({ rowsDelivered: 100, failing: false });

      proxy.hold(true);
      writer.write(Array.from({ length: 100 }, (_, index) => row(100 + index)));
      await waitUntil('the writer to report the frozen connection', () => writer.stats().failing, 20_000);
      expect(writer.stats().lastError?.code).toMatch(/^(query|connect)_timeout$/);
      expect(logger.lines).toContain(
        '[kora.audit.substrate_failed] code=query_timeout rows_queued=100 (retrying; the rows are in the audit file)',
      );

      proxy.hold(false);
      await waitUntil('the writer to recover', () => !writer.stats().failing && writer.stats().rowsQueued === 0, 20_000);
      const ids = [...(await readIds(pool, table))].filter((id) => id.startsWith('0192f7c2-6d3e-7a4b-9c1d-f'));
      expect(ids.sort()).toEqual(Array.from({ length: 200 }, (_, index) => readRowId(row(index))).sort());
      expect(logger.lines.some((line) => line.startsWith('[kora.audit.substrate_recovered] '))).toBe(true);
      await writer.close();
    } finally {
      await frozen.end();
    }
  });

  it('makes the shipper count a frozen connection as an outage, and ship the rest when it answers again', async () => {
    const path = join(directory, 'shipped.jsonl');
    // Each writer's 20 rows come with its opened and closed rows.
    await writeSeamRows(path, 20);
    const logger = captureLogger();
    const shipper = createShipper({
      path,
      databaseUrl: throughProxy(proxy),
      timeouts: SHORT,
      table,
      originHost: 'ship-frozen',
      follow: true,
      pollMs: 20,
      logger,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    const running = shipper.run();
    try {
      await waitUntil('the first rows to be shipped', () => shipper.stats().rowsShipped === 22, 20_000);
      proxy.hold(true);
      await writeSeamRows(path, 20, Date.parse('2026-11-26T18:00:00.000Z'));
      await waitUntil('the shipper to notice the frozen connection', () => !shipper.stats().databaseAvailable, 20_000);
      expect(shipper.stats().lastError?.code).toMatch(/^(query|connect)_timeout$/);
      expect(logger.lines.some((line) => line.startsWith('[kora.ship.database_unavailable] code=query_timeout '))).toBe(true);
      proxy.hold(false);
      await waitUntil('the rest to be shipped', () => shipper.stats().databaseAvailable && shipper.stats().rowsShipped >= 44, 20_000);
    } finally {
      shipper.stop();
      await running;
    }
    const shipped = await readIds(pool, table);
    const inFile = await idsInFiles(path);
    expect(inFile).toHaveLength(44);
    expect(inFile.filter((id) => !shipped.has(id))).toEqual([]);
  });
});

function readRowId(line: string): string {
  return (JSON.parse(line) as { id: string }).id;
}
