import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import type { AuditEnvelope } from '@kora/audit-sink';
import { seam } from '@kora/seam-webhook-dead-letter';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import type { DirectMessage } from '../slack/direct-message.js';
import { createWebhookRoutes } from './create-webhook-routes.js';
import type { InboundEmail, WebhookRoutes, WebhookRoutesOptions } from './create-webhook-routes.js';
import { signEmailRequest } from './verify-email-signature.js';
import { signSlackRequest } from './verify-slack-signature.js';

const now = 1_700_000_000_000;
const nowSeconds = now / 1000;
const slackSecret = 'slack-signing-secret-0123456789';
const emailSecret = 'email-signing-secret-0123456789';
// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Listener {
  /** Base URL of the mounted routes: `http://127.0.0.1:<port>/webhooks`. */
  readonly url: string;
  readonly capture: TestContext;
  readonly routes: WebhookRoutes;
  readonly messages: DirectMessage[];
  readonly emails: InboundEmail[];
}

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Mount the routes as the daemon does and serve them on a real port. */
async function startListener(overrides: Partial<WebhookRoutesOptions> = {}): Promise<Listener> {
  const capture = createTestContext(() => now);
  const messages: DirectMessage[] = [];
  const emails: InboundEmail[] = [];
  const routes = createWebhookRoutes({
    context: capture.context,
    slackSigningSecret: slackSecret,
    emailSigningSecret: emailSecret,
    maxBodyBytes: 4096,
    rateLimitPerMinute: 100,
    onDirectMessage: (message) => messages.push(message),
    onEmail: (email) => emails.push(email),
    ...overrides,
  });
  const app = new Hono();
  app.route('/webhooks', routes);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
    started.once('error', reject);
  });
  closers.push(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    await capture.cleanup();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks`, capture, routes, messages, emails };
}

function directMessageEvent(eventId = 'Ev0001', event: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'event_callback',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event_id: eventId,
    event_time: nowSeconds,
    event: {
      type: 'message',
      channel: 'D0123ABCD',
      user: 'U0123ABCD',
      text: 'what changed in the deploy queue?',
      ts: '1700000000.000100',
      event_ts: '1700000000.000100',
      channel_type: 'im',
      ...event,
    },
  };
}

function signedSlackHeaders(body: string, timestamp: number | string = nowSeconds): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': signSlackRequest(slackSecret, timestamp, body),
  };
}

function postSlack(listener: Listener, body: string, headers: Record<string, string> = signedSlackHeaders(body)): Promise<Response> {
  return fetch(`${listener.url}/slack/events`, { method: 'POST', headers, body });
}

function postEmail(listener: Listener, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${listener.url}/email`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
}

/** The one dead-letter row, after checking that its verbatim line was logged with it. */
function onlyDeadLetter(capture: TestContext): AuditEnvelope {
  const rows = capture.rows();
  expect(rows).toHaveLength(1);
  const row = rows[0]!;
  expect(row.seam).toBe('webhook.dead_letter');
  expect(capture.verbatimLines()).toEqual([seam.formatLine(row.details, { caller_session_id: null })]);
  expect(capture.warnings()).toEqual([]);
  return row;
}

function expectNoSecretInOutput(capture: TestContext): void {
  expect(capture.allOutput()).not.toContain(slackToken);
  // Nothing secret-shaped even reached the guard: the body never left the listener.
  expect(capture.allOutput()).not.toContain('REDACTED');
}

describe('createWebhookRoutes', () => {
  describe('POST /slack/events', () => {
    it('dispatches a verified DM to the listener, acknowledges it and audits nothing', async () => {
      const listener = await startListener();
      const body = JSON.stringify(directMessageEvent('Ev0001', { text: `use ${slackToken} for the deploy` }));
      const response = await postSlack(listener, body);
      expect(response.status).toBe(200);
      expect(response.headers.get('X-Request-Id')).toMatch(uuid);
      expect(listener.messages).toEqual([
        { channel: 'D0123ABCD', ts: '1700000000.000100', user: 'U0123ABCD', text: `use ${slackToken} for the deploy` },
      ]);
      expect(listener.capture.rows()).toEqual([]);
      expect(listener.capture.verbatimLines()).toEqual([]);
      expect(listener.capture.allOutput()).not.toContain(slackToken);
    });

    it('echoes the url_verification challenge only to a signed request', async () => {
      const listener = await startListener();
      const body = JSON.stringify({
        type: 'url_verification',
        token: 'legacy',
        challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      });
      const response = await postSlack(listener, body);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });

      const forged = await postSlack(listener, body, { ...signedSlackHeaders(body), 'X-Slack-Signature': `v0=${'0'.repeat(64)}` });
      expect(forged.status).toBe(401);
      expect(await forged.text()).not.toContain('challenge-');
      expect(onlyDeadLetter(listener.capture).details.reason).toBe('slack_signature_mismatch');
    });

    it('refuses a forged signature with 401 and one dead-letter row holding sizes and a header summary, never the body', async () => {
      const listener = await startListener();
      const body = JSON.stringify(directMessageEvent('Ev0001', { text: `token ${slackToken}` }));
      const forgedSignature = signSlackRequest('not-the-secret', nowSeconds, body);
      const response = await postSlack(listener, body, {
        'Content-Type': 'application/json',
        'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        'X-Slack-Request-Timestamp': String(nowSeconds),
        'X-Slack-Signature': forgedSignature,
        'X-Request-Id': 'req-forged-1',
        Authorization: `Bearer ${slackToken}`,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('X-Request-Id')).toBe('req-forged-1');
      expect(await response.json()).toEqual({ ok: false, error: 'slack_signature_mismatch' });
      expect(listener.messages).toEqual([]);

      const row = onlyDeadLetter(listener.capture);
      expect(row.source).toBe('slack_dm');
      expect(row.details).toEqual({
        source: 'slack',
        reason: 'slack_signature_mismatch',
        ts: nowSeconds,
        peer_ip: '127.0.0.1',
        request_id: 'req-forged-1',
        body_bytes: Buffer.byteLength(body),
        status: 401,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
          'x-slack-request-timestamp': String(nowSeconds),
          'x-slack-signature': `${forgedSignature.slice(0, 12)}...(truncated)`,
        },
      });
      const line = listener.capture.verbatimLines()[0];
      expect(line).toContain(
        `[kora.webhook.dead_letter] source=slack reason=slack_signature_mismatch ts=1700000000.000 peer_ip=127.0.0.1 request_id=req-forged-1 body_bytes=${Buffer.byteLength(body)} headers={`,
      );
      expect(line).toContain(`'x-slack-signature': '${forgedSignature.slice(0, 12)}...(truncated)'`);
      expect(listener.capture.allOutput()).not.toContain(forgedSignature);
      expectNoSecretInOutput(listener.capture);
    });

    it('refuses a correctly signed request dated outside the 5-minute window, either side', async () => {
      const listener = await startListener();
      const body = JSON.stringify(directMessageEvent());
      for (const timestamp of [nowSeconds - 301, nowSeconds + 301]) {
        const response = await postSlack(listener, body, signedSlackHeaders(body, timestamp));
        expect(response.status).toBe(401);
      }
      expect(listener.capture.rows().map((row) => row.details.reason)).toEqual(['slack_timestamp_stale', 'slack_timestamp_stale']);
      expect(listener.messages).toEqual([]);
      // Inside the window the same request is fine.
      expect((await postSlack(listener, body, signedSlackHeaders(body, nowSeconds - 299))).status).toBe(200);
    });

    it('names the missing or unreadable header in the reason', async () => {
      const listener = await startListener();
      const body = JSON.stringify(directMessageEvent());
      const signed = signedSlackHeaders(body);
      const cases: [Record<string, string>, string][] = [
        [{ 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': String(nowSeconds) }, 'slack_signature_missing'],
        [{ 'Content-Type': 'application/json', 'X-Slack-Signature': signed['X-Slack-Signature']! }, 'slack_timestamp_missing'],
        [{ ...signed, 'X-Slack-Request-Timestamp': 'yesterday' }, 'slack_timestamp_invalid'],
      ];
      for (const [headers, reason] of cases) {
        const response = await postSlack(listener, body, headers);
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ ok: false, error: reason });
      }
      expect(listener.capture.rows().map((row) => row.details.reason)).toEqual(cases.map(([, reason]) => reason));
      expect(listener.capture.verbatimLines()).toHaveLength(3);
      expect(listener.messages).toEqual([]);
    });

    it('refuses malformed JSON with 400 after verifying the signature', async () => {
      const listener = await startListener();
      const body = `{"type":"event_callback","token":"${slackToken}"`;
      const response = await postSlack(listener, body);
      expect(response.status).toBe(400);
      const row = onlyDeadLetter(listener.capture);
      expect(row.details).toMatchObject({
        reason: 'malformed_json',
        body_bytes: Buffer.byteLength(body),
        peer_ip: '127.0.0.1',
        status: 400,
      });
      expectNoSecretInOutput(listener.capture);
    });

    it('refuses bytes that are not UTF-8 as malformed JSON', async () => {
      const listener = await startListener();
      const body = Buffer.from([0x7b, 0xff, 0x7d]);
      const response = await fetch(`${listener.url}/slack/events`, {
        method: 'POST',
        headers: {
          'X-Slack-Request-Timestamp': String(nowSeconds),
          'X-Slack-Signature': signSlackRequest(slackSecret, nowSeconds, body),
        },
        body,
      });
      expect(response.status).toBe(400);
      expect(onlyDeadLetter(listener.capture).details).toMatchObject({ reason: 'malformed_json', body_bytes: 3 });
    });

    it('refuses a signed payload missing required fields with 400 invalid_payload', async () => {
      const listener = await startListener();
      const withoutUser = directMessageEvent('Ev0002');
      delete (withoutUser.event as Record<string, unknown>).user;
      const bodies = [
        JSON.stringify(withoutUser),
        JSON.stringify({ type: 'event_callback', event: { type: 'message' } }),
        JSON.stringify({ type: 'url_verification' }),
        JSON.stringify(['event_callback']),
      ];
      for (const body of bodies) expect((await postSlack(listener, body)).status).toBe(400);
      expect(listener.capture.rows().map((row) => row.details.reason)).toEqual(bodies.map(() => 'invalid_payload'));
      expect(listener.messages).toEqual([]);
    });

    it('acknowledges bot messages, edits, channel messages and other events without dispatching them', async () => {
      const listener = await startListener();
      const bodies = [
        directMessageEvent('Ev0010', { bot_id: 'B0001' }),
        directMessageEvent('Ev0011', { subtype: 'message_changed' }),
        directMessageEvent('Ev0012', { channel_type: 'channel', channel: 'C0123ABCD' }),
        directMessageEvent('Ev0013', { type: 'app_mention' }),
        { type: 'app_rate_limited', minute_rate_limited: 1518467820 },
      ].map((payload) => JSON.stringify(payload));
      for (const body of bodies) expect((await postSlack(listener, body)).status).toBe(200);
      expect(listener.messages).toEqual([]);
      expect(listener.capture.rows()).toEqual([]);
    });

    it('acknowledges a retry of an event already dispatched without dispatching it again', async () => {
      const listener = await startListener();
      const body = JSON.stringify(directMessageEvent('Ev0100'));
      expect((await postSlack(listener, body)).status).toBe(200);
      const retryHeaders = {
        ...signedSlackHeaders(body, nowSeconds + 60),
        'X-Slack-Retry-Num': '1',
        'X-Slack-Retry-Reason': 'http_timeout',
      };
      expect((await postSlack(listener, body, retryHeaders)).status).toBe(200);
      expect((await postSlack(listener, body, { ...retryHeaders, 'X-Slack-Retry-Num': '2' })).status).toBe(200);
      // A retry of an event never seen (the first delivery was lost) is dispatched.
      const lost = JSON.stringify(directMessageEvent('Ev0101', { text: 'second question' }));
      expect((await postSlack(listener, lost, { ...signedSlackHeaders(lost), 'X-Slack-Retry-Num': '1' })).status).toBe(200);

      expect(listener.messages.map((message) => message.text)).toEqual(['what changed in the deploy queue?', 'second question']);
      expect(listener.routes.stats().duplicateEvents).toBe(2);
      expect(listener.capture.rows()).toEqual([]);
    });
  });

  describe('POST /email', () => {
    const email = { from: 'alerts', to: 'ops-inbox', subject: 'Disk almost full', text: `key ${slackToken}` };
    const body = JSON.stringify(email);

    it('accepts a verified e-mail with 202, with or without the sha256= prefix', async () => {
      const listener = await startListener();
      const signature = signEmailRequest(emailSecret, body);
      for (const header of [signature, `sha256=${signature}`]) {
        const response = await postEmail(listener, body, { 'X-Purelymail-Signature': header });
        expect(response.status).toBe(202);
      }
      expect(listener.emails).toEqual([email, email]);
      expect(listener.capture.rows()).toEqual([]);
      expect(listener.capture.allOutput()).not.toContain(slackToken);
    });

    it('refuses a forged signature, prefixed or not, with 401 purelymail_hmac_mismatch', async () => {
      const listener = await startListener();
      const forged = signEmailRequest('not-the-secret', body);
      for (const header of [forged, `sha256=${forged}`]) {
        expect((await postEmail(listener, body, { 'X-Purelymail-Signature': header, 'X-Request-Id': 'mail-7' })).status).toBe(401);
      }
      const rows = listener.capture.rows();
      expect(rows.map((row) => row.source)).toEqual(['email', 'email']);
      expect(rows.map((row) => row.details)).toEqual([
        expect.objectContaining({
          source: 'email',
          reason: 'purelymail_hmac_mismatch',
          peer_ip: '127.0.0.1',
          request_id: 'mail-7',
          body_bytes: Buffer.byteLength(body),
          headers: expect.objectContaining({ 'x-purelymail-signature': `${forged.slice(0, 12)}...(truncated)` }),
        }),
        expect.objectContaining({
          headers: expect.objectContaining({ 'x-purelymail-signature': `sha256=${forged.slice(0, 5)}...(truncated)` }),
        }),
      ]);
      expect(listener.capture.verbatimLines()).toEqual(rows.map((row) => seam.formatLine(row.details, { caller_session_id: null })));
      expect(listener.capture.allOutput()).not.toContain(forged);
      expectNoSecretInOutput(listener.capture);
      expect(listener.emails).toEqual([]);
    });

    it('refuses a missing signature, and a verified body missing fields', async () => {
      const listener = await startListener();
      expect((await postEmail(listener, body, {})).status).toBe(401);
      const partial = JSON.stringify({ from: 'alerts', subject: 'no recipient' });
      expect((await postEmail(listener, partial, { 'X-Purelymail-Signature': signEmailRequest(emailSecret, partial) })).status).toBe(400);
      expect(listener.capture.rows().map((row) => row.details.reason)).toEqual(['purelymail_signature_missing', 'invalid_payload']);
      expect(listener.emails).toEqual([]);
    });
  });

  describe('shared checks', () => {
    it('refuses a body whose Content-Length is over the cap with 413, recording the declared size', async () => {
      const listener = await startListener({ maxBodyBytes: 1024 });
      const body = JSON.stringify(directMessageEvent('Ev0200', { text: `${slackToken} ${'x'.repeat(2000)}` }));
      const response = await postSlack(listener, body);
      expect(response.status).toBe(413);
      const row = onlyDeadLetter(listener.capture);
      expect(row.details).toMatchObject({
        reason: 'body_too_large',
        body_bytes: Buffer.byteLength(body),
        peer_ip: '127.0.0.1',
        status: 413,
      });
      expect(listener.messages).toEqual([]);
      expectNoSecretInOutput(listener.capture);
    });

    it('refuses a chunked body over the cap while it is still arriving', async () => {
      const listener = await startListener({ maxBodyBytes: 1024 });
      const chunk = new TextEncoder().encode(`${slackToken} `.repeat(16));
      let sent = 0;
      let releaseSender = (): void => {};
      const senderReleased = new Promise<void>((resolve) => {
        releaseSender = resolve;
      });
      // Sends 3 chunks, then holds the request open: only a listener that counts while
      // reading can answer before the body ends.
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent === 3) {
            await senderReleased;
            controller.close();
            return;
          }
          sent += 1;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(`${listener.url}/email`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Purelymail-Signature': `sha256=${'0'.repeat(64)}` },
        body: stream,
        duplex: 'half',
      });
      try {
        expect(response.status).toBe(413);
      } finally {
        releaseSender();
      }
      const row = onlyDeadLetter(listener.capture);
      expect(row.details).toMatchObject({ source: 'email', reason: 'body_too_large', peer_ip: '127.0.0.1' });
      // Only what was counted before refusing: more than the cap, at most what was sent.
      expect(row.details.body_bytes).toBeGreaterThan(1024);
      expect(row.details.body_bytes).toBeLessThanOrEqual(3 * chunk.byteLength);
      expect(row.details.headers).not.toHaveProperty('content-length');
      expect(row.details.headers).toHaveProperty('x-purelymail-signature', 'sha256=00000...(truncated)');
      expectNoSecretInOutput(listener.capture);
    });

    it('answers 429 with Retry-After over the per-IP limit, before checking signatures, auditing only the first', async () => {
      const listener = await startListener({ rateLimitPerMinute: 2 });
      const body = JSON.stringify({ type: 'url_verification', challenge: 'c1' });
      expect((await postSlack(listener, body)).status).toBe(200);
      expect((await postSlack(listener, body)).status).toBe(200);
      const forged = { ...signedSlackHeaders(body), 'X-Slack-Signature': `v0=${'f'.repeat(64)}` };
      const limited = [
        await postSlack(listener, body, forged),
        await postSlack(listener, body, forged),
        await postEmail(listener, body, { 'X-Purelymail-Signature': 'bad' }),
      ];
      for (const response of limited) {
        expect(response.status).toBe(429);
        expect(Number(response.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
        expect(Number(response.headers.get('Retry-After'))).toBeLessThanOrEqual(60);
      }
      const row = onlyDeadLetter(listener.capture);
      expect(row.details).toMatchObject({
        source: 'slack',
        reason: 'rate_limited',
        peer_ip: '127.0.0.1',
        body_bytes: Buffer.byteLength(body),
      });
      expect(listener.routes.stats()).toEqual({ rateLimited: 3, rateLimitedUnaudited: 2, duplicateEvents: 0 });
    });

    it('keeps a separate budget per peer address', async () => {
      const listener = await startListener({ rateLimitPerMinute: 1, peerIpOf: (c) => c.req.header('X-Test-Peer') });
      const body = JSON.stringify({ type: 'url_verification', challenge: 'c1' });
      const from = (peer: string) => postSlack(listener, body, { ...signedSlackHeaders(body), 'X-Test-Peer': peer });
      expect((await from('203.0.113.7')).status).toBe(200);
      expect((await from('203.0.113.7')).status).toBe(429);
      expect((await from('198.51.100.4')).status).toBe(200);
      expect(onlyDeadLetter(listener.capture).details.peer_ip).toBe('203.0.113.7');
    });

    it('answers 503 and dead-letters when a secret is not configured', async () => {
      const listener = await startListener({ slackSigningSecret: undefined, emailSigningSecret: undefined });
      const slackBody = JSON.stringify(directMessageEvent());
      expect((await postSlack(listener, slackBody)).status).toBe(503);
      const emailBody = JSON.stringify({ from: 'a', to: 'b', subject: '', text: '' });
      expect((await postEmail(listener, emailBody, { 'X-Purelymail-Signature': signEmailRequest(emailSecret, emailBody) })).status).toBe(
        503,
      );
      const rows = listener.capture.rows();
      expect(rows.map((row) => [row.source, row.details.reason])).toEqual([
        ['slack_dm', 'slack_not_configured'],
        ['email', 'email_not_configured'],
      ]);
      expect(listener.capture.verbatimLines()).toHaveLength(2);
      expect(listener.messages).toEqual([]);
    });

    it('replaces a missing or unusual X-Request-Id with a UUID and returns it', async () => {
      const listener = await startListener();
      const body = 'not json';
      const given = ['', 'has space', 'x'.repeat(200), '../etc/passwd', '<script>'];
      for (const requestId of given) {
        const headers: Record<string, string> = { ...signedSlackHeaders(body) };
        if (requestId !== '') headers['X-Request-Id'] = requestId;
        const response = await postSlack(listener, body, headers);
        expect(response.status).toBe(400);
        expect(response.headers.get('X-Request-Id')).toMatch(uuid);
      }
      const rows = listener.capture.rows();
      expect(rows).toHaveLength(given.length);
      for (const row of rows) expect(row.details.request_id).toMatch(uuid);
      expect(new Set(rows.map((row) => row.details.request_id)).size).toBe(given.length);
    });

    it('works without a socket (app.request) and takes the peer address from peerIpOf', async () => {
      const capture = createTestContext(() => now);
      closers.push(() => capture.cleanup());
      const options = {
        context: capture.context,
        slackSigningSecret: slackSecret,
        emailSigningSecret: emailSecret,
        maxBodyBytes: 4096,
        rateLimitPerMinute: 10,
        onDirectMessage: () => {},
      };
      const body = JSON.stringify(directMessageEvent());
      const forged = { ...signedSlackHeaders(body), 'X-Slack-Signature': `v0=${'a'.repeat(64)}` };
      const bare = await createWebhookRoutes(options).request('/slack/events', { method: 'POST', headers: forged, body });
      expect(bare.status).toBe(401);
      const proxied = createWebhookRoutes({ ...options, peerIpOf: () => '::ffff:203.0.113.9' });
      expect((await proxied.request('/slack/events', { method: 'POST', headers: forged, body })).status).toBe(401);

      const [first, second] = capture.rows();
      expect(first?.details).not.toHaveProperty('peer_ip');
      expect(second?.details.peer_ip).toBe('203.0.113.9');
      expect(capture.verbatimLines()[0]).toContain(' peer_ip=- ');
    });
  });
});
