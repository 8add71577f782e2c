import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { parseJson, readBody } from './read-fake-request.js';

/**
 * How the fake fails a call, one per way the DM handler maps a failed reply:
 *
 * - `platform_error`: HTTP 200 with `{ ok: false, error }`, as Slack reports `channel_not_found`
 * - `http_status`: a bare HTTP error status (a 503 from Slack's edge)
 * - `rate_limited`: HTTP 429 with `Retry-After` in seconds
 * - `hang`: the request is read and never answered, so the client times out
 */
export type FakeSlackFailure =
  | { readonly kind: 'platform_error'; readonly error: string }
  | { readonly kind: 'http_status'; readonly status: number }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'hang' };

/** A message the fake accepted through `chat.postMessage`. */
export interface FakeSlackPostedMessage {
  readonly channel: string;
  readonly text: string;
  readonly threadTs: string | undefined;
  /** The `ts` the fake gave the message. */
  readonly ts: string;
  /** How the arguments arrived: `@slack/web-api` sends a form, other clients JSON. */
  readonly encoding: FakeSlackBodyEncoding;
}

/** How a Web API call's arguments were encoded. */
export type FakeSlackBodyEncoding = 'form' | 'json';

/** One Web API call as the fake received it, answered or not. */
export interface FakeSlackCall {
  /** The method, `chat.postMessage`. */
  readonly method: string;
  readonly encoding: FakeSlackBodyEncoding;
  /** The decoded arguments (form values are strings). The token is never kept. */
  readonly args: Readonly<Record<string, unknown>>;
  /** How the fake answered: `ok`, an error code, an HTTP status, or `hang`. */
  readonly outcome: string;
}

/** Options of {@link startFakeSlackApi}. */
export interface FakeSlackApiOptions {
  /** The only bot token accepted; any other is `invalid_auth`, none `not_authed`. Has a default. */
  readonly token?: string;
  /** Seconds since the epoch of the first `ts` handed out; `ts` values then count up. */
  readonly startTs?: number;
}

/** A local stand-in for `https://slack.com/api/` that the real `WebClient` can talk to. */
export interface FakeSlackApi {
  /** The base URL to pass as `slackApiUrl`: `http://127.0.0.1:<port>/api/`. */
  readonly url: string;
  /** The token the fake accepts. */
  readonly token: string;
  /** Messages posted successfully, oldest first. */
  readonly messages: readonly FakeSlackPostedMessage[];
  /** Every Web API call received, oldest first, including failed and hanging ones. */
  readonly calls: readonly FakeSlackCall[];
  /** Fail the next `count` calls (of any method, any channel) with `failure`, in order. */
  failNext(failure: FakeSlackFailure, count?: number): void;
  /** Fail every `chat.postMessage` to `channel` with `failure` until {@link reset}. */
  failChannel(channel: string, failure: FakeSlackFailure): void;
  /** Forget queued and per-channel failures, messages and calls. Hanging calls stay open. */
  reset(): void;
  /** Stop the server, dropping hanging calls. */
  close(): Promise<void>;
}

/** What the fake puts in error bodies, so tests can prove a body never reaches the audit. */
export const FAKE_SLACK_ERROR_BODY = 'FAKE-SLACK-ERROR-BODY';

const BOT_USER_ID = 'U0KORABOT';
const BOT_ID = 'B0KORABOT';
const TEAM_ID = 'T0KORA001';
const MAX_BODY_BYTES = 1024 * 1024;

const failure = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('platform_error'), error: z.string().regex(/^[a-z0-9_]{1,64}$/) }),
  z.strictObject({ kind: z.literal('http_status'), status: z.number().int().min(400).max(599) }),
  z.strictObject({ kind: z.literal('rate_limited'), retryAfterSeconds: z.number().int().min(0).max(3600) }),
  z.strictObject({ kind: z.literal('hang') }),
]);

/** Body of `POST /__fake/fail`: what to fail, and either how many calls or which channel. */
const controlRequest = z.strictObject({
  failure,
  count: z.number().int().min(1).max(1000).optional(),
  channel: z.string().min(1).optional(),
});

/**
 * Start a fake of Slack's Web API on 127.0.0.1 and a free port. It speaks the wire format
 * `@slack/web-api` expects (`POST /api/<method>`, form or JSON arguments, `Authorization:
 * Bearer`, JSON answers with `ok`) for `chat.postMessage` and `auth.test`, records what it is
 * sent, and fails calls on request. A separate process can drive it over HTTP:
 * `POST /__fake/fail` with `{ failure, count? , channel? }`, `POST /__fake/reset`,
 * `GET /__fake/messages`. These control routes are unauthenticated: the fake only listens
 * on loopback.
 */
export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  // Assembled from parts so that no token-shaped literal sits in the source.
  const token = options.token ?? ['xoxb', '0000000000', 'fake', 'slack', 'token'].join('-');
  const messages: FakeSlackPostedMessage[] = [];
  const calls: FakeSlackCall[] = [];
  const queued: FakeSlackFailure[] = [];
  const channelFailures = new Map<string, FakeSlackFailure>();
  let startTs = options.startTs ?? Math.floor(Date.now() / 1000);
  let sequence = 0;

  const nextTs = (): string => {
    sequence += 1;
    return `${startTs}.${String(sequence).padStart(6, '0')}`;
  };

  const failNext = (next: FakeSlackFailure, count = 1): void => {
    for (let index = 0; index < count; index += 1) queued.push(next);
  };
  const failChannel = (channel: string, next: FakeSlackFailure): void => {
    channelFailures.set(channel, next);
  };
  const reset = (): void => {
    queued.length = 0;
    channelFailures.clear();
    messages.length = 0;
    calls.length = 0;
    sequence = 0;
    startTs = options.startTs ?? Math.floor(Date.now() / 1000);
  };

  const handleApiCall = (method: string, request: IncomingMessage, body: string, response: ServerResponse): void => {
    const encoding: FakeSlackBodyEncoding = (request.headers['content-type'] ?? '').startsWith('application/json') ? 'json' : 'form';
    const args = decodeArguments(encoding, body);
    if (args === undefined) {
      calls.push({ method, encoding, args: {}, outcome: 'invalid_json' });
      sendJson(response, 200, { ok: false, error: 'invalid_json' });
      return;
    }
    const { token: bodyToken, ...recorded } = args;
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    const planned = queued.shift() ?? (method === 'chat.postMessage' && channel !== undefined ? channelFailures.get(channel) : undefined);
    if (planned !== undefined) {
      calls.push({ method, encoding, args: recorded, outcome: describeFailure(planned) });
      sendFailure(response, planned);
      return;
    }
    // Slack takes the token from the header and, for form posts, from the body too.
    const presented = readBearer(request.headers.authorization) ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
    const answer =
      presented === undefined
        ? { ok: false, error: 'not_authed' }
        : presented !== token
          ? { ok: false, error: 'invalid_auth' }
          : answerMethod(method, args, encoding);
    calls.push({ method, encoding, args: recorded, outcome: answer.ok === true ? 'ok' : String(answer.error) });
    sendJson(response, 200, answer);
  };

  const answerMethod = (
    method: string,
    args: Readonly<Record<string, unknown>>,
    encoding: FakeSlackBodyEncoding,
  ): Record<string, unknown> => {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://kora-demo.slack.com/',
          team: 'Kora Demo',
          user: 'kora',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
        return postMessage(args, encoding);
      default:
        return { ok: false, error: 'unknown_method', req_method: method };
    }
  };

  const postMessage = (args: Readonly<Record<string, unknown>>, encoding: FakeSlackBodyEncoding): Record<string, unknown> => {
    const { channel, text, thread_ts: threadTs } = args;
    if (typeof channel !== 'string' || channel === '') return { ok: false, error: 'channel_not_found' };
    if (typeof text !== 'string' || text === '') return { ok: false, error: 'no_text' };
    if (threadTs !== undefined && typeof threadTs !== 'string') return { ok: false, error: 'invalid_thread_ts' };
    const ts = nextTs();
    messages.push({ channel, text, threadTs, ts, encoding });
    return {
      ok: true,
      // Slack answers a post to a user id with the DM channel it opened; the demo keeps the id.
      channel,
      ts,
      message: {
        type: 'message',
        subtype: 'bot_message',
        text,
        user: BOT_USER_ID,
        bot_id: BOT_ID,
        team: TEAM_ID,
        ts,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      },
    };
  };

  const handleControl = (path: string, method: string, body: string, response: ServerResponse): void => {
    if (method === 'GET' && path === '/__fake/messages') {
      sendJson(response, 200, { ok: true, messages });
      return;
    }
    if (method === 'POST' && path === '/__fake/reset') {
      reset();
      sendJson(response, 200, { ok: true });
      return;
    }
    if (method === 'POST' && path === '/__fake/fail') {
      const parsed = controlRequest.safeParse(parseJson(body));
      if (!parsed.success) {
        sendJson(response, 400, { ok: false, error: 'invalid_control_request' });
        return;
      }
      const { failure: next, count, channel } = parsed.data;
      if (channel === undefined) failNext(next, count);
      else failChannel(channel, next);
      sendJson(response, 200, { ok: true });
      return;
    }
    sendJson(response, 404, { ok: false, error: 'unknown_control_route' });
  };

  const server = createServer((request, response) => {
    readBody(request, MAX_BODY_BYTES)
      .then((body) => {
        const path = new URL(request.url ?? '/', 'http://fake.invalid').pathname;
        if (path.startsWith('/__fake/')) {
          handleControl(path, request.method ?? 'GET', body, response);
          return;
        }
        const method = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path)?.[1];
        if (method === undefined || request.method !== 'POST') {
          sendJson(response, 404, { ok: false, error: 'unknown_method' });
          return;
        }
        handleApiCall(method, request, body, response);
      })
      .catch(() => {
        if (!response.headersSent) sendJson(response, 413, { ok: false, error: 'request_too_large' });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    messages,
    calls,
    failNext,
    failChannel,
    reset,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging calls and keep-alive sockets would hold close() open forever.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function sendFailure(response: ServerResponse, planned: FakeSlackFailure): void {
  switch (planned.kind) {
    case 'platform_error':
      sendJson(response, 200, { ok: false, error: planned.error, detail: FAKE_SLACK_ERROR_BODY });
      return;
    case 'http_status':
      response.writeHead(planned.status, { 'content-type': 'text/html' }).end(`<html><body>${FAKE_SLACK_ERROR_BODY}</body></html>`);
      return;
    case 'rate_limited':
      response
        .writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(planned.retryAfterSeconds) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    case 'hang':
      // Deliberately unanswered: the client's timeout is what is under test.
      return;
  }
}

function describeFailure(planned: FakeSlackFailure): string {
  switch (planned.kind) {
    case 'platform_error':
      return planned.error;
    case 'http_status':
      return String(planned.status);
    case 'rate_limited':
      return '429';
    case 'hang':
      return 'hang';
  }
}

function decodeArguments(encoding: FakeSlackBodyEncoding, body: string): Record<string, unknown> | undefined {
  if (encoding === 'form') return Object.fromEntries(new URLSearchParams(body));
  const parsed = parseJson(body);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

function readBearer(header: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match?.[1];
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
