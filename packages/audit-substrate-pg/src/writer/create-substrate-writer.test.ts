import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditSink } from '@kora/audit-sink';
import type { Seam } from '@kora/audit-sink';
import { seam as mcpSeam } from '@kora/seam-mcp';
import { seam as reasoningSeam } from '@kora/seam-reasoning';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  uniqueTableName,
  waitUntil,
} from '../__fixtures__/postgres-test-server.js';
import { startTcpProxy } from '../__fixtures__/tcp-proxy.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { createSubstrateWriter } from './create-substrate-writer.js';
import type { WriterTimers } from './create-substrate-writer.js';

const table = uniqueTableName('writer');
const directory = mkdtempSync(join(tmpdir(), 'kora-substrate-writer-'));
let pool: pg.Pool;

/** A pool through `port` (the proxy) on the test database. */
function poolThrough(port: number, connectionTimeoutMillis: number): pg.Pool {
  const url = new URL(TEST_DATABASE_URL);
  url.port = String(port);
  const proxied = new pg.Pool({ connectionString: url.toString(), max: 2, connectionTimeoutMillis });
  proxied.on('error', () => undefined);
  return proxied;
}

/** Ids in the table for one origin host. */
async function idsIn(host: string): Promise<string[]> {
  const result = await pool.query<{ id: string }>(`SELECT id::text AS id FROM ${table} WHERE origin_host = $1 ORDER BY id`, [host]);
  return result.rows.map((row) => row.id);
}

/** Ids in an audit file, sorted. */
function idsInFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { id: string }).id)
    .sort();
}

function collectWarnings(): { logger: { info: () => void; warn: (message: string) => void }; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: { info: () => undefined, warn: (message) => void warnings.push(message) }, warnings };
}

const mcpDetails = (index: number): Record<string, unknown> => ({
  tool_name: 'kora__create_ticket',
  tool_kind: 'mutating',
  caller_actor_kind: 'claude_pm_isokron',
  args_keys: ['body', 'priority', 'title'],
  result: `ticket_id=tkt-${index}`,
});
const reasoningDetails = (index: number): Record<string, unknown> => ({
  tool_name: 'kora__list_tickets',
  triggered_by: 'slack_dm',
  tool_duration_ms: index,
  tool_status: 'ok',
});

function emitMixed(sink: ReturnType<typeof createAuditSink>, count: number): void {
  for (let index = 0; index < count; index += 1) {
    const [seam, details]: [Seam, Record<string, unknown>] =
      index % 3 === 0 ? [reasoningSeam, reasoningDetails(index)] : [mcpSeam, mcpDetails(index)];
    const outcome = sink.emit(seam, details, { caller_session_id: `caller-${index % 7}` });
    if (!outcome.ok) throw new Error(`emit ${index} failed: ${outcome.reason}`);
  }
}

/** A valid row with an id made from `index`. */
function syntheticRow(index: number): string {
  const id = `0192f7c2-6d3e-7a4b-9c1d-${(0xa00000000000 + index).toString(16)}`;
  return `${JSON.stringify({ v: 1, id, emitted_at: '2026-11-27T06:00:00.000Z', seam: 'slack_dm.reply_failed', source: 'slack_dm', caller_session_id: null, details: { channel_id: 'D024BE91L', reason: 'slack_api:channel_not_found' } })}\n`;
}

function readId(line: string): string {
  return (JSON.parse(line) as { id: string }).id;
}

describeWithPostgres('createSubstrateWriter', () => {
  beforeAll(async () => {
    pool = createTestPool();
    await migrateSubstrate(pool, { table });
  });

  afterAll(async () => {
    rmSync(directory, { recursive: true, force: true });
    await dropTable(pool, table);
    await pool.end();
  });

  it('puts every row of the file into the table, once, as the sink wrote it', async () => {
    const path = join(directory, 'all.jsonl');
    const { logger, warnings } = collectWarnings();
    const writer = createSubstrateWriter({ client: pool, table, originHost: 'host-all', batchRows: 64, logger });
    const sink = createAuditSink({
      path,
      mode: 'batched',
      batchSize: 50,
      mirror: writer,
      logger,
      flushOnExit: false,
      reopenOnHangup: false,
    });
    emitMixed(sink, 1_000);
    await sink.close();
    expect(await idsIn('host-all')).toEqual(idsInFile(path));
    // The sink's opened row, the 1,000 rows, its closed row.
    expect(writer.stats()).toMatchObject({ rowsReceived: 1_002, rowsDelivered: 1_002, rowsQueued: 0, rowsDropped: 0, failing: false });
    expect(warnings).toEqual([]);

    // The table holds each row as the file does, with its writer and sequence number.
    const [, first] = readFileSync(path, 'utf8').split('\n');
    const row = JSON.parse(first!) as {
      id: string;
      details: unknown;
      caller_session_id: string;
      seam: string;
      emitted_at: string;
      writer: string;
      seq: number;
    };
    expect(row.seq).toBe(2);
    const stored = await pool.query<{
      details: unknown;
      caller_session_id: string;
      seam: string;
      emitted_at: Date;
      writer: string;
      seq: string;
    }>(`SELECT details, caller_session_id, seam, emitted_at, writer::text AS writer, seq FROM ${table} WHERE id = $1`, [row.id]);
    expect(stored.rows[0]).toEqual({
      details: row.details,
      caller_session_id: row.caller_session_id,
      seam: row.seam,
      emitted_at: new Date(row.emitted_at),
      writer: row.writer,
      seq: '2',
    });
  });

  it('creates a missing table in the layout it is given, partitioned by day, and delivers into it', async () => {
    const daily = uniqueTableName('writer_daily');
    const path = join(directory, 'daily.jsonl');
    const writer = createSubstrateWriter({
      client: pool,
      table: daily,
      layout: 'daily',
      originHost: 'host-daily',
      logger: collectWarnings().logger,
    });
    const sink = createAuditSink({
      path,
      mode: 'sync',
      mirror: writer,
      logger: collectWarnings().logger,
      flushOnExit: false,
      reopenOnHangup: false,
    });
    try {
      emitMixed(sink, 20);
      await sink.close();
      const partitions = await pool.query('SELECT 1 FROM pg_inherits WHERE inhparent = to_regclass($1)', [daily]);
      expect(partitions.rowCount).toBeGreaterThan(1);
      // The opened row, 20 rows, the closed row.
      const stored = await pool.query<{ rows: string }>(`SELECT count(*) AS rows FROM ${daily}`);
      expect(Number(stored.rows[0]?.rows)).toBe(22);
    } finally {
      await dropTable(pool, daily);
    }
  });

  it('holds rows while the database is away, retries, and delivers them once when it is back', async () => {
    const proxy = await startTcpProxy();
    const proxiedPool = poolThrough(proxy.port, 1_000);
    try {
      const path = join(directory, 'outage.jsonl');
      const { logger, warnings } = collectWarnings();
      const writer = createSubstrateWriter({
        client: proxiedPool,
        table,
        originHost: 'host-outage',
        batchRows: 40,
        flushIntervalMs: 20,
        logger,
      });
      const sink = createAuditSink({ path, mode: 'sync', mirror: writer, logger, flushOnExit: false, reopenOnHangup: false });
      emitMixed(sink, 100);
      await writer.flush();
      // The sink's opened row and 100 rows.
      expect(await idsIn('host-outage')).toHaveLength(101);

      proxy.setUp(false);
      emitMixed(sink, 200);
      await waitUntil('the writer to notice the outage', () => writer.stats().failing, 20_000);
      // The file took every row while the database was away.
      expect(idsInFile(path)).toHaveLength(301);
      expect(writer.stats().rowsQueued).toBeGreaterThan(0);

      proxy.setUp(true);
      await waitUntil('the queued rows to be delivered', () => !writer.stats().failing && writer.stats().rowsQueued === 0, 20_000);
      await sink.close();
      expect(await idsIn('host-outage')).toEqual(idsInFile(path));
      expect(warnings.some((warning) => warning.startsWith('[kora.audit.substrate_failed] code='))).toBe(true);
      expect(warnings.some((warning) => warning.startsWith('[kora.audit.substrate_recovered] '))).toBe(true);
      // Warnings name codes and counts: no connection string, no row.
      expect(warnings.join('\n')).not.toMatch(/postgres|127\.0\.0\.1|kora__|ticket_id/);
    } finally {
      await proxiedPool.end().catch(() => undefined);
      await proxy.close();
    }
  });

  it('under load, retries once per failed insert with the doubling delay, resumes as soon as the database is back, and lands every row once', async () => {
    const proxy = await startTcpProxy();
    const proxiedPool = poolThrough(proxy.port, 1_000);
    // Node's timers, recording every wait the writer asks for; no jitter, so the waits are exact.
    const delays: number[] = [];
    const timers: WriterTimers = {
      setTimeout: (callback, delayMs) => {
        delays.push(delayMs);
        return setTimeout(callback, delayMs).unref();
      },
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
    const flushIntervalMs = 30;
    const { logger } = collectWarnings();
    const writer = createSubstrateWriter({
      client: proxiedPool,
      table,
      originHost: 'host-load',
      batchRows: 200,
      flushIntervalMs,
      timers,
      random: () => 1,
      logger,
    });
    const written: string[] = [];
    // About 2,000 rows a second, before, during and after the outage.
    const pump = setInterval(() => {
      const rows = Array.from({ length: 20 }, (_, index) => syntheticRow(written.length + index + 1));
      for (const line of rows) written.push(readId(line));
      writer.write(rows);
    }, 10);
    try {
      await waitUntil('rows to flow', async () => (await idsIn('host-load')).length > 0, 20_000);
      proxy.setUp(false);
      await waitUntil('the writer to notice the outage', () => writer.stats().failing, 20_000);
      await waitUntil('three failed inserts', () => writer.stats().insertFailures >= 3, 20_000);
      const failuresWhileDown = writer.stats().insertFailures;
      proxy.setUp(true);
      await waitUntil('the writer to recover', () => !writer.stats().failing, 20_000);
      // One insert may have been on its way when the database came back; the next one got through.
      expect(writer.stats().insertFailures - failuresWhileDown).toBeLessThanOrEqual(1);
    } finally {
      clearInterval(pump);
    }
    try {
      await writer.flush();
      const { insertFailures } = writer.stats();
      // Each failed insert waited once, 100 ms doubling: the wait never grew with the rows.
      const retries = delays.filter((delay) => delay !== flushIntervalMs);
      expect(retries).toEqual(Array.from({ length: insertFailures }, (_, attempt) => Math.min(100 * 2 ** attempt, 30_000)));
      expect(writer.stats()).toMatchObject({ rowsQueued: 0, rowsDropped: 0, failing: false });
      expect(await idsIn('host-load')).toEqual([...written].sort());
      await writer.close();
    } finally {
      await proxiedPool.end().catch(() => undefined);
      await proxy.close();
    }
  });

  it('drops the oldest queued rows past its limit and counts them, and gives up on close within its timeout', async () => {
    const proxy = await startTcpProxy();
    proxy.setUp(false);
    const proxiedPool = poolThrough(proxy.port, 500);
    try {
      const { logger, warnings } = collectWarnings();
      const writer = createSubstrateWriter({
        client: proxiedPool,
        table,
        originHost: 'host-full',
        batchRows: 10,
        maxQueuedRows: 50,
        closeTimeoutMs: 300,
        logger,
      });
      const sink = createAuditSink({
        path: join(directory, 'full.jsonl'),
        mode: 'sync',
        mirror: writer,
        logger,
        flushOnExit: false,
        reopenOnHangup: false,
      });
      // The sink's opened row and 80 rows: the 31 oldest dropped.
      emitMixed(sink, 80);
      expect(writer.stats()).toMatchObject({ rowsReceived: 81, rowsDropped: 31, rowsQueued: 50 });
      expect(warnings).toContain(
        '[kora.audit.substrate_dropped] rows=1 dropped=1 reason=queue_full (the rows are in the audit file: run kora-audit ship)',
      );
      // The closed row pushes out one more; closing gives up on the 50 queued.
      await sink.close();
      expect(writer.stats()).toMatchObject({ rowsReceived: 82, rowsDropped: 82, rowsQueued: 0, rowsDelivered: 0 });
      expect(warnings.at(-1)).toBe(
        '[kora.audit.substrate_dropped] rows=50 dropped=82 reason=closed (the rows are in the audit file: run kora-audit ship)',
      );
    } finally {
      await proxiedPool.end().catch(() => undefined);
      await proxy.close();
    }
  });

  it('passes over a row the database refuses and delivers the rest of its batch', async () => {
    const { logger, warnings } = collectWarnings();
    const writer = createSubstrateWriter({ client: pool, table, originHost: 'host-refused', batchRows: 10, logger });
    const good = (index: number): string =>
      `${JSON.stringify({ v: 1, id: `0192f7c2-6d3e-7a4b-9c1d-${index.toString(16).padStart(12, '0')}`, emitted_at: '2026-11-27T06:00:00.000Z', seam: 'mcp.tool_called', source: 'mcp_http', caller_session_id: null, details: mcpDetails(index) })}\n`;
    // Not a row the sink writes: an emitted_at no timestamptz can hold.
    const refused = good(3).replace('2026-11-27T06:00:00.000Z', '2026-13-45T99:00:00.000Z');
    writer.write([good(1), good(2), refused, good(4)]);
    await writer.flush();
    expect(await idsIn('host-refused')).toEqual([
      '0192f7c2-6d3e-7a4b-9c1d-000000000001',
      '0192f7c2-6d3e-7a4b-9c1d-000000000002',
      '0192f7c2-6d3e-7a4b-9c1d-000000000004',
    ]);
    expect(writer.stats()).toMatchObject({ rowsDelivered: 3, rowsRejected: 1, rowsQueued: 0, failing: false });
    expect(warnings).toEqual([
      expect.stringMatching(/^\[kora\.audit\.substrate_rejected\] code=22\w{3} id=0192f7c2-6d3e-7a4b-9c1d-000000000003$/),
    ]);
    await writer.close();
  });
});
