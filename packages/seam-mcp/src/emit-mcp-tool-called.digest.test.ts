import { randomBytes } from 'node:crypto';
import { createArgsDigester } from '@kora/audit-sink';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { emitMcpToolCalled } from './emit-mcp-tool-called.js';
import type { EmitMcpToolCalledInput } from './emit-mcp-tool-called.js';

// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');
const keyBytes = randomBytes(32);
const key = keyBytes.toString('base64');

const captures: CaptureSink[] = [];
afterEach(async () => {
  await Promise.all(captures.splice(0).map((capture) => capture.cleanup()));
});

function capture(withKey: boolean): CaptureSink {
  const made = createCaptureSink(withKey ? { argsDigester: createArgsDigester({ key }) } : {});
  captures.push(made);
  return made;
}

const call = (args: unknown): EmitMcpToolCalledInput => ({
  toolName: 'kora__create_sea_ticket',
  toolKind: 'mutating',
  callerActorKind: 'claude_pm_isokron',
  args,
  result: 'ok',
});

function emitOne(target: CaptureSink, args: unknown): { details: Record<string, unknown>; line: string } {
  expect(emitMcpToolCalled(call(args), target)).toMatchObject({ ok: true });
  const row = target
    .rows()
    .filter((entry) => entry.seam === 'mcp.tool_called')
    .at(-1);
  const line = target.verbatimLines().at(-1);
  if (row === undefined || line === undefined) throw new Error('no row or no line');
  return { details: row.details, line };
}

describe('emitMcpToolCalled with a digest key', () => {
  it('writes the keyed digest of the arguments in the row and leaves the line as it was', () => {
    const args = { title: 'Disk alarm', priority: 'high', body: 'TOP-SECRET-BODY-TEXT' };
    const keyed = emitOne(capture(true), args);
    const unkeyed = emitOne(capture(false), args);
    const expected = createArgsDigester({ key }).digest({ body: 'TOP-SECRET-BODY-TEXT', priority: 'high', title: 'Disk alarm' });
    expect(expected.ok).toBe(true);
    expect(keyed.details.args_digest).toBe(expected.ok ? expected.digest : '');
    expect(keyed.line).toBe(unkeyed.line);
    expect(unkeyed.details).not.toHaveProperty('args_digest');
  });

  it('tells different arguments apart and writes neither values nor the key anywhere', () => {
    const target = capture(true);
    const first = emitOne(target, { ticket: 'tkt-1', token: slackToken });
    const second = emitOne(target, { ticket: 'tkt-2', token: slackToken });
    expect(first.details.args_digest).not.toBe(second.details.args_digest);
    const everything =
      target.fileText() +
      target
        .logLines()
        .map((entry) => entry.raw)
        .join('\n');
    for (const hidden of [slackToken, 'tkt-1', key, keyBytes.toString('hex'), keyBytes.toString('base64url')]) {
      expect(everything).not.toContain(hidden);
    }
    // The digest is not taken for a credential: nothing was redacted, though a token was an argument value.
    expect(target.sink.stats().redacted).toBe(0);
  });

  it('names why arguments could not be digested and still writes the row', () => {
    const target = capture(true);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(emitOne(target, cyclic).details).toMatchObject({ args_digest_error: 'cyclic', args_keys: ['a', 'self'] });
    expect(emitOne(target, { n: 10n }).details).toMatchObject({ args_digest_error: 'not_json' });
    expect(emitOne(target, { n: Number.NaN }).details).toMatchObject({ args_digest_error: 'not_json' });
  });

  it('writes no digest field for a call without arguments', () => {
    expect(emitOne(capture(true), undefined).details).not.toHaveProperty('args_digest');
    expect(emitOne(capture(true), {}).details.args_digest).toMatch(/^hmac-sha256:[0-9a-f]{8}:/);
  });
});
