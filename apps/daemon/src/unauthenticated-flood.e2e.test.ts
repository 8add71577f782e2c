import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AuditEnvelope } from '@kora/audit-sink';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from './__fixtures__/create-test-context.js';
import type { TestContext } from './__fixtures__/create-test-context.js';
import { startDemoStack } from './demo/start-demo-stack.js';
import type { DemoStack } from './demo/start-demo-stack.js';

const BATCHES = 40;
const CALLS_PER_BATCH = 100;
const WINDOW_MS = 60_000;

const batch = JSON.stringify(
  Array.from({ length: CALLS_PER_BATCH }, (_, index) => ({
    jsonrpc: '2.0',
    id: index,
    method: 'tools/call',
    params: { name: 'kora__create_ticket', arguments: { title: `flood ${index}` } },
  })),
);
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

let now = Date.now();
let capture: TestContext;
let stack: DemoStack;
let client: Client;

beforeAll(async () => {
  capture = createTestContext();
  stack = await startDemoStack({ port: 0, logger: capture.logger, overrides: { clock: () => now, unauditedReportIntervalMs: 0 } });
  client = new Client({ name: 'kora-flood-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.daemon.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${stack.agentToken}` } },
    }),
  );
});
afterAll(async () => {
  await client.close();
  await stack.close();
  await capture.cleanup();
});

/** `count` unauthenticated batches from this process's usual address (127.0.0.1), all at once. */
function flood(count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(`${stack.daemon.url}/mcp`, { method: 'POST', headers: mcpHeaders, body: batch });
      await response.arrayBuffer();
      return response.status;
    }),
  );
}

/** One unauthenticated batch from another loopback address: a second peer. */
function postFrom(localAddress: string): Promise<number> {
  const { hostname, port } = new URL(stack.daemon.url);
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: hostname,
        port,
        path: '/mcp',
        method: 'POST',
        localAddress,
        headers: { ...mcpHeaders, 'content-length': Buffer.byteLength(batch) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    sent.on('error', reject);
    sent.end(batch);
  });
}

function rows(): AuditEnvelope[] {
  return readFileSync(stack.auditLogPath, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEnvelope);
}

const anonymousRows = (): AuditEnvelope[] => rows().filter((row) => row.details.caller_actor_kind === 'anonymous');

async function requestCounters(): Promise<Record<string, number>> {
  const response = await fetch(`${stack.daemon.url}/healthz`, { headers: { authorization: `Bearer ${stack.operatorToken}` } });
  return ((await response.json()) as { requests: Record<string, number> }).requests;
}

describe('the daemon under a flood of unauthenticated MCP batches', () => {
  it('writes one row per peer address and window, stays responsive, and audits a legitimate caller as usual', async () => {
    const flooding = flood(BATCHES);
    // While the flood is under way: the probe answers, and a real caller's calls go through.
    const health = await fetch(`${stack.daemon.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const titles: string[] = [];
    for (let call = 0; call < 5; call += 1) {
      const created = await client.callTool({ name: 'kora__create_ticket', arguments: { title: `legitimate ${call}` } });
      expect(created.isError).toBeFalsy();
      titles.push((created.structuredContent as { title: string }).title);
    }
    expect(new Set(await flooding)).toEqual(new Set([401]));
    expect(await postFrom('127.0.0.2')).toBe(401);

    // 4,000 refused calls from 127.0.0.1 and 100 from 127.0.0.2: one row for each address.
    expect(anonymousRows().map((row) => [row.caller_session_id, row.details.tool_name, row.details.result])).toEqual([
      [null, 'kora__create_ticket', 'denied:unauthenticated'],
      [null, 'kora__create_ticket', 'denied:unauthenticated'],
    ]);
    expect(
      rows()
        .filter((row) => row.caller_session_id === 'pm-agent')
        .map((row) => row.details.result),
    ).toEqual(['ticket_id=tkt-0004', 'ticket_id=tkt-0005', 'ticket_id=tkt-0006', 'ticket_id=tkt-0007', 'ticket_id=tkt-0008']);
    expect(titles).toEqual(['legitimate 0', 'legitimate 1', 'legitimate 2', 'legitimate 3', 'legitimate 4']);
    expect(await requestCounters()).toMatchObject({ mcp_unauthenticated: BATCHES + 1, mcp_unauthenticated_unaudited: BATCHES - 1 });

    // The next window: one more row for the address that keeps flooding.
    now += WINDOW_MS;
    await flood(BATCHES);
    expect(anonymousRows()).toHaveLength(3);
    expect(await requestCounters()).toMatchObject({ mcp_unauthenticated: 2 * BATCHES + 1, mcp_unauthenticated_unaudited: 2 * BATCHES - 2 });
  });
});
