import { findSecrets, redactText } from '@kora/audit-sink';
import { checkLineFields, createCaptureSink, createHostileArbitraries, createOutputChecker } from '@kora/audit-sink/testing';
import type { CaptureSink, Carrier, OutputChecker, Planted } from '@kora/audit-sink/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitSlackReplyFailed } from './emit-slack-reply-failed.js';
import { seam } from './slack-dm-reply-failed.js';

const hostile = createHostileArbitraries(fc);
const plain = (value: unknown): Planted => ({ value, secrets: [] });
const carried = ({ text, secrets }: Carrier): Planted => ({ value: text, secrets });

const CHANNEL_ID = /^[A-Z0-9]{1,32}$/;
// Slack's own ids and timestamps most of the time, so that a missing row can be blamed on
// what the failed reply threw.
const channelId = fc.oneof(
  { arbitrary: fc.string({ unit: fc.constantFrom(...'DUC0123456789ABCXYZ'), minLength: 1, maxLength: 32 }), weight: 8 },
  { arbitrary: hostile.text, weight: 1 },
);
const messageTs = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1e9, max: 2e9 }), fc.integer({ min: 0, max: 999_999 }))
      .map(([seconds, micros]) => plain(`${seconds}.${String(micros).padStart(6, '0')}`)),
    weight: 6,
  },
  { arbitrary: fc.constantFrom(null, '', undefined).map(plain), weight: 2 },
  { arbitrary: hostile.textCarrier.map(carried), weight: 2 },
);

/** An error as `@slack/web-api` shapes them, with hostile codes, data, statuses and causes. */
const sdkError: fc.Arbitrary<Planted> = fc
  .record({
    code: fc.oneof(
      fc.constantFrom(
        'slack_webapi_platform_error',
        'slack_webapi_http_error',
        'slack_webapi_rate_limited_error',
        'slack_webapi_request_error',
      ),
      hostile.text,
    ),
    apiError: fc.oneof(
      fc.constantFrom('channel_not_found', 'not_in_channel', 'invalid_auth').map(plain),
      hostile.textCarrier.map(carried),
      hostile.anyValue(),
    ),
    statusCode: fc.oneof(fc.integer({ min: 100, max: 599 }).map(plain), hostile.anyValue()),
    original: hostile.anyValue(),
    message: hostile.textCarrier,
  })
  .map(({ code, apiError, statusCode, original, message }) => ({
    value: Object.assign(new Error(message.text), {
      code,
      data: { ok: false, error: apiError.value, response_metadata: { messages: [message.text] } },
      statusCode: statusCode.value,
      original: original.value,
    }),
    secrets: [...apiError.secrets, ...statusCode.secrets, ...original.secrets, ...message.secrets],
  }));
const thrown: fc.Arbitrary<Planted> = fc.oneof(
  { arbitrary: sdkError, weight: 4 },
  { arbitrary: hostile.textCarrier.map(({ text, secrets }) => ({ value: new Error(text), secrets })), weight: 2 },
  { arbitrary: fc.constantFrom('slack_client_not_configured', 'slack_client_import_error', 'transport:503').map(plain), weight: 1 },
  { arbitrary: hostile.anyValue(['code', 'data', 'statusCode', 'original', 'name', 'message']), weight: 3 },
  // A type name shaped like a credential: a thrown payload's `name`, or a request error's cause.
  {
    arbitrary: fc.tuple(hostile.identifierCarrier, fc.boolean()).map(([{ text, secrets }, asCause]) => ({
      value: asCause ? { code: 'slack_webapi_request_error', original: { name: text } } : { name: text },
      secrets,
    })),
    weight: 1,
  },
);

let capture: CaptureSink;
let checker: OutputChecker;
beforeAll(() => {
  capture = createCaptureSink();
  checker = createOutputChecker(capture, seam);
});
afterAll(async () => {
  await capture.cleanup();
});

// Ten thousand runs take tens of seconds on a loaded machine: time is not what these test.
describe('emitSlackReplyFailed under hostile input', { timeout: 600_000 }, () => {
  it('never throws, writes one line and one valid row, keeps no message and lets no planted secret out', () => {
    fc.assert(
      fc.property(channelId, messageTs, thrown, (channel, ts, error) => {
        const outcome = emitSlackReplyFailed(
          { channelId: channel, messageTs: ts.value as string | null | undefined, error: error.value },
          capture,
        );

        const outputs = checker.checkEmit(outcome, [...ts.secrets, ...error.secrets]);
        // No channel id or reason can read as another field of the line.
        const line = outputs.logLines.find((entry) => entry.msg.startsWith('[kora.slack_dm.reply_failed] '))?.msg ?? '';
        checkLineFields(line, ['channel', 'reason']);

        // Whatever the reply threw, the failure is recorded.
        const session = typeof ts.value === 'string' && ts.value !== '' ? `${channel}:${ts.value}` : null;
        const slackInputsValid =
          CHANNEL_ID.test(channel) && findSecrets(channel).length === 0 && (session === null || redactText(session).text.length <= 256);
        if (slackInputsValid) expect(outcome).toMatchObject({ ok: true });
      }),
      { numRuns: 10_000, seed: 0x736c6b },
    );
    expect(capture.sink.stats().rowsWritten).toBeGreaterThan(5_000);
  });
});
