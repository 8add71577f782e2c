import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope } from '@kora/audit-sink';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from './__fixtures__/create-test-context.js';
import type { TestContext } from './__fixtures__/create-test-context.js';
import { startDemoStack } from './demo/start-demo-stack.js';
import type { DemoStack } from './demo/start-demo-stack.js';
import { installErrorHandlers, pathKindOf } from './http/install-error-handlers.js';
import { startHttpServer } from './http/start-http-server.js';
import { PANEL_NAMES } from './panels/panel-definitions.js';
import { createPanelRoutes } from './panels/create-panel-routes.js';

// What a leaked stack trace or internal error looks like in a response body.
const STACK_SHAPE = /\bat \S+ \(|\.ts:\d+|node:internal|TypeError|ZodError/;
const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;
const MCP_MAX_BODY_BYTES = 1024 * 1024;
const SESSION_MAX_BODY_BYTES = 4096;

/** The whole exchange on one raw TCP connection, as the server left it. */
interface RawExchange {
  /** The status code of the first response, if any arrived. */
  readonly status: number | undefined;
  /** Everything the server sent, as latin1 text. */
  readonly text: string;
  /** The body of the first response. */
  readonly body: string;
}

/** A raw connection the test writes to at its own pace; `closed` resolves once the server closes it. */
interface RawConnection {
  readonly socket: Socket;
  readonly closed: Promise<RawExchange>;
  /** Resolves with what has arrived once the server's first response head is complete. */
  readonly answered: Promise<RawExchange>;
}

function openRaw(baseUrl: string): RawConnection {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  let text = '';
  let onAnswer: (exchange: RawExchange) => void = () => undefined;
  const answered = new Promise<RawExchange>((resolve) => {
    onAnswer = resolve;
  });
  const closed = new Promise<RawExchange>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) onAnswer(describe(text));
    });
    // A reset after the answer (the server discarding what it did not read) is still an answer.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      onAnswer(describe(text));
      resolve(describe(text));
    });
  });
  return { socket, closed, answered };

  function describe(raw: string): RawExchange {
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(raw)?.[1];
    const headEnd = raw.indexOf('\r\n\r\n');
    return { status: status === undefined ? undefined : Number(status), text: raw, body: headEnd === -1 ? '' : raw.slice(headEnd + 4) };
  }
}

/** Send `request` as is (it should say `Connection: close`) and read until the server closes. */
function sendRaw(baseUrl: string, request: string): Promise<RawExchange> {
  const connection = openRaw(baseUrl);
  connection.socket.write(request, 'latin1');
  return connection.closed;
}

/** The first row `matches` accepts, once the daemon has written it (rows are written as they happen). */
async function waitForRow(path: string, matches: (entry: AuditEnvelope) => boolean): Promise<AuditEnvelope> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const page = await readAuditEntries({ path, limit: 10_000 });
    const found = page.entries.find(matches);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no such row was written within 5 s');
}

function getRaw(baseUrl: string, target: string, headers: readonly string[] = []): Promise<RawExchange> {
  return sendRaw(baseUrl, [`GET ${target} HTTP/1.1`, 'Host: kora.test', ...headers, 'Connection: close', '', ''].join('\r\n'));
}

/** A body stream of `total` bytes in 16 KiB chunks, sent without a Content-Length. */
function chunkedBody(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      const size = Math.min(16 * 1024, total - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x7b));
    },
  });
}

/** A problem answer: JSON with an error code, and nothing that looks like internals. */
async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(text).not.toMatch(STACK_SHAPE);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('the daemon under hostile requests', () => {
  let capture: TestContext;
  let stack: DemoStack;
  let operator: Record<string, string>;

  beforeAll(async () => {
    capture = createTestContext();
    stack = await startDemoStack({
      port: 0,
      logger: capture.logger,
      env: { KORA_WEBHOOK_MAX_BODY_BYTES: String(WEBHOOK_MAX_BODY_BYTES), KORA_WEBHOOK_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    operator = { authorization: `Bearer ${stack.operatorToken}` };
  });
  afterAll(async () => {
    await stack.close();
    await capture.cleanup();
  });

  /** No route failed: every answer so far was a deliberate one. */
  const expectNoRequestFailed = (): void => {
    expect(capture.logLines().filter((line) => line.msg.includes('request_failed'))).toEqual([]);
  };

  describe('operator token', () => {
    const panelPaths = ['/api/panels', '/api/panels/agent-activity', '/api/panels/reasoning/stream'];

    it('answers 401 to every wrong, partial, misplaced or ambiguous presentation of the token', async () => {
      const token = stack.operatorToken;
      const refused: [string, Record<string, string>][] = [
        ['missing', {}],
        ['wrong', { authorization: 'Bearer not-the-operator-token-at-all' }],
        ['empty bearer', { authorization: 'Bearer ' }],
        ['scheme only', { authorization: 'Bearer' }],
        ['long shared prefix', { authorization: `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }],
        ['right token plus one character', { authorization: `Bearer ${token}x` }],
        ['a prefix of the token', { authorization: `Bearer ${token.slice(0, 8)}` }],
        ['no scheme', { authorization: token }],
        ['another scheme', { authorization: `Basic ${Buffer.from(`operator:${token}`).toString('base64')}` }],
        ['a second word', { authorization: `Bearer ${token} ${token}` }],
        ['quoted', { authorization: `Bearer "${token}"` }],
        ['two values in one header', { authorization: `Bearer ${token}, Bearer ${token}` }],
        ['an MCP caller token', { authorization: `Bearer ${stack.agentToken}` }],
        ['the token as the session cookie', { cookie: `kora_operator=${token}` }],
      ];
      for (const path of panelPaths) {
        for (const [label, headers] of refused) {
          const body = await expectProblem(await fetch(`${stack.daemon.url}${path}`, { headers }), 401);
          expect(body.error, `${path} ${label}`).toBe('unauthorized');
        }
        for (const name of ['token', 'access_token', 'authorization', 'kora_operator']) {
          const inQuery = await fetch(`${stack.daemon.url}${path}?${name}=${encodeURIComponent(token)}`);
          expect(inQuery.status, `${path} ?${name}`).toBe(401);
        }
      }
      // A token in the query string does not start a session either.
      const login = await fetch(`${stack.daemon.url}/api/session?token=${encodeURIComponent(token)}`, { method: 'POST' });
      expect(login.status).toBe(400);
      expect(login.headers.get('set-cookie')).toBeNull();
    });

    it('refuses a duplicated Authorization header, whatever the order of right and wrong', async () => {
      const right = `Authorization: Bearer ${stack.operatorToken}`;
      const wrong = 'Authorization: Bearer not-the-operator-token-at-all';
      for (const pair of [
        [right, right],
        [right, wrong],
        [wrong, right],
        [right, 'Authorization: '],
      ]) {
        const exchange = await getRaw(stack.daemon.url, '/api/panels', pair);
        expect(exchange.status, pair.join(' + ')).toBe(401);
        expect(exchange.body).not.toContain('"panels"');
      }
    });

    it('treats only what HTTP defines as the same credentials as the token: scheme case, spaces, surrounding whitespace', async () => {
      const token = stack.operatorToken;
      // The auth scheme is case-insensitive (RFC 9110 §11.1) and 1*SP may separate it from the
      // token; whitespace around a field value is not part of the value (RFC 9110 §5.5).
      for (const value of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `Bearer ${token}  `, `Bearer ${token}\t`]) {
        expect((await fetch(`${stack.daemon.url}/api/panels`, { headers: { authorization: value } })).status, JSON.stringify(value)).toBe(
          200,
        );
      }
      // A line break inside the field is not HTTP: the server refuses the request before any route.
      for (const ending of ['\n', '\r']) {
        const exchange = await getRaw(stack.daemon.url, '/api/panels', [`Authorization: Bearer ${token}${ending}`]);
        expect(exchange.status, JSON.stringify(ending)).toBe(400);
        expect(exchange.body).not.toContain('"panels"');
      }
      // In the login body the token is data, compared exactly: whitespace makes it another token.
      for (const presented of [`${token}\n`, `${token} `, ` ${token}`, token.toUpperCase()]) {
        const login = await fetch(`${stack.daemon.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: presented }),
        });
        expect(login.status, JSON.stringify(presented)).toBe(401);
        expect(login.headers.get('set-cookie')).toBeNull();
      }
    });

    it('applies the same rules to MCP caller tokens', async () => {
      const token = stack.agentToken;
      const call = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
      const post = (headers: Record<string, string>, query = ''): Promise<Response> =>
        fetch(`${stack.daemon.url}/mcp${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: call,
        });
      for (const value of [
        'Bearer ',
        `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, 8)}`,
        token,
        `Bearer ${token}, Bearer ${token}`,
        `Bearer ${stack.operatorToken}`,
      ]) {
        expect((await post({ authorization: value })).status, value).toBe(401);
      }
      expect((await post({}, `?access_token=${encodeURIComponent(token)}`)).status).toBe(401);
      expect((await post({ authorization: `bearer ${token} ` })).status).toBe(200);
      const duplicated = await sendRaw(
        stack.daemon.url,
        [
          'POST /mcp HTTP/1.1',
          'Host: kora.test',
          `Authorization: Bearer ${token}`,
          `Authorization: Bearer ${token}`,
          'Content-Type: application/json',
          'Accept: application/json, text/event-stream',
          `Content-Length: ${Buffer.byteLength(call)}`,
          'Connection: close',
          '',
          call,
        ].join('\r\n'),
      );
      expect(duplicated.status).toBe(401);
    });
  });

  describe('oversized bodies', () => {
    const endpoints: { path: string; limit: number; headers: Record<string, string> }[] = [
      { path: '/mcp', limit: MCP_MAX_BODY_BYTES, headers: {} },
      { path: '/webhooks/slack/events', limit: WEBHOOK_MAX_BODY_BYTES, headers: {} },
      { path: '/webhooks/email', limit: WEBHOOK_MAX_BODY_BYTES, headers: {} },
      { path: '/api/session', limit: SESSION_MAX_BODY_BYTES, headers: {} },
    ];

    it('answers 413 to a body over the limit on every POST endpoint, with or without Content-Length, and the connection stays usable', async () => {
      for (const { path, limit } of endpoints) {
        for (const size of [limit + 1, 4 * limit]) {
          const declared = await fetch(`${stack.daemon.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...operator },
            body: new Uint8Array(size).fill(0x7b),
          });
          await expectProblem(declared, 413);
          const chunked = await fetch(`${stack.daemon.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...operator },
            body: chunkedBody(size),
            duplex: 'half',
          });
          await expectProblem(chunked, 413);
          // The client's pooled connection, or the next one, still serves a request.
          expect((await fetch(`${stack.daemon.url}/healthz`)).status, `${path} ${size}`).toBe(200);
        }
      }
      expectNoRequestFailed();
    });

    it('answers a declared length over the limit before the body arrives, so it is never buffered whole', async () => {
      for (const { path } of endpoints) {
        const connection = openRaw(stack.daemon.url);
        // A terabyte announced, a few bytes sent: only a server that does not wait for the body answers.
        connection.socket.write(
          [`POST ${path} HTTP/1.1`, 'Host: kora.test', 'Content-Type: application/json', 'Content-Length: 1099511627776', '', '{"a":'].join(
            '\r\n',
          ),
        );
        const answer = await connection.answered;
        expect(answer.status, path).toBe(413);
        connection.socket.destroy();
        await connection.closed;
      }
    });

    it('answers a chunked body over the limit while the rest is still to come', async () => {
      for (const { path, limit } of endpoints) {
        const connection = openRaw(stack.daemon.url);
        const chunk = 'x'.repeat(8 * 1024);
        connection.socket.write(
          [`POST ${path} HTTP/1.1`, 'Host: kora.test', 'Content-Type: application/json', 'Transfer-Encoding: chunked', '', ''].join('\r\n'),
        );
        // Just past the limit, and no terminating chunk: the request never ends on its own.
        for (let sent = 0; sent <= limit; sent += chunk.length) connection.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        const answer = await connection.answered;
        expect(answer.status, path).toBe(413);
        // The rest of this body will not be read: the server says it will not reuse the connection.
        expect(answer.text.toLowerCase(), path).toContain('connection: close');
        connection.socket.destroy();
        await connection.closed;
      }
      expectNoRequestFailed();
    });
  });

  describe('panel query parameters', () => {
    const canary = '<script>alert(1)</script>';
    const longValue = 'a'.repeat(8 * 1024);
    const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const realCursor = {
      v: 1,
      file: 0,
      offset: 0,
      dev: '1',
      ino: '1',
      at: '2026-11-26T17:00:00.000Z',
      id: '0192f7c2-0000-7000-8000-000000000000',
    };
    const pageQueries = [
      'limit=0',
      'limit=-1',
      'limit=1e9',
      'limit=1000000000',
      'limit=abc',
      'limit=1.5',
      'limit=',
      'limit=%205',
      'limit=0x10',
      'limit=%D9%A5',
      'limit=5&limit=5',
      'since=garbage',
      'since=9999-99-99',
      'since=2026-13-01T00:00:00Z',
      'since=2026-11-26T25:00:00Z',
      'since=2026-11-26T17:00:00',
      'since=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-11-26T17:00:00Z',
      'since=2026-11-26T17:00:00Z&since=2026-11-26T18:00:00Z',
      'until=2026-11-26T17:00:00Z&since=2026-11-26T18:00:00Z',
      `since=${encodeURIComponent(canary)}`,
      `since=${longValue}`,
      'cursor=garbage',
      'cursor=',
      `cursor=${longValue}`,
      `cursor=${encodeURIComponent(canary)}`,
      `cursor=${cursorOf({ ...realCursor, v: 2 })}`,
      `cursor=${cursorOf({ ...realCursor, offset: -1 })}`,
      `cursor=${cursorOf({ ...realCursor, file: 10_000 })}`,
      `cursor=${cursorOf({ ...realCursor, dev: '../../etc' })}`,
      `cursor=${cursorOf({ ...realCursor, path: '/etc/passwd' })}`,
      `cursor=${cursorOf({ ...realCursor, offset: 1e300 })}`,
      `cursor=${cursorOf('/etc/passwd')}`,
      'cursor=a&cursor=b',
      `seam=${encodeURIComponent(canary)}`,
      'seam=kora.nothing',
      'seam=mcp.tool_called&seam=',
      `${encodeURIComponent(canary)}=1`,
      `${longValue}=1`,
      'path=%2Fetc%2Fpasswd',
      'limit=%E0%A4%A',
      '%E0%A4%A=1',
    ];
    const streamQueries = [
      'after=garbage',
      `after=${encodeURIComponent(canary)}`,
      `after=${longValue}`,
      'after=0192f7c2-0000-7000-8000-000000000000&after=0192f7c2-0000-7000-8000-000000000001',
      'limit=5',
      `seam=${encodeURIComponent(canary)}`,
      `${encodeURIComponent(canary)}=1`,
    ];

    it('answers 400 with a JSON message to every malformed page request of every panel, never echoing the value', async () => {
      for (const panel of PANEL_NAMES) {
        for (const query of pageQueries) {
          const response = await fetch(`${stack.daemon.url}/api/panels/${panel}?${query}`, { headers: operator });
          const body = await expectProblem(response, 400);
          expect(body.error, `${panel}?${query}`).toBe('invalid_query');
          expect(body.message, `${panel}?${query}`).toEqual(expect.any(String));
          const text = JSON.stringify(body);
          expect(text).not.toContain('<script>');
          expect(text).not.toContain(longValue.slice(0, 64));
          expect(text).not.toContain('passwd');
        }
      }
      expectNoRequestFailed();
    });

    it('answers 400 to every malformed stream request before streaming anything', async () => {
      for (const panel of PANEL_NAMES) {
        for (const query of streamQueries) {
          const response = await fetch(`${stack.daemon.url}/api/panels/${panel}/stream?${query}`, { headers: operator });
          const body = await expectProblem(response, 400);
          expect(JSON.stringify(body)).not.toContain('<script>');
        }
        const badResume = await fetch(`${stack.daemon.url}/api/panels/${panel}/stream`, {
          headers: { ...operator, 'last-event-id': canary },
        });
        expect(JSON.stringify(await expectProblem(badResume, 400))).not.toContain('<script>');
      }
    });

    it('answers a query string past the header limit with 431 JSON, and serves the next request', async () => {
      const response = await fetch(`${stack.daemon.url}/api/panels/agent-activity?cursor=${'a'.repeat(100 * 1024)}`, { headers: operator });
      const body = await expectProblem(response, 431);
      expect(body.error).toBe('headers_too_large');
      expect((await fetch(`${stack.daemon.url}/api/panels/agent-activity?limit=1`, { headers: operator })).status).toBe(200);
    });

    it('answers values at the edges of valid with 200 or 400, never anything else', async () => {
      for (const query of [
        'limit=1',
        'limit=500',
        'limit=0500',
        'limit=501',
        'since=2026-02-30T00:00:00Z',
        'since=2026-02-29T00:00:00Z',
        'since=0000-01-01T00:00:00Z',
        'since=9999-12-31T23:59:59.999Z',
        'since=2026-11-26T17:00:60Z',
        'since=2026-11-26T17:00:00.123456789Z',
        `since=${encodeURIComponent('2026-11-26T17:00:00+23:59')}`,
        `since=${encodeURIComponent('2026-11-26T17:00:00+99:99')}`,
        'since=2026-11-26T17:00:00Z&until=2026-11-26T17:00:00.001Z',
        'seam=mcp.tool_called&seam=mcp.tool_called&seam=reasoning.tool_called',
      ]) {
        const response = await fetch(`${stack.daemon.url}/api/panels/agent-activity?${query}`, { headers: operator });
        expect([200, 400], query).toContain(response.status);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.text()).not.toMatch(STACK_SHAPE);
      }
      expectNoRequestFailed();
    });

    it('reads a well-formed cursor for a file that is not there as a rotated-away one: older rows of the same file, never another', async () => {
      const response = await fetch(
        `${stack.daemon.url}/api/panels/agent-activity?cursor=${cursorOf({ ...realCursor, dev: '999', ino: '999', at: '9999-12-31T23:59:59.999Z' })}`,
        {
          headers: operator,
        },
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as { rows: { seam: string }[] };
      for (const row of page.rows) expect(['mcp.tool_called', 'reasoning.tool_called']).toContain(row.seam);
    });
  });

  describe('paths', () => {
    it('never serves a file for a traversal attempt: 400 or 404 (401 first without the token)', async () => {
      const targets = [
        '/assets/../../etc/passwd',
        '/assets/%2e%2e/%2e%2e/etc/passwd',
        '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        '/assets/%252e%252e%252f%252e%252e%252fetc%252fpasswd',
        '/assets/..%2f..%2fetc%2fpasswd',
        '/assets/..\\..\\etc\\passwd',
        '/assets/%5c..%5c..%5cetc%5cpasswd',
        '/assets/panels.js%00.txt',
        '/assets/panels.js%00',
        '/assets/%00/../../etc/passwd',
        '/api/panels/..%2f..%2fetc',
        '/api/panels/..%2f..%2fetc%2fpasswd/stream',
        '/api/panels/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        '/api/panels/agent-activity%00',
        '/api/panels/agent-activity/..%2f..%2f..%2fetc%2fpasswd',
        '//etc/passwd',
        '/..%2f..%2f..%2fetc%2fpasswd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/webhooks/../../etc/passwd',
      ];
      for (const target of targets) {
        for (const headers of [[], [`Authorization: Bearer ${stack.operatorToken}`]]) {
          const exchange = await getRaw(stack.daemon.url, target, headers);
          const allowed = headers.length === 0 && target.startsWith('/api/') ? [400, 401, 404] : [400, 404];
          expect(allowed, `${target} ${headers.length}`).toContain(exchange.status);
          expect(exchange.body).not.toMatch(/root:|daemon:|nologin/);
          expect(exchange.body).not.toMatch(STACK_SHAPE);
        }
      }
      // The assets themselves are still there.
      expect((await fetch(`${stack.daemon.url}/assets/panels.js`)).status).toBe(200);
    });
  });

  describe('unknown methods and paths', () => {
    it('answers 404 JSON to paths and methods no route serves', async () => {
      const cases: [string, string][] = [
        ['GET', '/nope'],
        ['GET', '/api'],
        ['GET', '/api/nope'],
        ['POST', '/api/panels'],
        ['DELETE', '/api/panels/agent-activity'],
        ['PUT', '/webhooks/email'],
        ['GET', '/webhooks/email'],
        ['PATCH', '/healthz'],
        ['POST', '/'],
        ['TRACE', '/'],
        // OAuth discovery: the resource's metadata is served (GET only); no authorization server is.
        ['POST', '/.well-known/oauth-protected-resource'],
        ['DELETE', '/.well-known/oauth-protected-resource/mcp'],
        ['GET', '/.well-known/oauth-protected-resource/webhooks'],
        ['GET', '/.well-known/oauth-authorization-server'],
        ['GET', '/.well-known/openid-configuration'],
        ['GET', `/${'x'.repeat(4096)}`],
      ];
      for (const [method, path] of cases) {
        const exchange = await sendRaw(
          stack.daemon.url,
          `${method} ${path} HTTP/1.1\r\nHost: kora.test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
        expect(exchange.status, `${method} ${path.slice(0, 40)}`).toBe(404);
        expect(JSON.parse(exchange.body)).toEqual({ error: 'not_found', message: 'no such endpoint' });
      }
    });

    it('echoes a hostile Host header neither into the resource metadata nor into a 401 challenge', async () => {
      const hosts = ['a"b', 'kora.test", evil="1', 'x,y', "o'neil", 'kora.test:99999', 'kora.test\\x', '%22', '[::1', 'kora.test/x'];
      for (const host of hosts) {
        for (const target of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
          const exchange = await sendRaw(stack.daemon.url, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
          expect([200, 400], `${host} ${target}`).toContain(exchange.status);
          if (exchange.status === 200) {
            const metadata = JSON.parse(exchange.body) as { resource: string };
            expect(metadata.resource, host).toMatch(/^http:\/\/[A-Za-z0-9.\-:[\]]+\/mcp$/);
          }
        }
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
        const refused = await sendRaw(
          stack.daemon.url,
          `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        );
        expect([400, 401], host).toContain(refused.status);
        const challenge = /^www-authenticate: (.*)$/im.exec(refused.text)?.[1] ?? '';
        // realm, then at most a resource_metadata URL of plain characters.
        expect(challenge, host).toMatch(/^(Bearer realm="kora-mcp"(, resource_metadata="http:\/\/[A-Za-z0-9.\-:[\]]+\/[\w./-]+")?)?\r?$/);
      }
      expectNoRequestFailed();
    });

    it('answers 405 on the MCP endpoint to methods other than POST', async () => {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        const response = await fetch(`${stack.daemon.url}/mcp`, { method, headers: { authorization: `Bearer ${stack.agentToken}` } });
        expect(response.status, method).toBe(405);
        expect(response.headers.get('allow')).toBe('POST');
      }
    });

    it('answers 400 JSON to what is not HTTP at all, and keeps serving', async () => {
      for (const request of [
        'FOO / HTTP/1.1\r\nHost: kora.test\r\n\r\n',
        'GET / HTTP/9.9\r\nHost: kora.test\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: kora.test\r\nBad Header\r\n\r\n',
        'POST /mcp HTTP/1.1\r\nHost: kora.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /mcp HTTP/1.1\r\nHost: kora.test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
        'POST /mcp HTTP/1.1\r\nHost: kora.test\r\nContent-Length: -1\r\n\r\n',
        '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
      ]) {
        const exchange = await sendRaw(stack.daemon.url, request);
        expect(exchange.status, JSON.stringify(request.slice(0, 40))).toBe(400);
        expect(JSON.parse(exchange.body)).toMatchObject({ error: 'bad_request' });
      }
      expect((await fetch(`${stack.daemon.url}/healthz`)).status).toBe(200);
    });
  });
});

describe('the daemon under slow clients', () => {
  let capture: TestContext;
  let stack: DemoStack;

  beforeAll(async () => {
    capture = createTestContext();
    // Short enough for a test; equal, so that a stalled request cut off after this stream
    // opened shows the stream's own request deadline has passed as well.
    stack = await startDemoStack({
      port: 0,
      logger: capture.logger,
      env: { KORA_HTTP_HEADERS_TIMEOUT_MS: '300', KORA_HTTP_REQUEST_TIMEOUT_MS: '300', KORA_HTTP_KEEP_ALIVE_TIMEOUT_MS: '300' },
    });
  });
  afterAll(async () => {
    await stack.close();
    await capture.cleanup();
  });

  /** Open a connection that sends a request head one byte at a time and never finishes it. */
  function trickleHeaders(target: string): RawConnection {
    const connection = openRaw(stack.daemon.url);
    const head = `GET ${target} HTTP/1.1\r\nHost: kora.test\r\nX-Slow: ${'z'.repeat(10_000)}`;
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < head.length && !connection.socket.destroyed) connection.socket.write(head.charAt(sent++));
    }, 10);
    void connection.closed.finally(() => clearInterval(timer));
    return connection;
  }

  it('cuts off a client whose headers trickle in and never end, with 408', async () => {
    const exchange = await trickleHeaders('/api/panels').closed;
    expect(exchange.status).toBe(408);
    expect(JSON.parse(exchange.body)).toEqual({ error: 'request_timeout', message: 'the request did not arrive in time' });
  });

  it('cuts off a client that connects and sends nothing', async () => {
    const connection = openRaw(stack.daemon.url);
    const exchange = await connection.closed;
    expect([408, undefined]).toContain(exchange.status);
  });

  it('cuts off a request whose body never finishes, on every POST endpoint', async () => {
    for (const path of ['/mcp', '/webhooks/email', '/webhooks/slack/events', '/api/session']) {
      const connection = openRaw(stack.daemon.url);
      connection.socket.write(
        [`POST ${path} HTTP/1.1`, 'Host: kora.test', 'Content-Type: application/json', 'Content-Length: 1000', '', '{"token":'].join(
          '\r\n',
        ),
      );
      const exchange = await connection.closed;
      expect(exchange.status, path).toBe(408);
    }
    expect(capture.logLines().filter((line) => line.msg.includes('request_failed'))).toEqual([]);
  });

  it('dead-letters a webhook whose body never finishes, with the bytes that did arrive', async () => {
    for (const [path, source] of [
      ['/webhooks/email', 'email'],
      ['/webhooks/slack/events', 'slack'],
    ] as const) {
      const requestId = `stalled-${source}`;
      const connection = openRaw(stack.daemon.url);
      connection.socket.write(
        [
          `POST ${path} HTTP/1.1`,
          'Host: kora.test',
          'Content-Type: application/json',
          `X-Request-Id: ${requestId}`,
          'Content-Length: 1000',
          '',
          '{"token":"xoxb-',
        ].join('\r\n'),
      );
      expect((await connection.closed).status, path).toBe(408);
      const row = await waitForRow(
        stack.auditLogPath,
        (entry) => entry.seam === 'webhook.dead_letter' && entry.details.request_id === requestId,
      );
      expect(row.details).toMatchObject({ source, reason: 'body_incomplete', body_bytes: 15 });
      expect(JSON.stringify(row)).not.toContain('xoxb');
    }
  });

  it('closes an idle keep-alive connection', async () => {
    const connection = openRaw(stack.daemon.url);
    // No Connection: close: the server keeps the connection for another request, then gives up on it.
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: kora.test\r\n\r\n');
    const exchange = await connection.closed;
    expect(exchange.status).toBe(200);
    expect(exchange.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('keeps a live event stream open past the request timeout, which bounds receiving the request, not the response', async () => {
    const abort = new AbortController();
    const response = await fetch(`${stack.daemon.url}/api/panels/webhook-events/stream`, {
      headers: { authorization: `Bearer ${stack.operatorToken}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    // The fetch types leave the chunk type open; a response body is always bytes.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = '';
    const readUntil = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(received)) {
        const { done, value } = await reader.read();
        if (done) throw new Error('the server ended the stream');
        received += decoder.decode(value, { stream: true });
      }
    };
    try {
      await readUntil(/event: ready/);
      // Opened after the stream and held to the same deadline: once the server has cut it off,
      // the stream's deadline has passed too.
      expect((await trickleHeaders('/healthz').closed).status).toBe(408);
      const letter = await fetch(`${stack.daemon.url}/webhooks/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(letter.status).toBe(401);
      await readUntil(/event: row\ndata: .*purelymail_signature_missing/);
    } finally {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }
  });
});

describe('installErrorHandlers', () => {
  class SecretBearingError extends Error {
    override name = 'SecretBearingError';
  }
  const secret = 'secret-value-that-must-stay-in-the-process';

  let capture: TestContext;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    capture = createTestContext();
    const app = new Hono();
    installErrorHandlers(app, capture.logger);
    // Routes that exist only here, to make a route fail the way a bug would.
    app.get('/explode', () => {
      throw new SecretBearingError(`failed on ${secret}`);
    });
    app.get('/api/explode', () => Promise.reject(new TypeError(`cannot read ${secret}`)));
    app.get('/refuse', () => {
      throw new HTTPException(403, { message: secret });
    });
    app.route('/', createPanelRoutes({ context: capture.context, auditLogPath: capture.path, operatorToken: 'operator-token-0123456789' }));
    const server = await startHttpServer(app, { hostname: '127.0.0.1', port: 0 });
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
  });
  afterAll(async () => {
    await close();
    await capture.cleanup();
  });

  it('answers a route that throws with a generic 500 and logs only the route family and the error type', async () => {
    for (const [path, line] of [
      ['/explode?token=abc', '[kora.daemon.request_failed] path_kind=other error=SecretBearingError'],
      ['/api/explode', '[kora.daemon.request_failed] path_kind=panels_api error=TypeError'],
    ] as const) {
      const response = await fetch(`${url}${path}`);
      const body = await expectProblem(response, 500);
      expect(body).toEqual({ error: 'internal_error', message: 'the request failed; the daemon log has the error type' });
      expect(capture.logLines().map((entry) => entry.msg)).toContain(line);
    }
    expect(capture.allOutput()).not.toContain(secret);
    expect(capture.allOutput()).not.toContain('token=abc');
    expect(capture.allOutput()).not.toMatch(/\bat \S+ \(|\.ts:\d+|"stack"/);
  });

  it('passes a deliberate HTTP refusal through with its status, as JSON, without logging it', async () => {
    const before = capture.logLines().length;
    const response = await fetch(`${url}/refuse`);
    const text = await response.text();
    expect(response.status).toBe(403);
    expect(JSON.parse(text)).toEqual({ error: 'request_refused', message: 'the request was refused' });
    expect(text).not.toContain(secret);
    expect(capture.logLines()).toHaveLength(before);
  });

  it('leaves the mounted routes alone', async () => {
    expect((await fetch(`${url}/api/panels`)).status).toBe(401);
    expect((await fetch(`${url}/assets/panels.css`)).status).toBe(200);
  });

  it('names route families without the path', () => {
    expect(
      [
        '/mcp',
        '/mcp/x',
        '/webhooks/email',
        '/api/panels',
        '/assets/panels.js',
        '/',
        '/healthz',
        '/.well-known/oauth-protected-resource',
        '/mcpx',
        '/etc/passwd',
      ].map(pathKindOf),
    ).toEqual(['mcp', 'mcp', 'webhook', 'panels_api', 'page', 'page', 'health', 'discovery', 'other', 'other']);
  });
});
