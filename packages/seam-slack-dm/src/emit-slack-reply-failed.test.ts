import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_RESPONSE_BODY_TEXT, failedReply, startFakeSlackApi } from './__fixtures__/fake-slack-api.js';
import type { FakeSlackApi } from './__fixtures__/fake-slack-api.js';
import { emitSlackReplyFailed } from './emit-slack-reply-failed.js';

// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');
const emailAddress = ['ops.person', 'example.com'].join('@');

let api: FakeSlackApi;
let capture: CaptureSink;
beforeAll(async () => {
  api = await startFakeSlackApi(slackToken);
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  capture = createCaptureSink();
});
afterEach(async () => {
  await capture.cleanup();
});

/** The rows of this seam: the file also holds the writer's own audit.* rows. */
function seamRows(): ReturnType<CaptureSink['rows']> {
  return capture.rows().filter((row) => row.seam === 'slack_dm.reply_failed');
}

describe('emitSlackReplyFailed', () => {
  it('writes the verbatim line at warn and the row with the mapped reason and the DM session', async () => {
    const error = await failedReply(api, 'channel_not_found', 'REPLY-TEXT-FOR-THE-USER');
    const outcome = emitSlackReplyFailed({ channelId: 'D01CHAN01', messageTs: '1700000000.000100', error }, capture);

    expect(outcome.ok).toBe(true);
    const line = '[kora.slack_dm.reply_failed] channel=D01CHAN01 reason=slack_api:channel_not_found';
    expect(
      capture
        .logLines()
        .filter((entry) => entry.msg === line)
        .map((entry) => entry.level),
    ).toEqual(['warn']);
    // The writer's audit.opened row (seq 1), then the seam's row (seq 2) under that writer.
    const [opened, ...others] = capture.allRows();
    expect(opened).toMatchObject({ v: 2, seam: 'audit.opened', seq: 1 });
    expect(others.map((row) => `${row.seam} ${String(row.seq)} ${String(row.writer === opened?.id)}`)).toEqual([
      'slack_dm.reply_failed 2 true',
    ]);
    expect(seamRows()[0]).toMatchObject({
      seam: 'slack_dm.reply_failed',
      source: 'slack_dm',
      caller_session_id: 'D01CHAN01:1700000000.000100',
      details: { channel_id: 'D01CHAN01', reason: 'slack_api:channel_not_found' },
    });
  });

  it('never writes the reply text, the error message or the response body', async () => {
    for (const mode of ['channel_not_found', 'http_503'] as const) {
      emitSlackReplyFailed({ channelId: 'D0123ABCD', error: await failedReply(api, mode, 'REPLY-TEXT-FOR-THE-USER') }, capture);
    }
    expect(seamRows().map((row) => row.details.reason)).toEqual(['slack_api:channel_not_found', 'transport:503']);
    for (const leaked of ['REPLY-TEXT-FOR-THE-USER', FAKE_RESPONSE_BODY_TEXT, 'An API error occurred', slackToken]) {
      expect(capture.allOutput()).not.toContain(leaked);
    }
  });

  it('records a timed-out reply as transport:TimeoutError', async () => {
    emitSlackReplyFailed({ channelId: 'D0123ABCD', error: await failedReply(api, 'hang') }, capture);
    expect(capture.verbatimLines()).toEqual(['[kora.slack_dm.reply_failed] channel=D0123ABCD reason=transport:TimeoutError']);
  });

  it('records a missing client by its reason, with no session when ts is unknown', () => {
    emitSlackReplyFailed({ channelId: 'U0JOSHUA1', error: 'slack_client_not_configured' }, capture);
    expect(seamRows()[0]).toMatchObject({
      caller_session_id: null,
      details: { channel_id: 'U0JOSHUA1', reason: 'slack_client_not_configured' },
    });
  });

  it('redacts a Slack token or an e-mail address passed in any field from both outputs', () => {
    const outcome = emitSlackReplyFailed({ channelId: slackToken, messageTs: emailAddress, error: `slack_api:${emailAddress}` }, capture);
    // A redacted channel is no longer a Slack id, but the marker stands in for it: the row is kept.
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details).toEqual({ channel_id: '[REDACTED:slack-bot-token]', reason: 'transport:Error' });
    expect(capture.verbatimLines()).toEqual(['[kora.slack_dm.reply_failed] channel=[REDACTED:slack-bot-token] reason=transport:Error']);
    expect(capture.allOutput()).not.toContain(slackToken);
    expect(capture.allOutput()).not.toContain(emailAddress);

    emitSlackReplyFailed({ channelId: 'D01CHAN01', messageTs: emailAddress, error: 'slack_client_import_error' }, capture);
    expect(seamRows()[1]?.caller_session_id).toBe('D01CHAN01:[REDACTED:email-address]');
    expect(capture.allOutput()).not.toContain(emailAddress);
  });

  it('writes the row when a channel id that is a valid Slack id turns out to be a secret', () => {
    // An AWS key id is upper-case letters and digits: a Slack id to the allow-list.
    const awsKeyId = ['AKIA', 'Q3EGRV7XJ5LT2KMN'].join('');
    const outcome = emitSlackReplyFailed({ channelId: awsKeyId, error: 'slack_client_not_configured' }, capture);

    expect(outcome.ok).toBe(true);
    expect(seamRows().map((row) => row.details)).toEqual([
      { channel_id: '[REDACTED:aws-access-key-id]', reason: 'slack_client_not_configured' },
    ]);
    expect(capture.warnings()).toEqual([
      '[kora.audit.redacted] seam=slack_dm.reply_failed rules=aws-access-key-id paths=details.channel_id',
    ]);
    expect(capture.allOutput()).not.toContain(awsKeyId);
  });
});
