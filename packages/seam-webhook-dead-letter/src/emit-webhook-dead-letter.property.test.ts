import { isIP } from 'node:net';
import { findSecrets } from '@kora/audit-sink';
import { checkLineFields, createCaptureSink, createHostileArbitraries, createOutputChecker } from '@kora/audit-sink/testing';
import type { CaptureSink, Carrier, OutputChecker, Planted } from '@kora/audit-sink/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitWebhookDeadLetter } from './emit-webhook-dead-letter.js';
import type { EmitWebhookDeadLetterInput } from './emit-webhook-dead-letter.js';
import { WEBHOOK_HEADER_NAMES } from './summarize-webhook-headers.js';
import { seam } from './webhook-dead-letter.js';

const hostile = createHostileArbitraries(fc);
const plain = (value: unknown): Planted => ({ value, secrets: [] });
const carried = ({ text, secrets }: Carrier): Planted => ({ value: text, secrets });

// What the listener itself decides (which listener, why, when): valid most of the time, so
// that a missing row can be blamed on what the sender controls.
const REASON = /^[A-Za-z0-9_.:-]{1,64}$/;
const reason = fc.oneof(
  { arbitrary: fc.constantFrom('slack_signature_mismatch', 'purelymail_hmac_mismatch', 'body_too_large', 'rate_limited'), weight: 8 },
  { arbitrary: hostile.text, weight: 1 },
);
const timing = fc.oneof(
  { arbitrary: fc.record({ ts: fc.double({ min: 0, max: 4e9, noNaN: true }) }), weight: 6 },
  { arbitrary: fc.record({ receivedAt: fc.date({ min: new Date(0), max: new Date(4e12) }) }), weight: 2 },
  { arbitrary: fc.constant({}), weight: 2 },
  { arbitrary: fc.record({ ts: fc.constantFrom(Number.NaN, -1, Infinity, 1.7e12, -0) }), weight: 1 },
  { arbitrary: fc.record({ receivedAt: fc.constant(new Date(Number.NaN)) }), weight: 1 },
);
const peerIp = fc.oneof(
  fc.ipV4().map(plain),
  fc.ipV6().map(plain),
  fc.constant(plain(null)),
  hostile.textCarrier.map(carried),
  fc.string({ unit: fc.constantFrom(...'abcXYZ09-.:'), maxLength: 70 }).map((zone) => plain(`fe80::1%${zone}`)),
);
const body = fc.oneof(
  hostile.textCarrier.map(carried),
  hostile.textCarrier.map(({ text, secrets }) => ({ value: Buffer.from(text, 'utf8'), secrets })),
  hostile.textCarrier.map(({ text, secrets }) => ({ value: new TextEncoder().encode(text).buffer, secrets })),
  fc.constant(plain(null)),
  hostile.anyValue(),
);

/** A header name: allow-listed (any case) most of the time, so hostile values reach the summary. */
const headerName = fc.oneof(
  { arbitrary: fc.constantFrom(...WEBHOOK_HEADER_NAMES, 'X-Slack-Signature', 'User-Agent', 'Authorization', 'Cookie'), weight: 4 },
  { arbitrary: hostile.textCarrier.map((name) => name.text), weight: 1 },
);
// Signature-shaped values too: a label that swallows the truncation marker after it.
const headerValue = fc.oneof(
  { arbitrary: hostile.textCarrier, weight: 6 },
  {
    arbitrary: fc.constantFrom('password=', 'pwd=', 'secret:', 'Bearer ', 'a@b.', 'v0=').map((text): Carrier => ({ text, secrets: [] })),
    weight: 1,
  },
  {
    // Many short secrets: each grows into a longer marker once redacted.
    arbitrary: fc
      .integer({ min: 1, max: 60 })
      .map((count): Carrier => ({ text: Array.from({ length: count }, (_, index) => `u${index}@b.co`).join(' '), secrets: [] })),
    weight: 1,
  },
  {
    arbitrary: fc
      .string({ unit: fc.constantFrom('\u{1f600}', 'a', ' '), minLength: 200, maxLength: 700 })
      .map((text): Carrier => ({ text, secrets: [] })),
    weight: 1,
  },
);
const headerPairs = fc.array(fc.tuple(headerName, headerValue), { maxLength: 10 });
const headers: fc.Arbitrary<Planted> = fc.oneof(
  {
    arbitrary: headerPairs.map((pairs) => {
      const record: Record<string, unknown> = {};
      for (const [name, value] of pairs)
        Object.defineProperty(record, name, { value: value.text, enumerable: true, configurable: true, writable: true });
      return { value: record, secrets: pairs.flatMap(([, value]) => value.secrets) };
    }),
    weight: 4,
  },
  {
    arbitrary: headerPairs.map((pairs) => ({
      value: pairs.flatMap(([name, value]) => [name, value.text]),
      secrets: pairs.flatMap(([, value]) => value.secrets),
    })),
    weight: 2,
  },
  {
    arbitrary: headerPairs.map((pairs) => ({
      value: pairs.map(([name, value]) => [name, value.text]),
      secrets: pairs.flatMap(([, value]) => value.secrets),
    })),
    weight: 1,
  },
  {
    arbitrary: headerPairs.map((pairs) => ({
      value: new Map(pairs.map(([name, value]) => [name, value.text])),
      secrets: pairs.flatMap(([, value]) => value.secrets),
    })),
    weight: 1,
  },
  { arbitrary: hostile.hostileValue([...WEBHOOK_HEADER_NAMES]), weight: 2 },
  { arbitrary: fc.constant(plain(null)), weight: 1 },
);

const request = fc.record({
  source: fc.oneof({ arbitrary: fc.constantFrom<'slack' | 'email'>('slack', 'email'), weight: 9 }, { arbitrary: hostile.text, weight: 1 }),
  reason,
  timing,
  peerIp,
  requestId: fc.oneof(hostile.textCarrier.map(carried), fc.constantFrom(null, '').map(plain)),
  body,
  bodyBytes: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 8 },
    { arbitrary: fc.nat(), weight: 1 },
    { arbitrary: fc.constantFrom(-1, 1.5, Number.NaN), weight: 1 },
  ),
  headers,
});

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
describe('emitWebhookDeadLetter under hostile input', { timeout: 600_000 }, () => {
  it('never throws, writes one line and one valid row, keeps no body and lets no planted secret out', () => {
    fc.assert(
      fc.property(request, (generated) => {
        const input = {
          source: generated.source,
          reason: generated.reason,
          ...generated.timing,
          peerIp: generated.peerIp.value,
          requestId: generated.requestId.value,
          body: generated.body.value,
          ...(generated.bodyBytes === undefined ? {} : { bodyBytes: generated.bodyBytes }),
          headers: generated.headers.value,
        } as EmitWebhookDeadLetterInput;
        const outcome = emitWebhookDeadLetter(input, capture);

        const outputs = checker.checkEmit(outcome, [
          ...generated.peerIp.secrets,
          ...generated.requestId.secrets,
          ...generated.body.secrets,
          ...generated.headers.secrets,
        ]);
        // Up to the header summary, the last field and the only one with spaces, nothing can
        // read as another field of the line.
        const line = outputs.logLines.find((entry) => entry.msg.startsWith('[kora.webhook.dead_letter] '))?.msg ?? '';
        checkLineFields(line, ['source', 'reason', 'ts', 'peer_ip', 'request_id', 'body_bytes', 'headers'], { spacedLast: true });

        // What the sender controls (address, request id, body, headers) never costs the row.
        const ts =
          'ts' in generated.timing
            ? generated.timing.ts
            : ('receivedAt' in generated.timing ? generated.timing.receivedAt : new Date()).getTime() / 1000;
        const ip = generated.peerIp.value;
        const listenerInputsValid =
          (generated.source === 'slack' || generated.source === 'email') &&
          REASON.test(generated.reason) &&
          findSecrets(generated.reason).length === 0 &&
          Number.isFinite(ts) &&
          ts >= 0 &&
          ts <= 99_999_999_999 &&
          (generated.bodyBytes === undefined || (Number.isInteger(generated.bodyBytes) && generated.bodyBytes >= 0)) &&
          // The socket's address comes from the kernel; only its zone id could be odd.
          (typeof ip !== 'string' || isIP(ip) === 0 || (ip.length <= 64 && findSecrets(ip).length === 0));
        if (listenerInputsValid) expect(outcome).toMatchObject({ ok: true });
      }),
      { numRuns: 10_000, seed: 0x776562 },
    );
    expect(capture.sink.stats().rowsWritten).toBeGreaterThan(5_000);
  });
});
