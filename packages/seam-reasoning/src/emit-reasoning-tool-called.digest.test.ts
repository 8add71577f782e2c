import { randomBytes } from 'node:crypto';
import { createArgsDigester } from '@kora/audit-sink';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { emitReasoningToolCalled } from './emit-reasoning-tool-called.js';

// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');
const keyBytes = randomBytes(32);
const key = keyBytes.toString('base64');

const captures: CaptureSink[] = [];
afterEach(async () => {
  await Promise.all(captures.splice(0).map((capture) => capture.cleanup()));
});

function capture(withKey: boolean): CaptureSink {
  const made = createCaptureSink(withKey ? { argsDigester: createArgsDigester({ key, keyId: 'reasoning-2026' }) } : {});
  captures.push(made);
  return made;
}

function emitOne(target: CaptureSink, args: unknown): { details: Record<string, unknown>; line: string } {
  const outcome = emitReasoningToolCalled(
    { toolName: 'kora__update_ticket', triggeredBy: 'slack_dm', durationMs: 12, status: 'ok', args, callerSessionId: 'D1:1700000000.1' },
    target,
  );
  expect(outcome).toMatchObject({ ok: true });
  const row = target
    .rows()
    .filter((entry) => entry.seam === 'reasoning.tool_called')
    .at(-1);
  const line = target.verbatimLines().at(-1);
  if (row === undefined || line === undefined) throw new Error('no row or no line');
  return { details: row.details, line };
}

describe('emitReasoningToolCalled with a digest key', () => {
  it("writes the keyed digest of the tool's input in the row and leaves the line as it was", () => {
    const args = { ticket_id: 'tkt-7', status: 'closed', note: 'customer said thanks' };
    const keyed = emitOne(capture(true), args);
    const unkeyed = emitOne(capture(false), args);
    const expected = createArgsDigester({ key, keyId: 'reasoning-2026' }).digest({
      note: 'customer said thanks',
      status: 'closed',
      ticket_id: 'tkt-7',
    });
    expect(keyed.details.args_digest).toBe(expected.ok ? expected.digest : 'not digested');
    expect(keyed.details.args_digest).toMatch(/^hmac-sha256:reasoning-2026:/);
    expect(keyed.line).toBe(unkeyed.line);
    expect(unkeyed.details).not.toHaveProperty('args_digest');
  });

  it('writes neither the input nor the key anywhere, and the digest is not redacted', () => {
    const target = capture(true);
    const first = emitOne(target, { token: slackToken, n: 1 });
    const second = emitOne(target, { token: slackToken, n: 2 });
    expect(first.details.args_digest).not.toBe(second.details.args_digest);
    const everything =
      target.fileText() +
      target
        .logLines()
        .map((entry) => entry.raw)
        .join('\n');
    for (const hidden of [slackToken, key, keyBytes.toString('hex'), keyBytes.toString('base64url')])
      expect(everything).not.toContain(hidden);
    expect(target.sink.stats().redacted).toBe(0);
  });

  it('names why an input could not be digested and writes no field without an input', () => {
    const target = capture(true);
    expect(emitOne(target, { when: new Date(0) }).details).toMatchObject({ args_digest_error: 'not_json' });
    expect(emitOne(target, undefined).details).not.toHaveProperty('args_digest_error');
    expect(emitOne(target, undefined).details).not.toHaveProperty('args_digest');
  });
});
