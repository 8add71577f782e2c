import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlackApi } from './fake-slack-api.js';
import type { FakeSlackApi } from './fake-slack-api.js';

// Built at run time so that no credential-shaped literal sits in the source.
const token = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');

let api: FakeSlackApi;

beforeEach(async () => {
  api = await startFakeSlackApi({ token, startTs: 1_700_000_000 });
});

afterEach(async () => {
  await api.close();
});

/** A real client pointed at the fake; no retries unless asked, so each failure shows once. */
function clientFor(options: { token?: string; timeout?: number; retries?: number } = {}): WebClient {
  return new WebClient(options.token ?? token, {
    slackApiUrl: api.url,
    // Retries without backoff: what is counted is attempts, not time.
    retryConfig: { retries: options.retries ?? 0, minTimeout: 0, maxTimeout: 0 },
    timeout: options.timeout ?? 30_000,
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
}

async function postFails(client: WebClient, channel = 'D01CHAN01'): Promise<unknown> {
  try {
    await client.chat.postMessage({ channel, text: 'hello' });
  } catch (error) {
    return error;
  }
  throw new Error('the post did not fail');
}

describe('startFakeSlackApi', () => {
  it('answers chat.postMessage from the real WebClient in Slack’s shape and records the message', async () => {
    const response = await clientFor().chat.postMessage({ channel: 'D01CHAN01', text: 'first' });
    const threaded = await clientFor().chat.postMessage({ channel: 'D01CHAN01', text: 'second', thread_ts: response.ts ?? '' });

    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(response).toMatchObject({
      ok: true,
      channel: 'D01CHAN01',
      ts: '1700000000.000001',
      message: { type: 'message', text: 'first', ts: '1700000000.000001', bot_id: 'B0KORABOT' },
    });
    expect(threaded.message).toMatchObject({ text: 'second', thread_ts: '1700000000.000001' });
    expect(api.messages).toEqual([
      { channel: 'D01CHAN01', text: 'first', threadTs: undefined, ts: '1700000000.000001', encoding: 'form' },
      { channel: 'D01CHAN01', text: 'second', threadTs: '1700000000.000001', ts: '1700000000.000002', encoding: 'form' },
    ]);
  });

  it('accepts JSON arguments with a bearer token, as Slack does', async () => {
    const response = await fetch(`${api.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channel: 'U0JOSHUA1', text: 'over json' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, channel: 'U0JOSHUA1', message: { text: 'over json' } });
    expect(api.messages.map((message) => message.encoding)).toEqual(['json']);
  });

  it('answers auth.test with the bot’s identity', async () => {
    expect(await clientFor().auth.test()).toMatchObject({ ok: true, user_id: 'U0KORABOT', bot_id: 'B0KORABOT', team_id: 'T0KORA001' });
  });

  it('refuses a wrong token as invalid_auth and a missing one as not_authed', async () => {
    const error = await postFails(clientFor({ token: 'xoxb-wrong' }));
    expect(error).toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'invalid_auth' } });

    const response = await fetch(`${api.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=D01CHAN01&text=hi',
    });
    expect(await response.json()).toEqual({ ok: false, error: 'not_authed' });
    expect(api.messages).toEqual([]);
  });

  it('refuses a post without text as no_text', async () => {
    const response = await fetch(`${api.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channel: 'D01CHAN01' }),
    });
    expect(await response.json()).toEqual({ ok: false, error: 'no_text' });
  });

  it('fails the next call with a platform error at HTTP 200, then answers again', async () => {
    api.failNext({ kind: 'platform_error', error: 'channel_not_found' });
    expect(await postFails(clientFor())).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'channel_not_found' },
    });
    await expect(clientFor().chat.postMessage({ channel: 'D01CHAN01', text: 'again' })).resolves.toMatchObject({ ok: true });
    expect(api.calls.map((call) => call.outcome)).toEqual(['channel_not_found', 'ok']);
  });

  it('fails with an HTTP status, as many times as asked, which the client’s retries see', async () => {
    api.failNext({ kind: 'http_status', status: 503 }, 2);
    expect(await postFails(clientFor())).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });

    // One failure left: a client with two retries gets through on its second attempt.
    await expect(clientFor({ retries: 2 }).chat.postMessage({ channel: 'D01CHAN01', text: 'retried' })).resolves.toMatchObject({
      ok: true,
    });
    expect(api.calls.map((call) => call.outcome)).toEqual(['503', '503', 'ok']);
    expect(api.messages.map((message) => message.text)).toEqual(['retried']);
  });

  it('rate-limits with 429 and Retry-After, which the client rejects without waiting', async () => {
    api.failNext({ kind: 'rate_limited', retryAfterSeconds: 30 });
    expect(await postFails(clientFor())).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 30 });
  });

  it('hangs so that the client times out', async () => {
    api.failNext({ kind: 'hang' });
    const error = await postFails(clientFor({ timeout: 200 }));
    expect(error).toMatchObject({ code: ErrorCode.RequestError, original: { name: 'TimeoutError' } });
    expect(api.calls.map((call) => call.outcome)).toEqual(['hang']);
  });

  it('fails every post to one channel and no other until reset', async () => {
    api.failChannel('D0BROKEN1', { kind: 'platform_error', error: 'is_archived' });
    expect(await postFails(clientFor(), 'D0BROKEN1')).toMatchObject({ data: { error: 'is_archived' } });
    expect(await postFails(clientFor(), 'D0BROKEN1')).toMatchObject({ data: { error: 'is_archived' } });
    await expect(clientFor().chat.postMessage({ channel: 'D01CHAN01', text: 'fine' })).resolves.toMatchObject({ ok: true });

    api.reset();
    await expect(clientFor().chat.postMessage({ channel: 'D0BROKEN1', text: 'mended' })).resolves.toMatchObject({ ok: true });
    expect(api.messages.map((message) => message.channel)).toEqual(['D0BROKEN1']);
  });

  it('records the arguments of every call but never the token', async () => {
    await clientFor().chat.postMessage({ channel: 'D01CHAN01', text: 'hello' });
    await postFails(clientFor({ token: 'xoxb-wrong' }));
    expect(api.calls).toEqual([
      { method: 'chat.postMessage', encoding: 'form', args: { channel: 'D01CHAN01', text: 'hello' }, outcome: 'ok' },
      { method: 'chat.postMessage', encoding: 'form', args: { channel: 'D01CHAN01', text: 'hello' }, outcome: 'invalid_auth' },
    ]);
    expect(JSON.stringify(api.calls)).not.toContain(token);
  });

  it('can be driven over HTTP by another process', async () => {
    const control = (path: string, body?: unknown): Promise<Response> =>
      fetch(new URL(`/__fake/${path}`, api.url), {
        method: body === undefined && path === 'messages' ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    expect((await control('fail', { failure: { kind: 'http_status', status: 503 }, count: 1 })).status).toBe(200);
    expect(await postFails(clientFor())).toMatchObject({ statusCode: 503 });

    expect((await control('fail', { failure: { kind: 'platform_error', error: 'not_in_channel' }, channel: 'D0BROKEN1' })).status).toBe(
      200,
    );
    expect(await postFails(clientFor(), 'D0BROKEN1')).toMatchObject({ data: { error: 'not_in_channel' } });

    expect((await control('fail', { failure: { kind: 'explode' } })).status).toBe(400);
    await clientFor().chat.postMessage({ channel: 'D01CHAN01', text: 'listed' });
    expect(await (await control('messages')).json()).toMatchObject({ ok: true, messages: [{ channel: 'D01CHAN01', text: 'listed' }] });
    expect((await control('reset', {})).status).toBe(200);
    expect(api.messages).toEqual([]);
  });
});
