import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitWebhookDeadLetter } from './emit-webhook-dead-letter.js';
import type { EmitWebhookDeadLetterInput } from './emit-webhook-dead-letter.js';

// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');
const emailAddress = ['ops.person', 'example.com'].join('@');
const signature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

let capture: CaptureSink;
beforeEach(() => {
  capture = createCaptureSink();
});
afterEach(async () => {
  await capture.cleanup();
});

/** The rows of this seam: the file also holds the writer's own audit.* rows. */
function seamRows(): ReturnType<CaptureSink['rows']> {
  return capture.rows().filter((row) => row.seam === 'webhook.dead_letter');
}

describe('emitWebhookDeadLetter', () => {
  it('writes the verbatim line at warn and the row with the body size and header summary', () => {
    const outcome = emitWebhookDeadLetter(
      {
        source: 'slack',
        reason: 'slack_signature_mismatch',
        ts: 1700000004.3125,
        peerIp: '203.0.113.7',
        requestId: 'req-abc',
        body: '{"event":{"text":"BODY-SECRET-TEXT"}}',
        headers: { 'content-type': 'application/json', 'x-slack-signature': signature, authorization: 'Basic AUTH-VALUE' },
      },
      capture,
    );

    expect(outcome.ok).toBe(true);
    const line =
      "[kora.webhook.dead_letter] source=slack reason=slack_signature_mismatch ts=1700000004.312 peer_ip=203.0.113.7 request_id=req-abc body_bytes=37 headers={'content-type': 'application/json', 'x-slack-signature': 'v0=a2114d57b...(truncated)'}";
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
      'webhook.dead_letter 2 true',
    ]);
    expect(seamRows()[0]).toMatchObject({
      seam: 'webhook.dead_letter',
      source: 'slack_dm',
      caller_session_id: null,
      details: {
        source: 'slack',
        reason: 'slack_signature_mismatch',
        ts: 1700000004.3125,
        peer_ip: '203.0.113.7',
        request_id: 'req-abc',
        body_bytes: 37,
        headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=a2114d57b...(truncated)' },
      },
    });
    for (const leaked of ['BODY-SECRET-TEXT', 'AUTH-VALUE', signature]) expect(capture.allOutput()).not.toContain(leaked);
  });

  it('counts body bytes, not characters, and takes bodyBytes when the body was not read', () => {
    emitWebhookDeadLetter({ source: 'email', reason: 'r', ts: 1, body: 'é日' }, capture);
    emitWebhookDeadLetter({ source: 'email', reason: 'r', ts: 1, body: Buffer.from([1, 2, 3, 4]) }, capture);
    emitWebhookDeadLetter({ source: 'email', reason: 'body_too_large', ts: 1, bodyBytes: 10485761 }, capture);
    emitWebhookDeadLetter({ source: 'email', reason: 'r', ts: 1 }, capture);
    expect(seamRows().map((row) => row.details.body_bytes)).toEqual([5, 4, 10485761, undefined]);
    expect(capture.verbatimLines()[3]).toContain(' body_bytes=- ');
  });

  it('records the status answered only as an HTTP status, dropping anything else and never the row', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 100, max: 599 }),
          fc.integer(),
          fc.double(),
          fc.constantFrom(null, undefined, 99, 600, 401.5, Number.NaN),
        ),
        (status) => {
          const outcome = emitWebhookDeadLetter({ source: 'slack', reason: 'r', ts: 1, status: status }, capture);
          expect(outcome).toMatchObject({ ok: true });
          const kept = typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
          expect(seamRows().at(-1)?.details.status).toBe(kept ? status : undefined);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('maps the webhook source to the envelope source', () => {
    emitWebhookDeadLetter({ source: 'slack', reason: 'r', ts: 1 }, capture);
    emitWebhookDeadLetter({ source: 'email', reason: 'r', ts: 1 }, capture);
    expect(seamRows().map((row) => row.source)).toEqual(['slack_dm', 'email']);
  });

  it('drops an empty or unparseable peer address and an empty request id, keeping the row', () => {
    for (const peerIp of ['', 'unknown', null]) {
      emitWebhookDeadLetter({ source: 'slack', reason: 'missing_signature', ts: 1, peerIp, requestId: '' }, capture);
    }
    expect(seamRows()).toHaveLength(3);
    for (const row of seamRows()) expect(Object.keys(row.details)).toEqual(['source', 'reason', 'ts', 'headers']);
    for (const line of capture.verbatimLines()) expect(line).toContain(' peer_ip=- request_id=- ');
  });

  it('keeps the row when the request id carries spaces or control characters', () => {
    const outcome = emitWebhookDeadLetter({ source: 'slack', reason: 'r', ts: 1, requestId: 'a b\nc' }, capture);
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details.request_id).toBe(String.raw`a\x20b\x0ac`);
  });

  it('takes ts from receivedAt, else from now', () => {
    emitWebhookDeadLetter({ source: 'slack', reason: 'r', receivedAt: new Date(1700000001500) }, capture);
    const before = Date.now() / 1000;
    emitWebhookDeadLetter({ source: 'slack', reason: 'r' }, capture);
    const [first, second] = seamRows();
    expect(first?.details.ts).toBe(1700000001.5);
    expect(capture.verbatimLines()[0]).toContain(' ts=1700000001.500 ');
    expect(second?.details.ts).toBeGreaterThanOrEqual(before);
  });

  it('redacts a Slack token or an e-mail address passed in any field from both outputs', () => {
    const outcome = emitWebhookDeadLetter(
      {
        source: 'email',
        reason: 'purelymail_hmac_mismatch',
        ts: 1,
        requestId: emailAddress,
        headers: [
          ['User-Agent', `mailer ${slackToken}`],
          ['X-Forwarded-For', emailAddress],
        ],
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(capture.allOutput()).not.toContain(slackToken);
    expect(capture.allOutput()).not.toContain(emailAddress);
    expect(seamRows()[0]?.details).toMatchObject({
      request_id: '[REDACTED:email-address]',
      headers: { 'user-agent': 'mailer [REDACTED:slack-bot-token]', 'x-forwarded-for': '[REDACTED:email-address]' },
    });
    expect(capture.verbatimLines()[0]).toContain("'user-agent': 'mailer [REDACTED:slack-bot-token]'");
  });

  it('writes the row when a pattern-checked field turns out to hold a secret, with the marker in its place', () => {
    // An AWS key id fits the reason's alphabet; its marker does not.
    const awsKeyId = ['AKIA', 'Q3EGRV7XJ5LT2KMN'].join('');
    const outcome = emitWebhookDeadLetter({ source: 'slack', reason: awsKeyId, ts: 1 }, capture);

    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details).toMatchObject({ reason: '[REDACTED:aws-access-key-id]' });
    expect(capture.warnings()).toEqual(['[kora.audit.redacted] seam=webhook.dead_letter rules=aws-access-key-id paths=details.reason']);
    expect(capture.allOutput()).not.toContain(awsKeyId);
  });

  it('keeps the row whatever secrets the sender packs into a signature, a header or the request id', () => {
    const addresses = Array.from({ length: 40 }, (_, index) => `u${index}@b.co`).join(' ');
    const outcome = emitWebhookDeadLetter(
      {
        source: 'slack',
        reason: 'slack_signature_mismatch',
        ts: 1,
        requestId: addresses,
        headers: {
          'x-slack-signature': 'password=abc',
          'user-agent': addresses,
          'x-forwarded-for': `${'\u{1f600}'.repeat(250)} ${addresses}`,
        },
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details.headers).toMatchObject({ 'x-slack-signature': '...(truncated)' });
  });

  it('has no size for a body it cannot inspect', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const outcome = emitWebhookDeadLetter({ source: 'slack', reason: 'r', ts: 1, body: proxy as unknown as Uint8Array }, capture);
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details).not.toHaveProperty('body_bytes');
  });

  it('refuses text in the count field: the row is skipped as invalid_details', () => {
    const input = { source: 'slack', reason: 'r', ts: 1, bodyBytes: 'hello' } as unknown as EmitWebhookDeadLetterInput;
    const outcome = emitWebhookDeadLetter(input, capture);
    expect(outcome).toEqual({ ok: false, reason: 'invalid_details' });
    // The refused row took a sequence number: its writer's opened row and the loss row naming it wait for the writer's next write.
    expect(capture.allRows()).toEqual([]);
    expect(capture.sink.stats().writer).toMatchObject({ seq: 2, lost: { invalid_details: 1 } });
    expect(capture.warnings()[0]).toMatch(/^\[kora\.audit\.skipped\] seam=webhook\.dead_letter reason=invalid_details/);
    expect(capture.warnings()[0]).not.toContain('hello');
  });

  it('refuses epoch milliseconds passed as ts', () => {
    const outcome = emitWebhookDeadLetter({ source: 'slack', reason: 'r', ts: 1700000000123 }, capture);
    expect(outcome).toEqual({ ok: false, reason: 'invalid_details' });
  });

  it('audits a request rejected by a real HTTP listener from its raw headers and body', async () => {
    const requestBody = JSON.stringify({ event: { text: 'HELLO-FROM-SLACK' } });
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        emitWebhookDeadLetter(
          {
            source: 'slack',
            reason: 'slack_signature_mismatch',
            receivedAt: new Date(),
            peerIp: request.socket.remoteAddress,
            body: Buffer.concat(chunks),
            headers: request.rawHeaders,
          },
          capture,
        );
        response.writeHead(401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Slack-Signature': signature,
          'X-Slack-Request-Timestamp': '1700000000',
          Authorization: `Bearer ${slackToken}`,
          Cookie: 'session=COOKIE-VALUE',
        },
        body: requestBody,
      });
      expect(response.status).toBe(401);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    const details = seamRows()[0]?.details;
    expect(details).toMatchObject({ peer_ip: '127.0.0.1', body_bytes: Buffer.byteLength(requestBody) });
    expect(Object.keys(details?.headers as object).sort()).toEqual(
      ['content-length', 'content-type', 'user-agent', 'x-slack-request-timestamp', 'x-slack-signature'].sort(),
    );
    for (const leaked of ['HELLO-FROM-SLACK', 'COOKIE-VALUE', slackToken, signature]) {
      expect(capture.allOutput()).not.toContain(leaked);
    }
  });
  it('writes C1, separator and bidi controls of a header as \\u escapes on disk, and as Python repr escapes in the line', () => {
    const userAgent = 'bot\x9b[2J nel\u0085 ls\u2028 rlo\u202e lri\u2066 alm\u061c';
    const outcome = emitWebhookDeadLetter(
      {
        source: 'slack',
        reason: 'slack_signature_mismatch',
        ts: 1,
        headers: [
          ['User-Agent', userAgent],
          ['X-Forwarded-For', '198.51.100.4\u200f'],
        ],
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    const bytes = readFileSync(capture.path);
    expect(bytes.every((byte) => byte < 0x80)).toBe(true);
    expect(bytes.toString('latin1')).toContain(
      String.raw`"user-agent":"bot\u009b[2J nel\u0085 ls\u2028 rlo\u202e lri\u2066 alm\u061c","x-forwarded-for":"198.51.100.4\u200f"`,
    );
    expect(seamRows()[0]?.details.headers).toEqual({ 'user-agent': userAgent, 'x-forwarded-for': '198.51.100.4\u200f' });
    expect(capture.verbatimLines()[0]).toContain(
      String.raw`headers={'user-agent': 'bot\x9b[2J nel\x85 ls\u2028 rlo\u202e lri\u2066 alm\u061c', 'x-forwarded-for': '198.51.100.4\u200f'}`,
    );
  });

  it('writes the raw bytes of a header a real HTTP listener received as \\u escapes on disk', async () => {
    // Node reads header bytes 0x80-0xff as latin1: a CSI byte arrives as U+009B.
    const server = createServer((request, response) => {
      emitWebhookDeadLetter({ source: 'email', reason: 'purelymail_hmac_mismatch', ts: 1, headers: request.rawHeaders }, capture);
      response.writeHead(401, { connection: 'close' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      socket.end(
        Buffer.concat([
          Buffer.from('POST /email HTTP/1.1\r\nHost: x\r\nUser-Agent: a'),
          Buffer.from([0x9b, 0x32, 0x4a, 0x85, 0xe2, 0x80, 0xae]),
          Buffer.from('z\r\nContent-Length: 0\r\n\r\n'),
        ]),
      );
      const reply = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
        socket.on('close', () => resolve(text));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 401/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // The UTF-8 of U+202E arrives as â, a C1 control and ®: the control is escaped, the letters are not.
    const text = readFileSync(capture.path, 'utf8');
    expect(text).not.toMatch(/[\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain(String.raw`"user-agent":"a\u009b2J\u0085â\u0080®z"`);
    expect(seamRows()[0]?.details.headers).toMatchObject({ 'user-agent': 'a\x9b2J\x85\xe2\x80\xaez' });
  });
});
