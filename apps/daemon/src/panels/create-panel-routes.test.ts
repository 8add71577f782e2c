import { appendFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { seam as mcpToolCalledSeam } from '@kora/seam-mcp';
import type { AuditEnvelope } from '@kora/audit-sink';
import { insertAuditRows, migrateSubstrate } from '@kora/audit-substrate-pg';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createSubstrateSource } from './create-panel-sources.js';
import { OPERATOR_TOKEN, startPanelServer } from './__fixtures__/start-panel-server.js';
import type { PanelServer } from './__fixtures__/start-panel-server.js';

const start = Date.parse('2026-11-26T17:00:00.000Z');
const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };

interface PanelPage {
  panel: string;
  rows: AuditEnvelope[];
  next_cursor: string | null;
  skipped: { blank: number; malformed: number; torn: number; invalid: number };
}

interface ProblemBody {
  error: string;
  message: string;
}

const servers: PanelServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function startServer(options: Parameters<typeof startPanelServer>[0] = {}): Promise<PanelServer> {
  const server = await startPanelServer({ start, ...options });
  servers.push(server);
  return server;
}

/** One row of each seam, a second apart, in the order mcp, reasoning, webhook, slack, repeated `rounds` times. */
function seedAllSeams(server: PanelServer, rounds: number): string[] {
  const ids: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const write of [server.emit.mcp, server.emit.reasoning, server.emit.webhook, server.emit.slack]) {
      server.setTime(start + ids.length * 1000);
      ids.push(write());
    }
  }
  return ids;
}

async function getPage(server: PanelServer, path: string): Promise<PanelPage> {
  const response = await fetch(`${server.url}${path}`, { headers: auth });
  expect(response.status).toBe(200);
  return (await response.json()) as PanelPage;
}

function newestFirst(rows: readonly AuditEnvelope[]): boolean {
  return rows.every((row, index) => index === 0 || (rows[index - 1]?.emitted_at ?? '') >= row.emitted_at);
}

describe('createPanelRoutes: operator token', () => {
  it('refuses every /api route without the token, and with a wrong one', async () => {
    const server = await startServer();
    for (const path of ['/api/panels', '/api/panels/agent-activity', '/api/panels/reasoning/stream', '/api/integrity', '/api/activity']) {
      const missing = await fetch(`${server.url}${path}`);
      expect(missing.status, path).toBe(401);
      expect(missing.headers.get('www-authenticate')).toContain('Bearer');
      expect(((await missing.json()) as ProblemBody).error).toBe('unauthorized');

      const wrong = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}x` } });
      expect(wrong.status, path).toBe(401);
      const shorter = await fetch(`${server.url}${path}`, { headers: { authorization: 'Bearer operator' } });
      expect(shorter.status, path).toBe(401);
    }
  });

  it('starts a cookie session for the token, which then authorizes without a header until signed out', async () => {
    const server = await startServer();
    const refused = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-the-token' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const login = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: OPERATOR_TOKEN }),
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^kora_operator=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    // Scoped by the browser to the request's directory (`/api`, or `/<prefix>/api` behind a proxy).
    expect(setCookie).not.toContain('Path=');
    expect(setCookie).not.toContain('Secure');
    // The cookie carries a session id, never the token itself.
    expect(setCookie).not.toContain(OPERATOR_TOKEN);
    const cookie = setCookie.split(';')[0]!;

    expect((await fetch(`${server.url}/api/panels/reasoning`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/panels/reasoning`, { headers: { cookie: 'kora_operator=forged' } })).status).toBe(401);
    // A wrong bearer header is not rescued by a good cookie.
    expect((await fetch(`${server.url}/api/panels/reasoning`, { headers: { cookie, authorization: 'Bearer nope' } })).status).toBe(401);

    expect(await (await fetch(`${server.url}/api/session`, { headers: { cookie } })).json()).toEqual({ signed_in: true });
    const logout = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie } });
    expect(logout.status).toBe(204);
    expect((await fetch(`${server.url}/api/panels/reasoning`, { headers: { cookie } })).status).toBe(401);
  });

  it('also starts a session from a bearer header, Secure behind HTTPS, and refuses a login without any token', async () => {
    const server = await startServer();
    const bearer = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { ...auth, 'x-forwarded-proto': 'https' } });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('set-cookie')).toMatch(/^kora_operator=.*; Secure/);
    const empty = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: OPERATOR_TOKEN,
    });
    expect(empty.status).toBe(400);
  });

  it('ends a session when its time is up', async () => {
    const server = await startServer({ sessionTtlMs: 60_000 });
    const login = await fetch(`${server.url}/api/session`, { method: 'POST', headers: auth });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    server.setTime(start + 59_000);
    expect((await fetch(`${server.url}/api/panels`, { headers: { cookie } })).status).toBe(200);
    server.setTime(start + 60_000);
    expect((await fetch(`${server.url}/api/panels`, { headers: { cookie } })).status).toBe(401);
    expect(await (await fetch(`${server.url}/api/session`, { headers: { cookie } })).json()).toEqual({ signed_in: false });
  });
});

describe('createPanelRoutes: GET /api/panels/:panel', () => {
  it('returns only the panel’s seams, newest first', async () => {
    const server = await startServer();
    seedAllSeams(server, 3);
    const expected: Record<string, string[]> = {
      'agent-activity': ['mcp.tool_called', 'reasoning.tool_called'],
      reasoning: ['reasoning.tool_called'],
      'webhook-events': ['webhook.dead_letter'],
      'slack-replies': ['slack_dm.reply_failed'],
    };
    for (const [panel, seams] of Object.entries(expected)) {
      const page = await getPage(server, `/api/panels/${panel}`);
      expect(page.panel).toBe(panel);
      expect(page.rows).toHaveLength(3 * seams.length);
      expect(new Set(page.rows.map((row) => row.seam))).toEqual(new Set(seams));
      expect(newestFirst(page.rows)).toBe(true);
      expect(page.next_cursor).toBeNull();
      expect(page.skipped).toEqual({ blank: 0, malformed: 0, torn: 0, invalid: 0 });
    }
  });

  it("keeps each row's writer and seq, leaves them out of a version 1 row, and shows none of the writer's own audit.* rows", async () => {
    const server = await startServer();
    // A row written before envelope version 2, an hour before the others.
    const v1 = {
      v: 1,
      id: '0192f7c2-6d3e-7a4b-9c1d-000000000001',
      emitted_at: '2026-11-26T16:00:00.000Z',
      seam: 'mcp.tool_called',
      source: 'mcp_http',
      caller_session_id: null,
      details: { tool_name: 'list_tickets', tool_kind: 'read', caller_actor_kind: 'viewer', args_keys: [], result: 'ok' },
    };
    mkdirSync(dirname(server.capture.path), { recursive: true });
    appendFileSync(server.capture.path, `${JSON.stringify(v1)}\n`);
    seedAllSeams(server, 1);
    // A refused row is lost: the loss row naming it comes before the next row; closing adds the closed row.
    server.capture.sink.emit(mcpToolCalledSeam, { tool_name: 'x' });
    server.emit.reasoning();
    await server.capture.sink.close();
    const written = server.capture.allRows();
    expect(written.map((row) => row.seam)).toEqual([
      'mcp.tool_called',
      'audit.opened',
      'mcp.tool_called',
      'reasoning.tool_called',
      'webhook.dead_letter',
      'slack_dm.reply_failed',
      'audit.lost',
      'reasoning.tool_called',
      'audit.closed',
    ]);
    const writer = written[1]?.id;
    // The writer's own rows: opened first, the loss row naming the refused row's number, closed last.
    expect(
      written.filter((row) => row.seam.startsWith('audit.')).map((row) => [row.seam, row.writer, row.seq, row.details.ranges]),
    ).toEqual([
      ['audit.opened', writer, 1, undefined],
      ['audit.lost', writer, 7, [{ first: 6, last: 6 }]],
      ['audit.closed', writer, 9, undefined],
    ]);

    // Every panel's rows, once each (the reasoning panel repeats agent activity's reasoning rows).
    const byId = new Map<string, AuditEnvelope>();
    for (const panel of ['agent-activity', 'reasoning', 'webhook-events', 'slack-replies']) {
      for (const row of (await getPage(server, `/api/panels/${panel}`)).rows) byId.set(row.id, row);
    }
    const shown = [...byId.values()];
    expect(shown.map((row) => row.seam).filter((seam) => seam.startsWith('audit.'))).toEqual([]);
    expect(
      shown
        .filter((row) => row.v === 2)
        .map((row) => [row.writer, row.seq])
        .sort((left, right) => Number(left[1]) - Number(right[1])),
    ).toEqual([
      [writer, 2],
      [writer, 3],
      [writer, 4],
      [writer, 5],
      [writer, 8],
    ]);
    // In the envelope's key order, as in the file; the version 1 row as it was written.
    const agent = await getPage(server, '/api/panels/agent-activity');
    expect(agent.rows.map((row) => JSON.stringify(row))).toEqual(
      written
        .filter((row) => row.seam === 'mcp.tool_called' || row.seam === 'reasoning.tool_called')
        .reverse()
        .map((row) => JSON.stringify(row)),
    );
    expect(agent.rows.at(-1)).toEqual(v1);
  });

  it('lists the panels with their seams and columns', async () => {
    const server = await startServer();
    const body = (await (await fetch(`${server.url}/api/panels`, { headers: auth })).json()) as {
      panels: { name: string; seams: string[]; columns: { label: string }[] }[];
    };
    expect(body.panels.map((panel) => panel.name)).toEqual(['agent-activity', 'reasoning', 'webhook-events', 'slack-replies']);
    expect(body.panels[2]?.columns.map((column) => column.label)).toEqual(['Source', 'Reason', 'Peer IP', 'Body bytes']);
  });

  it('narrows to one of the panel’s seams with ?seam', async () => {
    const server = await startServer();
    seedAllSeams(server, 2);
    const page = await getPage(server, '/api/panels/agent-activity?seam=reasoning.tool_called');
    expect(page.rows.map((row) => row.seam)).toEqual(['reasoning.tool_called', 'reasoning.tool_called']);
  });

  it('pages with limit and cursor: every row once, none missed, in order', async () => {
    const server = await startServer();
    const ids = seedAllSeams(server, 12);
    const mcpAndReasoning = ids.filter((_, index) => index % 4 < 2).reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await getPage(server, `/api/panels/agent-activity?limit=5${query}`);
      expect(page.rows.length).toBeLessThanOrEqual(5);
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    expect(seen).toEqual(mcpAndReasoning);
    expect(pages).toBeGreaterThanOrEqual(5);
  });

  it('keeps rows from since (inclusive) to until (exclusive)', async () => {
    const server = await startServer();
    seedAllSeams(server, 5);
    const since = new Date(start + 4_000).toISOString();
    const until = new Date(start + 12_000).toISOString();
    const page = await getPage(server, `/api/panels/agent-activity?since=${since}&until=${until}`);
    expect(page.rows.map((row) => row.emitted_at)).toEqual(
      [9_000, 8_000, 5_000, 4_000].map((offset) => new Date(start + offset).toISOString()),
    );
    const offsetForm = await getPage(server, `/api/panels/agent-activity?since=${encodeURIComponent('2026-11-26T19:00:04+02:00')}`);
    expect(offsetForm.rows.at(-1)?.emitted_at).toBe(since);
  });

  it('answers 400 with a clear message for bad parameters', async () => {
    const server = await startServer();
    seedAllSeams(server, 1);
    const cases: [string, RegExp][] = [
      ['limit=0', /^limit must be an integer from 1 to 500$/],
      ['limit=501', /^limit must be an integer from 1 to 500$/],
      ['limit=ten', /^limit must be an integer from 1 to 500$/],
      ['limit=5&limit=6', /^limit must be given once$/],
      ['since=yesterday', /^since must be an ISO-8601 date-time/],
      ['since=2026-11-26T10:00:00', /^since must be an ISO-8601 date-time/],
      ['since=2026-11-26T10:00:00Z&until=2026-11-26T09:00:00Z', /^until must be later than since$/],
      ['seam=webhook.dead_letter', /^seam must be one of the agent-activity panel's seams: mcp.tool_called, reasoning.tool_called$/],
      ['cursor=not-a-cursor', /^cursor is not a cursor from this endpoint/],
      ['limt=5', /^limt is not a parameter of this endpoint$/],
    ];
    for (const [query, message] of cases) {
      const response = await fetch(`${server.url}/api/panels/agent-activity?${query}`, { headers: auth });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as ProblemBody;
      expect(body.error, query).toBe('invalid_query');
      expect(body.message, query).toMatch(message);
    }
  });

  it('answers 503 with Retry-After and logs only the error code when the event log database is unreachable', async () => {
    // A port nothing listens on: the connection is refused at once.
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'kora', password: 'hunter2-password', connectionTimeoutMillis: 1_000 });
    try {
      const server = await startServer({ source: createSubstrateSource(pool, undefined) });
      const response = await fetch(`${server.url}/api/panels/agent-activity`, { headers: auth });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(((await response.json()) as ProblemBody).error).toBe('substrate_unavailable');
      const [warning] = server.capture.logLines().filter((line) => line.msg.startsWith('[kora.panels.read_failed]'));
      expect(warning?.msg).toBe('[kora.panels.read_failed] panel=agent-activity source=postgres error=ECONNREFUSED');
      expect(warning?.raw).not.toContain('hunter2');
    } finally {
      await pool.end();
    }
  });

  it('answers 500 and logs the error code, never the path, when the audit file cannot be read', async () => {
    const server = await startServer();
    server.emit.mcp();
    renameSync(server.capture.path, `${server.capture.path}.moved`);
    mkdirSync(server.capture.path);
    const response = await fetch(`${server.url}/api/panels/agent-activity`, { headers: auth });
    expect(response.status).toBe(500);
    expect(((await response.json()) as ProblemBody).error).toBe('read_failed');
    const [warning] = server.capture.logLines().filter((line) => line.msg.startsWith('[kora.panels.read_failed]'));
    expect(warning?.msg).toMatch(/^\[kora\.panels\.read_failed\] panel=agent-activity source=file error=\S+$/);
    expect(warning?.raw).not.toContain(server.capture.dir);
  });

  it('answers 404 for an unknown panel, naming the real ones', async () => {
    const server = await startServer();
    const response = await fetch(`${server.url}/api/panels/everything`, { headers: auth });
    expect(response.status).toBe(404);
    expect(((await response.json()) as ProblemBody).message).toContain('agent-activity, reasoning, webhook-events, slack-replies');
  });
});

interface StreamEvent {
  event: string;
  id: string | undefined;
  data: string;
}

interface OpenStream {
  readonly response: Response;
  readonly events: StreamEvent[];
  readonly comments: string[];
  /** Resolves when the server ends the response. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Open an event stream with fetch and parse it as an EventSource would. */
async function openStream(url: string, headers: Record<string, string> = auth): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  const ended = (async () => {
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let blockEnd = buffer.indexOf('\n\n');
        while (blockEnd !== -1) {
          const block = buffer.slice(0, blockEnd);
          buffer = buffer.slice(blockEnd + 2);
          const event: StreamEvent = { event: 'message', id: undefined, data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('id: ')) event.id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ ...event, data: data.join('\n') });
          blockEnd = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close(): the stream simply ends.
    }
  })();
  return { response, events, comments, ended, close: () => abort.abort() };
}

function rowEvents(stream: OpenStream): AuditEnvelope[] {
  return stream.events.filter((event) => event.event === 'row').map((event) => JSON.parse(event.data) as AuditEnvelope);
}

const poll = { timeout: 5_000, interval: 20 };

describe('createPanelRoutes: GET /api/panels/:panel/stream', () => {
  it('delivers a row written after connecting, and only the panel’s seams', async () => {
    const server = await startServer();
    seedAllSeams(server, 1);
    const stream = await openStream(`${server.url}/api/panels/webhook-events/stream`);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    await expect.poll(() => stream.events.map((event) => event.event), poll).toContain('ready');

    server.emit.mcp();
    const webhookId = server.emit.webhook({ reason: 'stale_timestamp' });
    await expect.poll(() => rowEvents(stream).map((row) => row.id), poll).toEqual([webhookId]);
    const [row] = rowEvents(stream);
    expect(row).toMatchObject({ seam: 'webhook.dead_letter', details: { reason: 'stale_timestamp', peer_ip: '203.0.113.9' } });
    // With its writer and its place in the writer's sequence, as in the file.
    expect(row).toEqual(server.capture.rows().find((written) => written.id === webhookId));
    expect(row?.writer).toBe(server.capture.sink.stats().writer.id);
    expect(stream.events.find((event) => event.event === 'row')?.id).toBe(webhookId);
    stream.close();
  });

  it('sends rows in the order they were written, each once', async () => {
    const server = await startServer();
    const stream = await openStream(`${server.url}/api/panels/agent-activity/stream`);
    await expect.poll(() => stream.events.length, poll).toBeGreaterThan(0);
    const written: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      written.push(index % 2 === 0 ? server.emit.mcp({ toolName: `tool_${index}` }) : server.emit.reasoning());
      if (index % 7 === 0) await expect.poll(() => rowEvents(stream).length, poll).toBe(written.length);
    }
    await expect.poll(() => rowEvents(stream).map((row) => row.id), poll).toEqual(written);
    stream.close();
  });

  it('resumes after Last-Event-ID with the rows written since', async () => {
    const server = await startServer();
    const first = server.emit.reasoning();
    const second = server.emit.reasoning({ toolName: 'second' });
    server.emit.webhook();
    const third = server.emit.reasoning({ toolName: 'third' });
    const stream = await openStream(`${server.url}/api/panels/reasoning/stream`, { ...auth, 'last-event-id': first });
    await expect.poll(() => rowEvents(stream).map((row) => row.id), poll).toEqual([second, third]);
    stream.close();
  });

  it('follows the file across rename rotation without repeating a row', async () => {
    const server = await startServer();
    const stream = await openStream(`${server.url}/api/panels/reasoning/stream`);
    await expect.poll(() => stream.events.length, poll).toBeGreaterThan(0);
    const before = server.emit.reasoning({ toolName: 'before_rotation' });
    await expect.poll(() => rowEvents(stream).map((row) => row.id), poll).toEqual([before]);
    // logrotate's `create` mode: rename, then the sink notices and writes a new file.
    renameSync(server.capture.path, `${server.capture.path}.1`);
    const after = server.emit.reasoning({ toolName: 'after_rotation' });
    await expect.poll(() => rowEvents(stream).map((row) => row.id), poll).toEqual([before, after]);
    stream.close();
  });

  it('sends reset when it cannot find the row to resume after', async () => {
    const server = await startServer();
    server.emit.reasoning();
    const stream = await openStream(`${server.url}/api/panels/reasoning/stream?after=0192f7c2-0000-7000-8000-000000000000`);
    await expect.poll(() => stream.events.map((event) => event.event), poll).toContain('reset');
    expect(rowEvents(stream)).toEqual([]);
    stream.close();
  });

  it('refuses a bad Last-Event-ID and a seam outside the panel before streaming', async () => {
    const server = await startServer();
    const badId = await fetch(`${server.url}/api/panels/reasoning/stream`, { headers: { ...auth, 'last-event-id': 'not-a-row-id' } });
    expect(badId.status).toBe(400);
    const badSeam = await fetch(`${server.url}/api/panels/reasoning/stream?seam=mcp.tool_called`, { headers: auth });
    expect(badSeam.status).toBe(400);
    expect(((await badSeam.json()) as ProblemBody).message).toContain('seam must be one of');
  });

  it('sends heartbeat comments while nothing happens', async () => {
    const server = await startServer({ heartbeatMs: 100 });
    const stream = await openStream(`${server.url}/api/panels/reasoning/stream`);
    await expect.poll(() => stream.comments.filter((comment) => comment === 'heartbeat').length, poll).toBeGreaterThanOrEqual(2);
    stream.close();
  });

  it('ends open streams when the server closes', async () => {
    const server = await startServer();
    const stream = await openStream(`${server.url}/api/panels/agent-activity/stream`);
    await expect.poll(() => stream.events.length, poll).toBeGreaterThan(0);
    await server.close();
    await stream.ended;
  });
});

interface ActivityBody {
  from: string;
  to: string;
  bucket_seconds: number;
  times: number[];
  seams: { seam: string; total: number[]; denied: number[]; failed: number[] }[];
  rows: number;
  truncated: boolean;
}

describe('createPanelRoutes: GET /api/activity', () => {
  it('counts each seam’s calls per bucket over the window, with denied and failed calls', async () => {
    const server = await startServer();
    const minute = 60_000;
    // An hour earlier: outside a 5-minute window.
    server.setTime(start - 60 * minute);
    server.emit.mcp();
    // Minute 0: an ok and a denied MCP call; minute 2: a failed reasoning call, a rejected
    // webhook and an undelivered Slack reply; minute 4: a failed MCP call.
    server.setTime(start);
    server.emit.mcp();
    server.emit.mcp({ result: 'denied:capability' });
    server.setTime(start + 2 * minute + 5_000);
    server.emit.reasoning({ status: 'error', error: new RangeError('boom') });
    server.emit.webhook();
    server.emit.slack();
    server.setTime(start + 4 * minute + 59_000);
    server.emit.mcp({ result: 'error:TimeoutError' });
    server.setTime(start + 4 * minute + 59_999);

    const response = await fetch(`${server.url}/api/activity?minutes=5&bucket=60`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as ActivityBody;
    expect(body.from).toBe('2026-11-26T17:00:00.000Z');
    expect(body.to).toBe('2026-11-26T17:05:00.000Z');
    expect(body.times).toEqual([0, 1, 2, 3, 4].map((index) => (start + index * minute) / 1000));
    expect(body.rows).toBe(6);
    expect(body.truncated).toBe(false);
    const bySeam = Object.fromEntries(body.seams.map((seam) => [seam.seam, seam]));
    expect(Object.keys(bySeam)).toEqual(['mcp.tool_called', 'reasoning.tool_called', 'webhook.dead_letter', 'slack_dm.reply_failed']);
    expect(bySeam['mcp.tool_called']).toMatchObject({ total: [2, 0, 0, 0, 1], denied: [1, 0, 0, 0, 0], failed: [0, 0, 0, 0, 1] });
    expect(bySeam['reasoning.tool_called']).toMatchObject({ total: [0, 0, 1, 0, 0], denied: [0, 0, 0, 0, 0], failed: [0, 0, 1, 0, 0] });
    expect(bySeam['webhook.dead_letter']).toMatchObject({ total: [0, 0, 1, 0, 0], denied: [0, 0, 1, 0, 0], failed: [0, 0, 0, 0, 0] });
    expect(bySeam['slack_dm.reply_failed']).toMatchObject({ total: [0, 0, 1, 0, 0], denied: [0, 0, 0, 0, 0], failed: [0, 0, 1, 0, 0] });

    const narrowed = await fetch(`${server.url}/api/activity?minutes=5&bucket=300&seam=webhook.dead_letter`, { headers: auth });
    const one = (await narrowed.json()) as ActivityBody;
    expect(one.seams).toEqual([{ seam: 'webhook.dead_letter', total: [1], denied: [1], failed: [0] }]);
  });

  it('counts the same from the PostgreSQL event log as from the audit file', async () => {
    const fileServer = await startServer();
    for (let index = 0; index < 12; index += 1) {
      fileServer.setTime(start + index * 25_000);
      const writers = [
        () => fileServer.emit.mcp({ result: index % 3 === 0 ? 'denied:capability' : 'ok' }),
        () => fileServer.emit.reasoning({ status: index % 4 === 0 ? 'error' : 'ok', error: new RangeError('boom') }),
        () => fileServer.emit.webhook(),
      ];
      writers[index % 3]?.();
    }
    fileServer.setTime(start + 5 * 60_000);
    const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    const table = `kora_activity_${process.pid}_${Date.now()}`;
    try {
      await migrateSubstrate(pool, { table });
      await insertAuditRows(pool, fileServer.capture.rows(), { table, originHost: 'host-a' });
      const dbServer = await startServer({ source: createSubstrateSource(pool, table), start: start + 5 * 60_000 });
      const read = async (server: PanelServer) => {
        const response = await fetch(`${server.url}/api/activity?minutes=10&bucket=60`, { headers: auth });
        expect(response.status).toBe(200);
        return (await response.json()) as ActivityBody;
      };
      const fromFile = await read(fileServer);
      expect(fromFile.rows).toBe(12);
      expect(await read(dbServer)).toEqual(fromFile);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${table}`);
      await pool.end();
    }
  });

  it('answers 400 naming the parameter for a window too long, too fine, or a seam no panel shows', async () => {
    const server = await startServer();
    const cases: [string, string][] = [
      ['minutes=0', 'minutes'],
      ['minutes=1441', 'minutes'],
      ['minutes=1440&bucket=10', 'bucket'],
      ['minutes=1&bucket=120', 'bucket'],
      ['seam=audit.opened', 'seam'],
      ['bucket=60&bucket=60', 'bucket'],
      ['since=2026-01-01T00:00:00Z', 'since'],
    ];
    for (const [query, param] of cases) {
      const response = await fetch(`${server.url}/api/activity?${query}`, { headers: auth });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: string; problems: { param: string }[] };
      expect(body.error).toBe('invalid_query');
      expect(body.problems.map((problem) => problem.param)).toEqual([param]);
    }
  });
});

describe('createPanelRoutes: GET /api/integrity', () => {
  it('says sealing is off without a seal, and gives the newest checkpoint with one', async () => {
    const off = await startServer();
    const response = await fetch(`${off.url}/api/integrity`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ enabled: false, state: 'off', size: 0, checkpoints: null });

    const sealed = await startServer({ seal: true });
    const id = sealed.emit.mcp();
    const status = async (): Promise<Record<string, unknown>> =>
      (await (await fetch(`${sealed.url}/api/integrity`, { headers: auth })).json()) as Record<string, unknown>;
    // The writer's opened row and the mcp row.
    await expect.poll(async () => (await status()).size, { timeout: 10_000, interval: 20 }).toBe(2);
    expect(await status()).toMatchObject({
      enabled: true,
      state: 'sealing',
      unsealed_bytes: 0,
      checkpoints: `${sealed.capture.path}.checkpoints`,
      open_check: { result: 'no_checkpoint' },
    });
    expect(sealed.capture.allRows().map((row) => row.id)).toContain(id);
  });
});

describe('createPanelRoutes: GET /', () => {
  it('serves the page with a CSP that forbids inline script, and its assets', async () => {
    const server = await startServer();
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<script src="assets/panels.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="assets/chart.css">');
    // No inline script at all: every <script> has a src.
    expect(html.match(/<script(?![^>]*\bsrc=)/g)).toBeNull();

    const script = await fetch(`${server.url}/assets/panels.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).not.toContain('innerHTML');
    const style = await fetch(`${server.url}/assets/panels.css`);
    expect(style.headers.get('content-type')).toContain('text/css');
    // The chart's stylesheet, bundled from uPlot's own.
    const chartStyle = await fetch(`${server.url}/assets/chart.css`);
    expect(chartStyle.headers.get('content-type')).toContain('text/css');
    expect(chartStyle.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await chartStyle.text()).toContain('.uplot');
  });
});
