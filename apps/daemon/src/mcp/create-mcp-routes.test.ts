import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import type { DaemonContext } from '../daemon-context.js';
import { KORA_TOOLS } from '../operations/kora-tools.js';
import type { SendSlackMessage, ToolServices } from '../operations/kora-tools.js';
import { createOperationsStore } from '../operations/operations-store.js';
import { hashCallerToken, parseCallersFile } from './callers-file.js';
import { createMcpRoutes } from './create-mcp-routes.js';
import type { McpRoutesOptions, McpStats } from './create-mcp-routes.js';

const pmToken = 'pm-agent-token-0123456789abcdef';
const opsToken = 'ops-agent-token-fedcba9876543210';
// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');

const callers = parseCallersFile(
  JSON.stringify({
    callers: [
      {
        name: 'pm-agent',
        token_sha256: hashCallerToken(pmToken),
        actor_kind: 'claude_pm_isokron',
        capabilities: ['ops:read', 'tickets:read', 'tickets:write', 'slack:send'],
      },
      { name: 'ops-agent', token_sha256: hashCallerToken(opsToken), actor_kind: 'ops_bot', capabilities: ['ops:read', 'ops:transition'] },
    ],
  }),
);

interface Running {
  readonly url: string;
  readonly sentMessages: { channel: string; text: string }[];
  readonly services: ToolServices;
  stats(): McpStats;
  close(): Promise<void>;
}

/** Serve the routes as the daemon mounts them, on a real port. */
async function start(
  context: DaemonContext,
  {
    onSlackMessage,
    ...options
  }: Omit<Partial<McpRoutesOptions>, 'context' | 'callers' | 'services'> & { onSlackMessage?: () => Promise<void> } = {},
): Promise<Running> {
  const sentMessages: { channel: string; text: string }[] = [];
  const sendSlackMessage: SendSlackMessage = async (channel, text) => {
    sentMessages.push({ channel, text });
    await onSlackMessage?.();
    return { ts: '1700000000.000100' };
  };
  const services: ToolServices = { store: createOperationsStore(context.clock), sendSlackMessage };
  const routes = createMcpRoutes({ context, callers, services, ...options });
  const app = new Hono().route('/mcp', routes);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sentMessages,
    services,
    stats: () => routes.stats(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'kora-test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const [first] = result.content as { type: string; text?: string }[];
  return first?.text ?? '';
}

let test: TestContext;
let running: Running;
const clients: Client[] = [];
beforeEach(async () => {
  test = createTestContext();
  running = await start(test.context);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await running.close();
  await test.cleanup();
});

async function connectAs(token: string): Promise<Client> {
  const client = await connect(running.url, token);
  clients.push(client);
  return client;
}

describe('createMcpRoutes', () => {
  it('lists every tool with its schema, title and read-only or destructive hint', async () => {
    const client = await connectAs(pmToken);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(KORA_TOOLS.map((tool) => tool.name));
    const listTickets = tools.find((tool) => tool.name === 'kora__list_tickets');
    expect(listTickets).toMatchObject({
      title: 'List tickets',
      annotations: { readOnlyHint: true, destructiveHint: false },
      inputSchema: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', maximum: 100 } } },
    });
    expect(tools.find((tool) => tool.name === 'kora__create_ticket')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    // Listing is not a tool call.
    expect(test.rows()).toEqual([]);
  });

  it('runs a read tool and audits it once with the caller and the result code', async () => {
    const client = await connectAs(pmToken);
    const result = await client.callTool({ name: 'kora__list_tickets', arguments: { limit: 2 } });

    expect(result.isError).toBeFalsy();
    expect((JSON.parse(textOf(result)) as { tickets: unknown[] }).tickets).toHaveLength(2);
    expect(test.verbatimLines()).toEqual([
      "[kora.mcp.tool_called] tool=kora__list_tickets caller_actor_kind=claude_pm_isokron args_keys=['limit'] result=count=2",
    ]);
    // The daemon's sink opened its writer with the first row: its opened row, then the tool call's.
    const [opened, row, ...others] = test.allRows();
    expect(others).toEqual([]);
    expect(opened).toMatchObject({ seam: 'audit.opened', seq: 1 });
    expect(row).toMatchObject({
      writer: opened?.id,
      seq: 2,
      seam: 'mcp.tool_called',
      source: 'mcp_http',
      caller_session_id: 'pm-agent',
      details: {
        tool_name: 'kora__list_tickets',
        tool_kind: 'read',
        caller_actor_kind: 'claude_pm_isokron',
        args_keys: ['limit'],
        result: 'count=2',
      },
    });
  });

  it('runs a mutating tool and keeps argument values out of every output', async () => {
    const client = await connectAs(pmToken);
    const result = await client.callTool({
      name: 'kora__create_ticket',
      arguments: { title: 'Rotate the bot token', body: `leaked in chat: ${slackToken}`, priority: 'urgent' },
    });

    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ id: 'tkt-0004', priority: 'urgent' });
    expect(running.services.store.listTickets({ limit: 1 })[0]?.title).toBe('Rotate the bot token');
    expect(test.verbatimLines()).toEqual([
      "[kora.mcp.tool_called] tool=kora__create_ticket caller_actor_kind=claude_pm_isokron args_keys=['body', 'priority', 'title'] result=ticket_id=tkt-0004",
    ]);
    expect(test.rows().map((row) => row.details)).toEqual([
      {
        tool_name: 'kora__create_ticket',
        tool_kind: 'mutating',
        caller_actor_kind: 'claude_pm_isokron',
        args_keys: ['body', 'priority', 'title'],
        result: 'ticket_id=tkt-0004',
      },
    ]);
    expect(test.allOutput()).not.toContain(slackToken);
    expect(test.allOutput()).not.toContain('Rotate the bot token');
  });

  it('sends a Slack DM through the injected client and audits the message ts', async () => {
    const client = await connectAs(pmToken);
    const result = await client.callTool({ name: 'kora__send_slack_dm', arguments: { channel: 'D0123ABCD', text: `token ${slackToken}` } });

    expect(result.isError).toBeFalsy();
    expect(running.sentMessages).toEqual([{ channel: 'D0123ABCD', text: `token ${slackToken}` }]);
    expect(test.rows().map((row) => row.details.result)).toEqual(['ts=1700000000.000100']);
    expect(test.allOutput()).not.toContain(slackToken);
  });

  it('denies a tool whose capability the caller lacks, says which one, and audits the denial', async () => {
    const client = await connectAs(pmToken);
    const result = await client.callTool({ name: 'kora__request_state_transition', arguments: { to: 'halted', reason: slackToken } });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('needs the capability ops:transition');
    expect(running.services.store.state().state).toBe('normal');
    expect(test.verbatimLines()).toEqual([
      "[kora.mcp.tool_called] tool=kora__request_state_transition caller_actor_kind=claude_pm_isokron args_keys=['reason', 'to'] result=denied:missing_capability",
    ]);
    expect(test.rows()).toHaveLength(1);
    expect(test.allOutput()).not.toContain(slackToken);
  });

  it('reports a tool that threw by its error type only, to the caller and the audit', async () => {
    const client = await connectAs(opsToken);
    // The store starts in `normal`, and normal → normal is not a transition.
    const result = await client.callTool({ name: 'kora__request_state_transition', arguments: { to: 'normal', reason: slackToken } });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('kora__request_state_transition failed (InvalidStateTransition).');
    expect(test.rows().map((row) => [row.caller_session_id, row.details.caller_actor_kind, row.details.result])).toEqual([
      ['ops-agent', 'ops_bot', 'error:InvalidStateTransition'],
    ]);
    expect(test.allOutput()).not.toContain('cannot go from');
    expect(test.allOutput()).not.toContain(slackToken);
  });

  it('rejects arguments that fail the tool schema before the tool runs', async () => {
    const client = await connectAs(pmToken);
    const result = await client.callTool({ name: 'kora__create_ticket', arguments: { title: '', body: slackToken, labels: ['x'] } });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Invalid arguments for kora__create_ticket: .*title/);
    expect(running.services.store.listTickets({ limit: 100 })).toHaveLength(3);
    expect(test.verbatimLines()).toEqual([
      "[kora.mcp.tool_called] tool=kora__create_ticket caller_actor_kind=claude_pm_isokron args_keys=['body', 'labels', 'title'] result=error:InvalidArguments",
    ]);
    expect(test.allOutput()).not.toContain(slackToken);
  });

  it('answers an unknown tool with a protocol error and audits it as a mutating call', async () => {
    const client = await connectAs(pmToken);
    const call = client.callTool({ name: 'kora__drop_all_tickets', arguments: { confirm: true } });

    await expect(call).rejects.toBeInstanceOf(McpError);
    await expect(call).rejects.toMatchObject({ code: -32602 });
    expect(test.rows().map((row) => row.details)).toEqual([
      {
        tool_name: 'kora__drop_all_tickets',
        tool_kind: 'mutating',
        caller_actor_kind: 'claude_pm_isokron',
        args_keys: ['confirm'],
        result: 'denied:unknown_tool',
      },
    ]);
  });

  it('answers 401 to an unknown or missing token and audits the first refused call from an address as anonymous', async () => {
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'kora__create_ticket', arguments: { title: slackToken } } };
    const wrong = await postJson(running.url, call, { authorization: `Bearer ${opsToken}x` });
    const missing = await postJson(running.url, call);

    for (const response of [wrong, missing]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    }
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    // Where MCP clients start their OAuth discovery (RFC 9728), at the address they called.
    for (const response of [wrong, missing]) {
      expect(response.headers.get('www-authenticate')).toContain(
        `resource_metadata="${new URL(running.url).origin}/.well-known/oauth-protected-resource/mcp"`,
      );
    }
    // Both came from 127.0.0.1 within one window: the second is counted, not written.
    expect(test.rows().map((row) => [row.caller_session_id, row.details])).toEqual([
      [
        null,
        {
          tool_name: 'kora__create_ticket',
          tool_kind: 'mutating',
          caller_actor_kind: 'anonymous',
          args_keys: ['title'],
          result: 'denied:unauthenticated',
        },
      ],
    ]);
    expect(running.stats()).toMatchObject({ unauthenticated: 2, unauthenticatedUnaudited: 1 });
    expect(test.allOutput()).not.toContain(slackToken);
    expect(test.allOutput()).not.toContain(opsToken);
  });

  it('refuses the SDK client with a bad token at connect, auditing nothing that was not a tool call', async () => {
    await expect(connect(running.url, 'not-a-known-token')).rejects.toThrow();
    const listing = await postJson(running.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: 'Bearer nope' });
    expect(listing.status).toBe(401);
    expect(test.rows()).toEqual([]);
  });

  it('audits a tools/call the SDK refuses before dispatch', async () => {
    const headers = { authorization: `Bearer ${pmToken}` };
    const malformed = await postJson(
      running.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'kora__list_tickets', arguments: [slackToken] } },
      headers,
    );
    const badVersion = await postJson(
      running.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'kora__list_tickets', arguments: { limit: 1 } } },
      { ...headers, 'mcp-protocol-version': '1999-01-01' },
    );

    expect(await malformed.json()).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: expect.any(Number) as number } });
    expect(badVersion.status).toBe(400);
    expect(test.rows().map((row) => [row.caller_session_id, row.details.result])).toEqual([
      ['pm-agent', 'error:InvalidRequest'],
      ['pm-agent', 'error:InvalidRequest'],
    ]);
    expect(test.allOutput()).not.toContain(slackToken);
  });

  it('audits each tools/call of a batch once', async () => {
    const headers = { authorization: `Bearer ${pmToken}` };
    const response = await postJson(
      running.url,
      [
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'kora__list_tickets', arguments: { limit: 1 } } },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'kora__get_operational_state', arguments: {} } },
      ],
      headers,
    );

    expect(response.status).toBe(200);
    expect(
      test
        .rows()
        .map((row) => row.details.result)
        .sort(),
    ).toEqual(['count=1', 'state=normal']);
  });

  it("refuses a batch of more than 100 messages whole, auditing at most 100 of a caller's calls and one of an unauthenticated batch", async () => {
    const batch = Array.from({ length: 101 }, (_, index) => ({
      jsonrpc: '2.0',
      id: index,
      method: 'tools/call',
      params: { name: 'kora__get_operational_state', arguments: {} },
    }));
    const asCaller = await postJson(running.url, batch, { authorization: `Bearer ${pmToken}` });
    const asNobody = await postJson(running.url, batch);

    expect(asCaller.status).toBe(400);
    expect(asNobody.status).toBe(401);
    const results = test.rows().map((row) => row.details.result);
    expect(results.filter((result) => result === 'error:InvalidRequest')).toHaveLength(100);
    expect(results.filter((result) => result === 'denied:unauthenticated')).toHaveLength(1);
    expect(results).toHaveLength(101);
  });

  it('answers 413 to a body over the limit and 400 to one that is not JSON', async () => {
    const small = await start(test.context, { maxBodyBytes: 64 });
    try {
      const big = await postJson(
        small.url,
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x'.repeat(100) } },
        { authorization: `Bearer ${pmToken}` },
      );
      expect(big.status).toBe(413);
    } finally {
      await small.close();
    }
    const garbage = await postJson(running.url, '{"jsonrpc": ', { authorization: `Bearer ${pmToken}` });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('has no stream to GET: 405 for a caller, 401 for anyone else', async () => {
    const asCaller = await fetch(running.url, { headers: { authorization: `Bearer ${pmToken}`, accept: 'text/event-stream' } });
    expect(asCaller.status).toBe(405);
    expect(asCaller.headers.get('allow')).toBe('POST');
    expect((await fetch(running.url, { headers: { accept: 'text/event-stream' } })).status).toBe(401);
  });
});

describe('createMcpRoutes when the audit is required', () => {
  let strict: TestContext;
  const servers: Running[] = [];
  beforeEach(() => {
    strict = createTestContext(Date.now, { failure: 'required' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await strict.cleanup();
  });

  async function startStrict(options: Parameters<typeof start>[1] = {}): Promise<{ running: Running; client: Client }> {
    const started = await start(strict.context, options);
    servers.push(started);
    const client = await connect(started.url, pmToken);
    clients.push(client);
    return { running: started, client };
  }

  it('writes an intent row before the tool runs, then the outcome row', async () => {
    const { running: strictRunning, client } = await startStrict();
    const result = await client.callTool({ name: 'kora__create_ticket', arguments: { title: 'Disk nearly full', priority: 'high' } });

    expect(result.isError).toBeFalsy();
    expect(strictRunning.services.store.listTickets({ limit: 1 })[0]?.title).toBe('Disk nearly full');
    expect(strict.verbatimLines()).toEqual([
      "[kora.mcp.tool_called] tool=kora__create_ticket caller_actor_kind=claude_pm_isokron args_keys=['priority', 'title'] result=pending",
      "[kora.mcp.tool_called] tool=kora__create_ticket caller_actor_kind=claude_pm_isokron args_keys=['priority', 'title'] result=ticket_id=tkt-0004",
    ]);
    expect(strict.rows().map((row) => [row.caller_session_id, row.details.result])).toEqual([
      ['pm-agent', 'pending'],
      ['pm-agent', 'ticket_id=tkt-0004'],
    ]);
  });

  it('writes no intent row for a call that is refused before any tool runs', async () => {
    const { client } = await startStrict();
    const result = await client.callTool({ name: 'kora__request_state_transition', arguments: { to: 'halted', reason: 'drill' } });

    expect(result.isError).toBe(true);
    expect(strict.rows().map((row) => row.details.result)).toEqual(['denied:missing_capability']);
  });

  it('refuses to run the tool when its intent row cannot be written', async () => {
    const { running: strictRunning, client } = await startStrict();
    // A closed sink refuses every row; disk-full.test.ts does the same with a full disk.
    await strict.sink.close();
    const result = await client.callTool({ name: 'kora__create_ticket', arguments: { title: 'Must not exist' } });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'kora__create_ticket was not run: the audit trail is unavailable, and this server does not act unaudited. Try again later.',
    );
    expect(strictRunning.services.store.listTickets({ limit: 100 }).map((ticket) => ticket.title)).not.toContain('Must not exist');
    expect(strict.logLines().map(({ level, msg }) => [level, msg])).toEqual([
      ['info', "[kora.mcp.tool_called] tool=kora__create_ticket caller_actor_kind=claude_pm_isokron args_keys=['title'] result=pending"],
      ['warn', '[kora.audit.skipped] seam=mcp.tool_called reason=sink_closed'],
      [
        'info',
        "[kora.mcp.tool_called] tool=kora__create_ticket caller_actor_kind=claude_pm_isokron args_keys=['title'] result=denied:audit_unavailable",
      ],
      ['warn', '[kora.audit.skipped] seam=mcp.tool_called reason=sink_closed'],
      ['warn', '[kora.daemon.audit_unavailable] tool=kora__create_ticket action=refused reason=sink_closed'],
    ]);
  });

  it('withholds the result when the tool ran but its outcome row cannot be written', async () => {
    // The sink closes while the message is being sent, as a disk can fill between two rows.
    const { running: strictRunning, client } = await startStrict({ onSlackMessage: () => strict.sink.close() });
    const result = await client.callTool({ name: 'kora__send_slack_dm', arguments: { channel: 'D0123ABCD', text: 'hello' } });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('kora__send_slack_dm ran, but the call could not be audited, so its result is withheld.');
    expect(strictRunning.sentMessages).toHaveLength(1);
    expect(strict.rows().map((row) => row.details.result)).toEqual(['pending']);
    expect(strict.verbatimLines().at(-1)).toContain('result=ts=1700000000.000100');
  });
});

describe('createMcpRoutes under a flood of refusals', () => {
  const WINDOW_MS = 60_000;
  let now: number;
  let limited: TestContext;
  const servers: Running[] = [];
  beforeEach(() => {
    now = Date.parse('2026-11-26T17:00:00.000Z');
    limited = createTestContext(() => now);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await limited.cleanup();
  });

  async function startLimited(options: Parameters<typeof start>[1] = {}): Promise<Running> {
    const started = await start(limited.context, { windowMs: WINDOW_MS, ...options });
    servers.push(started);
    return started;
  }

  const batchOf = (size: number): unknown[] =>
    Array.from({ length: size }, (_, index) => ({
      jsonrpc: '2.0',
      id: index,
      method: 'tools/call',
      params: { name: 'kora__create_ticket', arguments: { title: `call ${index}` } },
    }));
  const anonymousResults = (): string[] =>
    limited
      .rows()
      .filter((row) => row.details.caller_actor_kind === 'anonymous')
      .map((row) => `${String(row.details.result)}`);

  it('writes one row per peer address and window for unauthenticated requests, however many calls they carry', async () => {
    // As a trusted proxy would name the client; the socket address is the same for every request here.
    const server = await startLimited({ peerIpOf: (c) => c.req.header('x-test-peer') });
    const flood = (peer: string, requests: number): Promise<number[]> =>
      Promise.all(Array.from({ length: requests }, async () => (await postJson(server.url, batchOf(100), { 'x-test-peer': peer })).status));

    expect(new Set(await flood('203.0.113.7', 20))).toEqual(new Set([401]));
    expect(new Set(await flood('198.51.100.9', 1))).toEqual(new Set([401]));
    // One row per address, for the first call of the first batch.
    expect(anonymousResults()).toEqual(['denied:unauthenticated', 'denied:unauthenticated']);
    expect(limited.rows().map((row) => row.details.args_keys)).toEqual([['title'], ['title']]);
    expect(server.stats()).toEqual({ unauthenticated: 21, unauthenticatedUnaudited: 19, rateLimited: 0, rateLimitedUnaudited: 0 });

    now += WINDOW_MS - 1;
    await flood('203.0.113.7', 3);
    expect(anonymousResults()).toHaveLength(2);
    now += 1;
    await flood('203.0.113.7', 3);
    expect(anonymousResults()).toHaveLength(3);
    expect(server.stats()).toMatchObject({ unauthenticated: 27, unauthenticatedUnaudited: 24 });
  });

  it('neither counts nor writes an unauthenticated request that carries no tool call', async () => {
    const server = await startLimited();
    const listing = await postJson(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(listing.status).toBe(401);
    await postJson(server.url, batchOf(1));
    expect(anonymousResults()).toEqual(['denied:unauthenticated']);
    expect(server.stats()).toMatchObject({ unauthenticated: 1, unauthenticatedUnaudited: 0 });
  });

  it('refuses a caller over its budget with 429, writes its first refusal per window, and leaves other callers alone', async () => {
    const server = await startLimited({ callsPerWindow: 3 });
    const pm = await connect(server.url, pmToken);
    clients.push(pm);
    for (let call = 0; call < 3; call += 1)
      expect((await pm.callTool({ name: 'kora__get_operational_state', arguments: {} })).isError).toBeFalsy();

    await expect(pm.callTool({ name: 'kora__get_operational_state', arguments: {} })).rejects.toThrow(/Too many tool calls/);
    const batch = await postJson(server.url, batchOf(2), { authorization: `Bearer ${pmToken}` });
    expect(batch.status).toBe(429);
    expect(Number(batch.headers.get('retry-after'))).toBe(60);
    expect(await batch.json()).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: expect.stringContaining('3 per 60 s') as string },
    });

    const ops = await connect(server.url, opsToken);
    clients.push(ops);
    expect((await ops.callTool({ name: 'kora__get_operational_state', arguments: {} })).isError).toBeFalsy();

    expect(limited.rows().map((row) => [row.caller_session_id, row.details.result])).toEqual([
      ['pm-agent', 'state=normal'],
      ['pm-agent', 'state=normal'],
      ['pm-agent', 'state=normal'],
      ['pm-agent', 'denied:rate_limited'],
      ['ops-agent', 'state=normal'],
    ]);
    expect(server.stats()).toEqual({ unauthenticated: 0, unauthenticatedUnaudited: 0, rateLimited: 2, rateLimitedUnaudited: 1 });
    // The created tickets were not: a refused batch runs none of its calls.
    expect(server.services.store.listTickets({ limit: 100 })).toHaveLength(3);

    now += WINDOW_MS;
    expect((await pm.callTool({ name: 'kora__get_operational_state', arguments: {} })).isError).toBeFalsy();
  });
});
