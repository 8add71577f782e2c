import Anthropic from '@anthropic-ai/sdk';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { startFakeAnthropicApi } from '../fakes/fake-anthropic-api.js';
import type { FakeAnthropicApi } from '../fakes/fake-anthropic-api.js';
import { FAKE_SLACK_ERROR_BODY, startFakeSlackApi } from '../fakes/fake-slack-api.js';
import type { FakeSlackApi, FakeSlackFailure } from '../fakes/fake-slack-api.js';
import { createOperationsStore } from '../operations/operations-store.js';
import { createReasoningEngine } from '../reasoning/create-reasoning-engine.js';
import type { ReasoningEngine } from '../reasoning/reasoning-engine.js';
import type { DirectMessage } from './direct-message.js';
import { REASONING_APOLOGY, createDirectMessageHandler } from './handle-direct-message.js';
import type { DirectMessageHandlerOptions } from './handle-direct-message.js';

// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');
const pastedToken = ['xoxp', '4444444444', '5555555555555', 'PastedPastedPastedPasted'].join('-');
const message: DirectMessage = { channel: 'D01CHAN01', ts: '1700000000.000100', user: 'U0JOSHUA1', text: 'How are we doing?' };
const session = 'D01CHAN01:1700000000.000100';

let slackApi: FakeSlackApi;
let anthropicApi: FakeAnthropicApi;
let capture: TestContext;

beforeEach(async () => {
  slackApi = await startFakeSlackApi({ token: slackToken });
  anthropicApi = await startFakeAnthropicApi();
  capture = createTestContext();
});

afterEach(async () => {
  await slackApi.close();
  await anthropicApi.close();
  await capture.cleanup();
});

/** A real WebClient on the fake; no retries, so that one queued failure is the outcome. */
function slackClient(timeout = 30_000): WebClient {
  return new WebClient(slackToken, {
    slackApiUrl: slackApi.url,
    retryConfig: { retries: 0 },
    timeout,
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
}

function reasoningEngine(options: { configured: boolean } = { configured: true }): ReasoningEngine {
  return createReasoningEngine({
    context: capture.context,
    client: options.configured ? new Anthropic({ apiKey: anthropicApi.apiKey, baseURL: anthropicApi.url, maxRetries: 0 }) : undefined,
    model: 'claude-sonnet-4-6',
    maxTurns: 8,
    services: {
      store: createOperationsStore(),
      sendSlackMessage: async (channel, text) => ({ ts: (await slackClient().chat.postMessage({ channel, text })).ts ?? '' }),
    },
  });
}

function handlerFor(overrides: Partial<DirectMessageHandlerOptions> = {}): (message: DirectMessage) => Promise<void> {
  return createDirectMessageHandler({ context: capture.context, slack: slackClient(), reasoning: reasoningEngine(), ...overrides });
}

/** The `slack_dm.reply_failed` rows, as `[caller_session_id, details]`. */
function replyFailures(): [string | null, Record<string, unknown>][] {
  return capture
    .rows()
    .filter((row) => row.seam === 'slack_dm.reply_failed')
    .map((row) => [row.caller_session_id, row.details]);
}

describe('createDirectMessageHandler', () => {
  it('posts the model’s answer to the DM and audits the tool calls under the DM’s session', async () => {
    await handlerFor()(message);

    expect(slackApi.messages).toHaveLength(1);
    expect(slackApi.messages[0]).toMatchObject({ channel: 'D01CHAN01', threadTs: undefined });
    expect(slackApi.messages[0]?.text).toMatch(/^Here is what I found:\n- kora__get_operational_state: /);
    expect(replyFailures()).toEqual([]);
    expect(capture.rows().map((row) => [row.seam, row.caller_session_id, row.details.triggered_by])).toEqual([
      ['reasoning.tool_called', session, 'slack_dm'],
      ['reasoning.tool_called', session, 'slack_dm'],
    ]);
  });

  it('replies in a thread under the DM when asked to', async () => {
    await handlerFor({ replyInThread: true })(message);
    expect(slackApi.messages).toMatchObject([{ channel: 'D01CHAN01', threadTs: '1700000000.000100' }]);
  });

  const failures: [string, FakeSlackFailure, string][] = [
    ['a Slack platform error', { kind: 'platform_error', error: 'channel_not_found' }, 'slack_api:channel_not_found'],
    ['an HTTP 503', { kind: 'http_status', status: 503 }, 'transport:503'],
    ['a rate limit', { kind: 'rate_limited', retryAfterSeconds: 30 }, 'transport:429'],
  ];
  for (const [name, failure, reason] of failures) {
    it(`audits a reply that failed with ${name} as ${reason}`, async () => {
      slackApi.failNext(failure);
      await handlerFor()(message);

      expect(slackApi.messages).toEqual([]);
      expect(replyFailures()).toEqual([[session, { channel_id: 'D01CHAN01', reason }]]);
      expect(capture.verbatimLines()).toContain(`[kora.slack_dm.reply_failed] channel=D01CHAN01 reason=${reason}`);
      expect(capture.allOutput()).not.toContain(FAKE_SLACK_ERROR_BODY);
    });
  }

  it('audits a reply that timed out as transport:TimeoutError', async () => {
    slackApi.failNext({ kind: 'hang' });
    // The deliberate short timeout: the fake never answers.
    await handlerFor({ slack: slackClient(200) })(message);
    expect(replyFailures()).toEqual([[session, { channel_id: 'D01CHAN01', reason: 'transport:TimeoutError' }]]);
  });

  it('audits slack_client_not_configured without asking the model when there is no Slack client', async () => {
    await handlerFor({ slack: undefined })(message);

    expect(replyFailures()).toEqual([[session, { channel_id: 'D01CHAN01', reason: 'slack_client_not_configured' }]]);
    expect(anthropicApi.requests).toEqual([]);
    expect(capture.verbatimLines()).toEqual(['[kora.slack_dm.reply_failed] channel=D01CHAN01 reason=slack_client_not_configured']);
  });

  it('posts an apology and warns with the error type when reasoning fails', async () => {
    anthropicApi.failNext('overloaded');
    await handlerFor()(message);

    expect(slackApi.messages.map((posted) => posted.text)).toEqual([REASONING_APOLOGY]);
    expect(replyFailures()).toEqual([]);
    expect(
      capture
        .logLines()
        .filter((line) => line.level === 'warn')
        .map((line) => line.msg),
    ).toEqual(['[kora.daemon.reasoning_failed] triggered_by=slack_dm channel=D01CHAN01 error=OverloadedError']);
  });

  it('posts an apology when reasoning is not configured', async () => {
    await handlerFor({ reasoning: reasoningEngine({ configured: false }) })(message);

    expect(slackApi.messages.map((posted) => posted.text)).toEqual([REASONING_APOLOGY]);
    expect(capture.allOutput()).toContain('error=ReasoningNotConfigured');
  });

  it('audits the apology’s failed post too, and never rejects', async () => {
    anthropicApi.failNext('api_error');
    slackApi.failNext({ kind: 'platform_error', error: 'not_in_channel' });
    await expect(handlerFor()(message)).resolves.toBeUndefined();

    expect(replyFailures()).toEqual([[session, { channel_id: 'D01CHAN01', reason: 'slack_api:not_in_channel' }]]);
    expect(capture.allOutput()).toContain('error=InternalServerError');
  });

  it('keeps a secret pasted into the DM, and what the model made of it, out of every audit output', async () => {
    anthropicApi.script(
      { kind: 'tool_use', toolUses: [{ name: 'kora__create_ticket', input: { title: 'Leaked token', body: `found ${pastedToken}` } }] },
      { kind: 'text', text: `Filed a ticket about ${pastedToken}.` },
    );
    slackApi.failNext({ kind: 'platform_error', error: 'channel_not_found' });
    await handlerFor()({ ...message, text: `please rotate ${pastedToken} today` });

    // The secret really flowed: to the model, and in the reply Slack refused.
    expect(JSON.stringify(anthropicApi.requests.map((received) => received.body))).toContain(pastedToken);
    expect(JSON.stringify(slackApi.calls)).toContain(pastedToken);
    // The audit has the rows, and not the secret, not even as a redaction.
    expect(capture.allRows().map((row) => [row.seam, row.seq])).toEqual([
      ['audit.opened', 1],
      ['reasoning.tool_called', 2],
      ['slack_dm.reply_failed', 3],
    ]);
    expect(capture.rows().map((row) => row.seam)).toEqual(['reasoning.tool_called', 'slack_dm.reply_failed']);
    expect(capture.allOutput()).not.toContain(pastedToken);
    expect(capture.allOutput()).not.toContain('please rotate');
    expect(capture.allOutput()).not.toContain(slackToken);
    expect(capture.warnings()).toEqual([]);
  });
});
