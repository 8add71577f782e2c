import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditEnvelope } from '@kora/audit-sink';
import { afterAll, describe, expect, it } from 'vitest';
import { hashCallerToken } from './mcp/callers-file.js';

const run = promisify(execFile);
const daemonRoot = new URL('..', import.meta.url).pathname;
const cliRoot = new URL('../../../packages/audit-cli/', import.meta.url).pathname;
const tsxNode = ['--import', 'tsx', '--conditions=@kora/source'];
const home = mkdtempSync(join(tmpdir(), 'kora-digest-test-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const key = randomBytes(32).toString('base64');
const callerToken = 'caller-token-for-the-digest-test';

/** `kora-audit hash` as an investigator runs it: the real executable, the key in its environment. */
async function kora(args: readonly string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [...tsxNode, 'src/bin.ts', 'hash', ...args], {
    cwd: cliRoot,
    env: { PATH: process.env.PATH, ...env },
  });
  return stdout.trimEnd();
}

describe('the daemon with KORA_AUDIT_HMAC_KEY', () => {
  it('writes the args_digest of an MCP tool call that kora-audit hash reproduces from the arguments', async () => {
    writeFileSync(
      join(home, 'callers.json'),
      JSON.stringify({
        callers: [
          { name: 'pm', token_sha256: hashCallerToken(callerToken), actor_kind: 'claude_pm_isokron', capabilities: ['tickets:read'] },
        ],
      }),
    );
    const child = spawn(process.execPath, [...tsxNode, 'src/main.ts'], {
      cwd: daemonRoot,
      env: {
        PATH: process.env.PATH,
        KORA_DAEMON_PORT: '0',
        KORA_OPERATOR_TOKEN: 'operator-token-0123456789',
        KORA_CALLERS_FILE: join(home, 'callers.json'),
        KORA_HOME: home,
        KORA_AUDIT_HMAC_KEY: key,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/\S+) /.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`daemon exited early with ${String(code)}: ${output}`)));
    });
    const response = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${callerToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'kora__list_tickets', arguments: { limit: 1 } },
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    const exitCode = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(exitCode).toBe(0);

    const auditText = readFileSync(join(home, 'kora_audit_log.jsonl'), 'utf8');
    const row = auditText
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEnvelope)
      .find((entry) => entry.seam === 'mcp.tool_called');
    expect(row?.details).toMatchObject({ tool_name: 'kora__list_tickets', args_keys: ['limit'] });
    const digest = row?.details.args_digest;
    expect(digest).toMatch(/^hmac-sha256:[0-9a-f]{8}:[A-Za-z0-9_-]{43}$/);

    // The same arguments, spelt differently, give the row's digest; others, or another key, do not.
    expect(await kora(['--args', '{ "limit": 1.0 }'], { KORA_AUDIT_HMAC_KEY: key })).toBe(digest);
    expect(await kora(['--args', '{"limit":2}'], { KORA_AUDIT_HMAC_KEY: key })).not.toBe(digest);
    expect(await kora(['--args', '{"limit":1}'], { KORA_AUDIT_HMAC_KEY: randomBytes(32).toString('base64') })).not.toBe(digest);
    // The key is in neither the audit file nor the daemon's output.
    expect(auditText).not.toContain(key);
    expect(output).not.toContain(key);
    expect(output).toContain('[kora.mcp.tool_called] tool=kora__list_tickets caller_actor_kind=claude_pm_isokron args_keys=');
  }, 60_000);

  it('refuses to start with a key too short, naming the variable and not its value', async () => {
    const shortKey = randomBytes(16).toString('base64');
    const failure = await run(process.execPath, [...tsxNode, 'src/main.ts'], {
      cwd: daemonRoot,
      env: {
        PATH: process.env.PATH,
        KORA_OPERATOR_TOKEN: 'operator-token-0123456789',
        KORA_CALLERS_FILE: join(home, 'callers.json'),
        KORA_HOME: home,
        KORA_AUDIT_HMAC_KEY: shortKey,
      },
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/^kora-daemon: invalid configuration: KORA_AUDIT_HMAC_KEY is not a valid value\n$/);
    expect(`${failure?.stdout}${failure?.stderr}`).not.toContain(shortKey);
  }, 30_000);
});
