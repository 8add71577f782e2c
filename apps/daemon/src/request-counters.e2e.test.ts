import { connect } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestContext } from './__fixtures__/create-test-context.js';
import type { TestContext } from './__fixtures__/create-test-context.js';
import { startDemoStack } from './demo/start-demo-stack.js';
import type { DemoStack } from './demo/start-demo-stack.js';
import { UNAUDITED_LINE_TAG } from './health/create-counter-reporter.js';
import { signSlackRequest } from './webhooks/verify-slack-signature.js';

let capture: TestContext;
let stack: DemoStack;

beforeAll(async () => {
  capture = createTestContext();
  stack = await startDemoStack({
    port: 0,
    logger: capture.logger,
    env: {
      KORA_WEBHOOK_RATE_LIMIT_PER_MINUTE: '2',
      KORA_MCP_CALLS_PER_MINUTE: '3',
      KORA_HTTP_HEADERS_TIMEOUT_MS: '500',
      KORA_HTTP_REQUEST_TIMEOUT_MS: '500',
    },
    overrides: { unauditedReportIntervalMs: 50 },
  });
});
afterAll(async () => {
  await stack.close();
  await capture.cleanup();
});

/** Write `raw` on a fresh TCP connection and return the status line's code once the server closes it. */
function sendRaw(raw: string): Promise<number | undefined> {
  const { hostname, port } = new URL(stack.daemon.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw, 'latin1'));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1];
      resolve(status === undefined ? undefined : Number(status));
    });
  });
}

/** POST from another loopback address, so that each check has a peer address of its own. */
function postFrom(localAddress: string, path: string, headers: Record<string, string>, body: string): Promise<number> {
  const { hostname, port } = new URL(stack.daemon.url);
  return new Promise((resolve, reject) => {
    const sent = request(
      { host: hostname, port, path, method: 'POST', localAddress, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

async function counters(): Promise<Record<string, number>> {
  const response = await fetch(`${stack.daemon.url}/healthz`, { headers: { authorization: `Bearer ${stack.operatorToken}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { requests: Record<string, number> }).requests;
}

/** How each counter moved while `action` ran: only the ones that did. */
async function movedBy(action: () => Promise<void>): Promise<Record<string, number>> {
  const before = await counters();
  await action();
  const after = await counters();
  return Object.fromEntries(
    Object.entries(after).flatMap(([key, value]) => (value === before[key] ? [] : [[key, value - (before[key] ?? 0)]])),
  );
}

const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const callBatch = (size: number): string =>
  JSON.stringify(
    Array.from({ length: size }, (_, id) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'kora__get_operational_state', arguments: {} },
    })),
  );

describe('/healthz', () => {
  it('answers ok alone without a token, everything with the operator token, and 401 to a wrong one', async () => {
    const open = await fetch(`${stack.daemon.url}/healthz`);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ ok: true });

    const wrong = await fetch(`${stack.daemon.url}/healthz`, { headers: { authorization: `Bearer ${stack.agentToken}` } });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toMatch(/rows_written|redacted/);

    const operator = await fetch(`${stack.daemon.url}/healthz`, { headers: { authorization: `Bearer ${stack.operatorToken}` } });
    expect(await operator.json()).toMatchObject({
      ok: true,
      audit: { rows_written: expect.any(Number) as number, redacted: expect.any(Number) as number },
      requests: {
        mcp_unauthenticated: expect.any(Number) as number,
        webhook_rate_limited_unaudited: expect.any(Number) as number,
        webhook_duplicate_events: expect.any(Number) as number,
        refused_headers_too_large: expect.any(Number) as number,
      },
    });
  });
});

describe('the request counters', () => {
  it('count requests Node refuses before routing, by kind', async () => {
    expect(
      await movedBy(async () =>
        expect(await sendRaw(`GET /healthz HTTP/1.1\r\nHost: kora.test\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`)).toBe(431),
      ),
    ).toEqual({
      refused_headers_too_large: 1,
    });
    expect(
      await movedBy(async () => expect(await sendRaw('POST /mcp HTTP/1.1\r\nHost: kora.test\r\nContent-Length: abc\r\n\r\n')).toBe(400)),
    ).toEqual({
      refused_invalid_content_length: 1,
    });
    expect(
      await movedBy(async () =>
        expect(await sendRaw('POST /mcp HTTP/1.1\r\nHost: kora.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello')).toBe(400),
      ),
    ).toEqual({ refused_invalid_content_length: 1 });
    expect(await movedBy(async () => expect(await sendRaw('FOO / HTTP/1.1\r\nHost: kora.test\r\n\r\n')).toBe(400))).toEqual({
      refused_bad_request: 1,
    });
    const extensions = `POST /mcp HTTP/1.1\r\nHost: kora.test\r\nTransfer-Encoding: chunked\r\n\r\n1;${'x'.repeat(20 * 1024)}\r\na\r\n0\r\n\r\n`;
    expect(await movedBy(async () => expect(await sendRaw(extensions)).toBe(413))).toEqual({ refused_chunk_extensions_too_large: 1 });
    // Headers that never end: the server gives up after its headers timeout.
    expect(await movedBy(async () => expect(await sendRaw('GET /healthz HTTP/1.1\r\nHost: kora.test\r\nX-Slow: z')).toBe(408))).toEqual({
      refused_request_timeout: 1,
    });
  });

  it('count webhook 429s that were not dead-lettered, and replayed Slack events', async () => {
    const email = (): Promise<number> => postFrom('127.0.0.3', '/webhooks/email', { 'content-type': 'application/json' }, '{}');
    expect(
      await movedBy(async () => {
        expect([await email(), await email(), await email(), await email()]).toEqual([401, 401, 429, 429]);
      }),
    ).toEqual({ webhook_rate_limited: 2, webhook_rate_limited_unaudited: 1 });

    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'event_callback',
      event_id: 'Ev0COUNTED',
      event: { type: 'message', channel_type: 'im', channel: 'D0COUNTED', user: 'U0COUNTED', ts: '1700000000.000100', text: 'status?' },
    });
    const headers = {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(stack.slackSigningSecret, timestamp, body),
    };
    expect(
      await movedBy(async () => {
        expect([
          await postFrom('127.0.0.4', '/webhooks/slack/events', headers, body),
          await postFrom('127.0.0.4', '/webhooks/slack/events', headers, body),
        ]).toEqual([200, 200]);
        await stack.daemon.idle();
      }),
    ).toEqual({ webhook_duplicate_events: 1 });
  });

  it('count unauthenticated MCP refusals and callers over their budget, with those not written as rows', async () => {
    expect(
      await movedBy(async () => {
        expect([
          await postFrom('127.0.0.5', '/mcp', mcpHeaders, callBatch(3)),
          await postFrom('127.0.0.5', '/mcp', mcpHeaders, callBatch(3)),
        ]).toEqual([401, 401]);
      }),
    ).toEqual({ mcp_unauthenticated: 2, mcp_unauthenticated_unaudited: 1 });

    const asAgent = { ...mcpHeaders, authorization: `Bearer ${stack.agentToken}` };
    expect(
      await movedBy(async () => {
        const statuses = [];
        for (let request = 0; request < 3; request += 1) statuses.push(await postFrom('127.0.0.6', '/mcp', asAgent, callBatch(2)));
        expect(statuses).toEqual([200, 429, 429]);
      }),
    ).toEqual({ mcp_rate_limited: 2, mcp_rate_limited_unaudited: 1 });
  });

  it('are told in a periodic warning line naming only counters', async () => {
    await vi.waitFor(
      () => {
        const lines = capture.logLines().filter((line) => line.msg.startsWith(UNAUDITED_LINE_TAG));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) {
          expect(line.level).toBe('warn');
          // Keys and counts only: no address, path or value of any request.
          expect(line.msg).toMatch(/^\[kora\.daemon\.unaudited\] interval_ms=\d+( [a-z_]+=\d+)+$/);
        }
        // Over the lines, every counter this file moved.
        const total = (key: string): number =>
          lines.reduce((sum, line) => sum + Number(new RegExp(` ${key}=(\\d+)`).exec(line.msg)?.[1] ?? 0), 0);
        expect(total('refused_headers_too_large')).toBe(1);
        expect(total('webhook_rate_limited_unaudited')).toBe(1);
        expect(total('mcp_unauthenticated_unaudited')).toBe(1);
      },
      { timeout: 5_000, interval: 50 },
    );
  });
});
