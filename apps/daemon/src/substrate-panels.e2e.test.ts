// The daemon with PostgreSQL configured: every row also reaches the event log, and the panel
// pages read it with the same rows, filters and paging as the audit file gives.
import { SEAM_NAMES, readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope, SeamName } from '@kora/audit-sink';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { insertAuditRows } from '@kora/audit-substrate-pg';
import { seam as mcpSeam } from '@kora/seam-mcp';
import { seam as reasoningSeam } from '@kora/seam-reasoning';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from './demo/run-scenario.js';
import { scenarioOptionsFor, startDemoStack } from './demo/start-demo-stack.js';
import type { DemoStack } from './demo/start-demo-stack.js';
import { PANEL_DEFINITIONS } from './panels/panel-definitions.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.KORA_TEST_REQUIRE_POSTGRES === '1';

async function probe(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const reachable = await probe();
if (!reachable && required)
  throw new Error('PostgreSQL at 127.0.0.1:5432 is unreachable, and KORA_TEST_REQUIRE_POSTGRES=1 makes these tests required');
if (!reachable) console.warn('PostgreSQL at 127.0.0.1:5432 unreachable: the daemon substrate tests are skipped');

const table = `kora_daemon_test_${process.pid}_${Date.now().toString(36)}`;
const plantedSecret = ['xoxb', '4444444444', '5555555555555', 'SubstrateSubstrateSubstr'].join('-');

describe.skipIf(!reachable)('the daemon with the PostgreSQL event log', () => {
  let capture: CaptureSink;
  let stack: DemoStack;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    capture = createCaptureSink();
    stack = await startDemoStack({
      port: 0,
      logger: capture.logger,
      // Partitioned by day, as a fleet at scale runs it: the panels read it as they read a plain table.
      env: { KORA_DATABASE_URL: DATABASE_URL, KORA_SUBSTRATE_TABLE: table, KORA_SUBSTRATE_LAYOUT: 'daily' },
    });
    await runScenario(scenarioOptionsFor(stack, plantedSecret));
    // Enough rows for several pages of every panel, through the daemon's own sink.
    const { sink } = stack.daemon.context.audit;
    for (let index = 0; index < 120; index += 1) {
      const seam = index % 2 === 0 ? mcpSeam : reasoningSeam;
      const details =
        index % 2 === 0
          ? {
              tool_name: 'kora__list_tickets',
              tool_kind: 'read',
              caller_actor_kind: 'ops_dashboard',
              args_keys: ['status'],
              result: `count=${index}`,
            }
          : { tool_name: 'kora__list_tickets', triggered_by: 'slack_dm', tool_duration_ms: index, tool_status: 'ok' };
      expect(sink.emit(seam, details).ok).toBe(true);
    }
    await sink.flush();
    await waitFor(async () => {
      const health = (await (
        await fetch(`${stack.daemon.url}/healthz`, { headers: { authorization: `Bearer ${stack.operatorToken}` } })
      ).json()) as { audit: { writer: { seq: number } }; substrate: { rows_delivered: number; rows_queued: number } };
      // The event log gets every row the writer numbered: the seams' rows (rows_written counts only
      // those) and its own opened row; none was lost.
      return health.substrate.rows_queued === 0 && health.substrate.rows_delivered === health.audit.writer.seq;
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await capture?.cleanup();
    await pool?.query(`DROP TABLE IF EXISTS ${table}, ${table}_checkpoints`);
    await pool?.end();
  });

  /** Every row of a panel, page by page through the API, following `next_cursor`. */
  async function walkPanel(panel: string, query: Record<string, string>): Promise<{ rows: AuditEnvelope[]; pages: number }> {
    const rows: AuditEnvelope[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const parameters = new URLSearchParams({ ...query, ...(cursor === null ? {} : { cursor }) });
      const response = await fetch(`${stack.daemon.url}/api/panels/${panel}?${parameters.toString()}`, {
        headers: { authorization: `Bearer ${stack.operatorToken}` },
      });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { rows: AuditEnvelope[]; next_cursor: string | null; skipped: Record<string, number> };
      expect(page.skipped).toEqual({ blank: 0, malformed: 0, torn: 0, invalid: 0 });
      rows.push(...page.rows);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null);
    return { rows, pages };
  }

  /** The same rows read from the audit file. */
  async function walkFile(seams: readonly SeamName[], query: { since?: string; until?: string }): Promise<AuditEnvelope[]> {
    const rows: AuditEnvelope[] = [];
    let cursor: string | null = null;
    do {
      const page = await readAuditEntries({ path: stack.auditLogPath, seams, ...query, limit: 7, cursor });
      rows.push(...page.entries);
      cursor = page.cursor;
    } while (cursor !== null);
    return rows;
  }

  it('puts every row of the audit file into the table, from this host', async () => {
    // The seams' rows and the daemon's writer's own rows (its opened row; nothing lost, not closed yet).
    const fileRows = await walkFile([...SEAM_NAMES], {});
    expect(fileRows.filter((row) => row.seam.startsWith('audit.')).map((row) => row.seam)).toEqual(['audit.opened']);
    const stored = await pool.query<{ id: string; origin_host: string }>(`SELECT id::text AS id, origin_host FROM ${table}`);
    expect(stored.rows.map((row) => row.id).sort()).toEqual(fileRows.map((row) => row.id).sort());
    expect(new Set(stored.rows.map((row) => row.origin_host)).size).toBe(1);
    expect(JSON.stringify(stored.rows)).not.toContain(plantedSecret);
    // The daemon created the table partitioned by day (KORA_SUBSTRATE_LAYOUT=daily), with today's partition.
    const partitions = await pool.query<{ name: string }>(
      'SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = to_regclass($1)',
      [table],
    );
    expect(partitions.rows.map((row) => row.name)).toContain(`${table}_p${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`);
  });

  it('returns the same rows from PostgreSQL as from the file, for every panel, page by page', async () => {
    for (const panel of PANEL_DEFINITIONS) {
      const fromDatabase = await walkPanel(panel.name, { limit: '7' });
      expect(fromDatabase.rows).toEqual(await walkFile(panel.seams, {}));
      expect(fromDatabase.rows.length).toBeGreaterThan(0);
      // Each row as the file has it, its writer and place in the writer's sequence last; no audit.* row in a panel.
      for (const row of fromDatabase.rows) expect(Object.keys(row).slice(-2)).toEqual(['writer', 'seq']);
      expect(fromDatabase.rows.every((row) => (panel.seams as readonly string[]).includes(row.seam))).toBe(true);
    }
    // Several pages, so the paging itself was compared, not just one answer.
    expect((await walkPanel('agent-activity', { limit: '7' })).pages).toBeGreaterThan(10);
  });

  it('applies since, until and seam the way the file does', async () => {
    const all = await walkFile(['mcp.tool_called', 'reasoning.tool_called'], {});
    const since = all[Math.floor(all.length * 0.7)]!.emitted_at;
    const until = all[Math.floor(all.length * 0.2)]!.emitted_at;
    const fromDatabase = await walkPanel('agent-activity', { limit: '9', since, until, seam: 'reasoning.tool_called' });
    const fromFile = await walkFile(['reasoning.tool_called'], { since, until });
    expect(fromDatabase.rows).toEqual(fromFile);
    expect(fromFile.length).toBeGreaterThan(5);
  });

  it('shows the rows every host of the fleet wrote', async () => {
    const other: AuditEnvelope = {
      v: 1,
      id: '0192f7c2-6d3e-7a4b-9c1d-00000000f1ee',
      emitted_at: new Date().toISOString(),
      seam: 'webhook.dead_letter',
      source: null,
      caller_session_id: null,
      details: {
        source: 'slack',
        reason: 'slack_signature_mismatch',
        ts: 1_795_000_000.125,
        peer_ip: '203.0.113.9',
        request_id: 'req-fleet',
        body_bytes: 12,
        headers: {},
      },
    };
    await insertAuditRows(pool, [other], { table, originHost: 'another-host' });
    const { rows } = await walkPanel('webhook-events', { limit: '50' });
    expect(rows[0]).toEqual(other);
    expect(rows.length).toBe((await walkFile(['webhook.dead_letter'], {})).length + 1);
  });

  it('streams rows from every host live, in arrival order, once they settle', async () => {
    const controller = new AbortController();
    const response = await fetch(`${stack.daemon.url}/api/panels/webhook-events/stream`, {
      headers: { authorization: `Bearer ${stack.operatorToken}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`the stream ended before ${needle}`);
        text += new TextDecoder().decode(chunk.value);
      }
    };
    try {
      await readUntil('event: ready');
      const fromAnotherHost = (n: number): AuditEnvelope => ({
        v: 1,
        id: `0192f7c2-6d3e-7a4b-9c1d-00000000e${n.toString().padStart(3, '0')}`,
        emitted_at: new Date().toISOString(),
        seam: 'webhook.dead_letter',
        source: null,
        caller_session_id: null,
        details: {
          source: 'email',
          reason: 'purelymail_hmac_mismatch',
          ts: 1_795_000_000.5,
          peer_ip: '203.0.113.7',
          request_id: `req-${n}`,
          body_bytes: n,
          headers: {},
        },
      });
      const [first, second] = [fromAnotherHost(1), fromAnotherHost(2)];
      await insertAuditRows(pool, [first, second], { table, originHost: 'streaming-host' });
      await readUntil(`id: ${second.id}`);
      const events = text.split('\n\n').filter((event) => event.includes('event: row'));
      const ids = events.map((event) => /^id: (.+)$/m.exec(event)?.[1]);
      expect(ids.slice(-2)).toEqual([first.id, second.id]);
      const data = /^data: (.+)$/m.exec(events.at(-1) ?? '')?.[1];
      expect(JSON.parse(data ?? 'null')).toEqual(second);
    } finally {
      controller.abort();
    }
  });

  it('refuses a cursor from another source with a 400, not a 500', async () => {
    const fileCursor = (await readAuditEntries({ path: stack.auditLogPath, limit: 1 })).cursor!;
    const response = await fetch(`${stack.daemon.url}/api/panels/agent-activity?cursor=${encodeURIComponent(fileCursor)}`, {
      headers: { authorization: `Bearer ${stack.operatorToken}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_query' });
  });
});

/** Poll `condition` until it holds, for up to 20 seconds. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the event log to catch up');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A TCP proxy to the test database that can freeze: connections stay open and what the client
 * sends still reaches the server, but nothing comes back (a failover, a peer gone behind a
 * load balancer).
 */
async function startFreezingProxy(): Promise<{ url: string; freeze: () => void; close: () => Promise<void> }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const server = connect(5432, '127.0.0.1');
    sockets.add(client).add(server);
    client.on('error', () => server.destroy()).pipe(server);
    server.on('error', () => client.destroy());
    server.on('data', (chunk: Buffer) => {
      if (!frozen) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(DATABASE_URL);
  url.port = String((proxy.address() as AddressInfo).port);
  return {
    url: url.toString(),
    freeze: () => void (frozen = true),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}

describe.skipIf(!reachable)('the daemon with a PostgreSQL connection that stops answering', () => {
  it('answers a panel request with 503 within its query timeout instead of hanging', async () => {
    const proxy = await startFreezingProxy();
    const capture = createCaptureSink();
    const frozenTable = `${table}_frozen`;
    const env = {
      KORA_DATABASE_URL: proxy.url,
      KORA_SUBSTRATE_TABLE: frozenTable,
      KORA_DATABASE_QUERY_TIMEOUT_MS: '300',
      KORA_DATABASE_STATEMENT_TIMEOUT_MS: '250',
    };
    const stack = await startDemoStack({ port: 0, logger: capture.logger, env });
    try {
      const ask = (): Promise<Response> =>
        fetch(`${stack.daemon.url}/api/panels/agent-activity?limit=5`, { headers: { authorization: `Bearer ${stack.operatorToken}` } });
      expect((await ask()).status).toBe(200);
      proxy.freeze();
      const response = await ask();
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'substrate_unavailable' });
      expect(
        capture
          .logLines()
          .some((line) => line.msg === '[kora.panels.read_failed] panel=agent-activity source=postgres error=query_timeout'),
      ).toBe(true);
    } finally {
      await proxy.close();
      await stack.close();
      await capture.cleanup();
      const cleanup = new pg.Client({ connectionString: DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`DROP TABLE IF EXISTS ${frozenTable}, ${frozenTable}_checkpoints`);
      await cleanup.end();
    }
  }, 60_000);
});
