import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createArgsDigester, createAuditSink } from '@kora/audit-sink';
import { emitMcpToolCalled } from '@kora/seam-mcp';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));
const key = randomBytes(32).toString('base64');
const otherKey = randomBytes(32).toString('base64');
const silent = { info: () => undefined, warn: () => undefined };

/** Emit one MCP tool call with `args` through a sink keyed with `key`, and read back its row's digest. */
async function digestInRow(args: unknown): Promise<string> {
  const path = join(root, `audit-${randomBytes(4).toString('hex')}.jsonl`);
  const sink = createAuditSink({
    path,
    logger: silent,
    flushOnExit: false,
    reopenOnHangup: false,
    argsDigester: createArgsDigester({ key }),
  });
  expect(
    emitMcpToolCalled(
      { toolName: 'kora__update_ticket', toolKind: 'mutating', callerActorKind: 'operator', args, result: 'ok' },
      { sink, logger: silent },
    ),
  ).toMatchObject({ ok: true });
  await sink.close();
  const row = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { seam: string; details: { args_digest?: string } })
    .find((entry) => entry.seam === 'mcp.tool_called');
  if (row?.details.args_digest === undefined) throw new Error('the row has no args_digest');
  return row.details.args_digest;
}

async function hash(
  args: readonly string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo({ env, cwd: root, ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }) });
  const code = await main(['hash', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('hash', () => {
  it('prints the digest the row holds for the same arguments under the same key, in any key order', async () => {
    const inRow = await digestInRow({ ticket_id: 'tkt-9', status: 'closed', fields: { priority: 2, tags: ['a', 'é'] } });
    // The real executable, reading the key from the environment.
    const cli = await runCli(
      ['hash', '--args', '{"status":"closed","fields":{"tags":["a","\\u00e9"],"priority":2.0},"ticket_id":"tkt-9"}'],
      {
        KORA_AUDIT_HMAC_KEY: key,
      },
    );
    expect(cli).toEqual({ code: 0, stdout: `${inRow}\n`, stderr: '' });
  });

  it('prints another digest for other arguments or another key', async () => {
    const inRow = await digestInRow({ ticket_id: 'tkt-9', status: 'closed' });
    const keyFile = join(root, 'key.b64');
    writeFileSync(keyFile, `${key}\n`);
    const otherKeyFile = join(root, 'other-key.b64');
    writeFileSync(otherKeyFile, otherKey);
    expect((await hash(['--args', '{"ticket_id":"tkt-9","status":"closed"}', '--key-file', keyFile])).out).toBe(`${inRow}\n`);
    expect((await hash(['--args', '{"ticket_id":"tkt-9","status":"open"}', '--key-file', keyFile])).out).not.toBe(`${inRow}\n`);
    expect((await hash(['--args', '{"ticket_id":"tkt-9","status":"closed"}', '--key-file', otherKeyFile])).out).not.toBe(`${inRow}\n`);
  });

  it('reads the arguments from standard input with --args -', async () => {
    const inRow = await digestInRow([1, 'two', null]);
    expect(await hash(['--args', '-'], { KORA_AUDIT_HMAC_KEY: key }, ' [1, "two", null]\n')).toEqual({
      code: 0,
      out: `${inRow}\n`,
      err: '',
    });
  });

  it('names the key by --key-id, or by KORA_AUDIT_HMAC_KEY_ID with the variable’s key', async () => {
    const env = { KORA_AUDIT_HMAC_KEY: key, KORA_AUDIT_HMAC_KEY_ID: 'audit-2026' };
    expect((await hash(['--args', '{}'], env)).out).toMatch(/^hmac-sha256:audit-2026:[A-Za-z0-9_-]{43}\n$/);
    expect((await hash(['--args', '{}', '--key-id', 'k1'], env)).out).toMatch(/^hmac-sha256:k1:/);
    expect((await hash(['--args', '{}'], { KORA_AUDIT_HMAC_KEY: key })).out).toMatch(/^hmac-sha256:[0-9a-f]{8}:/);
  });

  it('refuses a missing, short or malformed key and arguments that are not JSON, printing neither', async () => {
    const shortKey = randomBytes(16).toString('base64');
    const secretText = 'hunter2-not-json {';
    const cases: [readonly string[], Record<string, string>, RegExp][] = [
      [['--args', '{}'], {}, /no key: pass --key-file FILE or set KORA_AUDIT_HMAC_KEY/],
      [['--args', '{}'], { KORA_AUDIT_HMAC_KEY: shortKey }, /KORA_AUDIT_HMAC_KEY: key must decode to at least 32 bytes/],
      [['--args', '{}'], { KORA_AUDIT_HMAC_KEY: `${key}!` }, /key must be base64/],
      [['--args', secretText], { KORA_AUDIT_HMAC_KEY: key }, /--args is not valid JSON/],
      [['--args', '{}', '--key-id', 'two words'], { KORA_AUDIT_HMAC_KEY: key }, /the key id must be/],
      [[], { KORA_AUDIT_HMAC_KEY: key }, /--args JSON is required/],
    ];
    for (const [args, env, message] of cases) {
      const result = await hash(args, env);
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toMatch(message);
      for (const hidden of [key, shortKey, secretText]) expect(result.err).not.toContain(hidden);
    }
  });

  it('makes rows that kora-audit scan finds clean: a digest is not taken for a credential', async () => {
    const path = join(root, 'scan-digests.jsonl');
    const sink = createAuditSink({
      path,
      logger: silent,
      flushOnExit: false,
      reopenOnHangup: false,
      argsDigester: createArgsDigester({ key }),
    });
    for (let n = 0; n < 200; n++) {
      emitMcpToolCalled(
        {
          toolName: 'kora__list_tickets',
          toolKind: 'read',
          callerActorKind: 'operator',
          args: { n, cursor: randomBytes(12).toString('hex') },
          result: 'ok',
        },
        { sink, logger: silent },
      );
    }
    await sink.close();
    expect(readFileSync(path, 'utf8').match(/"args_digest":"hmac-sha256:/g)).toHaveLength(200);
    const io = createTestIo({ cwd: root });
    expect(await main(['scan', path], io)).toBe(0);
  });

  it('refuses arguments nested too deep to digest', async () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    expect(await hash(['--args', deep], { KORA_AUDIT_HMAC_KEY: key })).toMatchObject({
      code: 2,
      err: expect.stringMatching(/cannot be digested: too_deep/) as unknown,
    });
  });
});
