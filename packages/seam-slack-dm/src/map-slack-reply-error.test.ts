import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedReply, startFakeSlackApi } from './__fixtures__/fake-slack-api.js';
import type { FakeSlackApi } from './__fixtures__/fake-slack-api.js';
import { isSlackReplyFailureReason, mapSlackReplyError } from './map-slack-reply-error.js';

let api: FakeSlackApi;
beforeAll(async () => {
  api = await startFakeSlackApi('xoxb-fake');
});
afterAll(async () => {
  await api.close();
});

describe('mapSlackReplyError', () => {
  it('maps a Slack platform error to slack_api:<error>', async () => {
    expect(mapSlackReplyError(await failedReply(api, 'channel_not_found'))).toBe('slack_api:channel_not_found');
  });

  it('maps an HTTP error to transport:<status>', async () => {
    expect(mapSlackReplyError(await failedReply(api, 'http_503'))).toBe('transport:503');
  });

  it('maps a timed-out request to transport:TimeoutError', async () => {
    expect(mapSlackReplyError(await failedReply(api, 'hang'))).toBe('transport:TimeoutError');
  });

  it('maps a rate-limited call to transport:429', async () => {
    expect(mapSlackReplyError(await failedReply(api, 'rate_limited'))).toBe('transport:429');
  });

  it('maps an aborted request to transport:AbortError', () => {
    const original = new DOMException('This operation was aborted', 'AbortError');
    expect(mapSlackReplyError({ code: 'slack_webapi_request_error', original })).toBe('transport:AbortError');
  });

  it('passes the client configuration reasons through', () => {
    expect(mapSlackReplyError('slack_client_not_configured')).toBe('slack_client_not_configured');
    expect(mapSlackReplyError('slack_client_import_error')).toBe('slack_client_import_error');
  });

  it('maps any other error to transport:<ErrorName>', () => {
    class SlackClientClosed extends Error {}
    expect(mapSlackReplyError(new TypeError('fetch failed'))).toBe('transport:TypeError');
    expect(mapSlackReplyError(new SlackClientClosed('closed'))).toBe('transport:SlackClientClosed');
    expect(mapSlackReplyError(Object.assign(new Error('x'), { name: 'ECONNRESET' }))).toBe('transport:ECONNRESET');
  });

  it('never turns a message, an odd code or a hostile value into a reason', () => {
    expect(mapSlackReplyError('channel not found: user text')).toBe('transport:Error');
    expect(mapSlackReplyError({ code: 'slack_webapi_platform_error', data: { error: 'Free Text here' } })).toBe('slack_api:unknown_error');
    expect(mapSlackReplyError({ code: 'slack_webapi_http_error', statusCode: 'five hundred' })).toBe('transport:WebAPIHTTPError');
    expect(mapSlackReplyError(Object.assign(new Error('x'), { name: 'has spaces in it' }))).toBe('transport:Error');
    // An identifier, but a credential: redacted, it would fit no reason and cost the row.
    expect(mapSlackReplyError({ code: 'slack_webapi_request_error', original: { name: ['npm_', 'FAKE'.repeat(9)].join('') } })).toBe(
      'transport:Object',
    );
    expect(mapSlackReplyError(null)).toBe('transport:Error');
    expect(mapSlackReplyError(42)).toBe('transport:Error');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(mapSlackReplyError(proxy)).toBe('transport:Error');
  });

  it('always returns a reason the allow-list accepts', async () => {
    for (const mode of ['channel_not_found', 'http_503', 'hang', 'rate_limited'] as const) {
      expect(isSlackReplyFailureReason(mapSlackReplyError(await failedReply(api, mode)))).toBe(true);
    }
  });
});
