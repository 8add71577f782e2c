import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTreeBuilder, parseCheckpoint, parseCheckpointRecord, parseVerifierKey, verifyNote } from '@kora/audit-seal';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCallerToken } from './mcp/callers-file.js';

const run = promisify(execFile);
const daemonRoot = new URL('..', import.meta.url).pathname;
const cliBin = new URL('../../../packages/audit-cli/src/bin.ts', import.meta.url).pathname;
const tsxNode = ['--import', 'tsx', '--conditions=@kora/source'];
const operatorToken = 'operator-token-for-the-sealing-test';
const callerToken = 'caller-token-for-the-sealing-test';
const poll = { timeout: 20_000, interval: 100 };
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
// Its own event table, so that its checkpoints are the only ones there.
const table = `kora_sealing_e2e_${process.pid}`;

interface SealView {
  enabled: boolean;
  state: string;
  origin: string | null;
  key: string | null;
  size: number;
  last_checkpoint_at: string | null;
  lag_seconds: number;
  unsealed_bytes: number;
  open_check: { result: string; size: number } | null;
  error?: string;
}

/** The daemon as an operator runs it: `main.ts` in its own process, with the given environment. */
function startDaemon(env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [...tsxNode, 'src/main.ts'], { cwd: daemonRoot, env: { PATH: process.env.PATH, ...env } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+) /.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`daemon exited early with ${String(code)}`)));
  });
  return { child, url, output: () => stdout };
}

/** The lines of a file without their newlines, as bytes: the tree's leaves. */
function leavesOf(path: string): Buffer[] {
  const bytes = readFileSync(path);
  const lines: Buffer[] = [];
  let start = 0;
  for (let newline = bytes.indexOf(0x0a); newline >= 0; newline = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, newline));
    start = newline + 1;
  }
  return lines;
}

describe('the daemon sealing its audit file', () => {
  let home: string;
  let auditPath: string;
  let daemon: ReturnType<typeof startDaemon>;
  let url: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'kora-daemon-sealing-'));
    auditPath = join(home, 'kora_audit_log.jsonl');
    // The key as an operator makes it.
    await run(process.execPath, [...tsxNode, cliBin, 'keygen', '--out', join(home, 'keys'), '--name', 'audit.example.test/daemon-1'], {
      cwd: daemonRoot,
    });
    writeFileSync(
      join(home, 'callers.json'),
      JSON.stringify({
        callers: [{ name: 'ops', token_sha256: hashCallerToken(callerToken), actor_kind: 'ops_cli', capabilities: ['ops:read'] }],
      }),
    );
    daemon = startDaemon({
      KORA_DAEMON_PORT: '0',
      KORA_OPERATOR_TOKEN: operatorToken,
      KORA_CALLERS_FILE: join(home, 'callers.json'),
      KORA_HOME: home,
      KORA_AUDIT_SEAL_KEY: join(home, 'keys', 'seal-key.pem'),
      KORA_AUDIT_SEAL_INTERVAL_MS: '100',
      KORA_DATABASE_URL: DATABASE_URL,
      KORA_SUBSTRATE_TABLE: table,
    });
    url = await daemon.url;
  }, 60_000);
  afterAll(async () => {
    if (daemon.child.exitCode === null) {
      await new Promise((resolve) => {
        daemon.child.once('exit', resolve);
        daemon.child.kill('SIGTERM');
      });
    }
    rmSync(home, { recursive: true, force: true });
    const cleanup = new pg.Client({ connectionString: DATABASE_URL });
    await cleanup.connect();
    await cleanup.query(`DROP TABLE IF EXISTS ${table}, ${table}_checkpoints`);
    await cleanup.end();
  });

  const callTool = async (): Promise<number> =>
    (
      await fetch(`${url}/mcp`, {
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
          params: { name: 'kora__get_operational_state', arguments: {} },
        }),
      })
    ).status;
  const health = async (): Promise<{ ok: boolean; audit: { seal: SealView } }> =>
    (await (await fetch(`${url}/healthz`, { headers: { authorization: `Bearer ${operatorToken}` } })).json()) as {
      ok: boolean;
      audit: { seal: SealView };
    };

  it('signs checkpoints covering the rows it writes, verifiable with the public key, with the root of the file’s lines', async () => {
    for (let call = 0; call < 3; call += 1) expect(await callTool()).toBe(200);
    // The writer's opened row and the three tool calls.
    const written = leavesOf(auditPath).length;
    expect(written).toBe(4);
    await expect.poll(async () => (await health()).audit.seal.size, poll).toBeGreaterThanOrEqual(written);
    const seal = (await health()).audit.seal;
    expect(seal).toMatchObject({
      enabled: true,
      state: 'sealing',
      key: expect.stringMatching(/^audit\.example\.test\/daemon-1\+[0-9a-f]{8}$/) as string,
      unsealed_bytes: 0,
      lag_seconds: 0,
      open_check: { result: 'no_checkpoint', size: 0 },
    });

    const records = readFileSync(`${auditPath}.checkpoints`, 'utf8').trimEnd().split('\n');
    const parsed = parseCheckpointRecord(records.at(-1)!);
    if (!parsed.ok) throw new Error(parsed.error);
    const record = parsed.value;
    const verifierKey = parseVerifierKey(readFileSync(join(home, 'keys', 'seal-key.vkey'), 'utf8').trim());
    if (!verifierKey.ok) throw new Error(verifierKey.error);
    const verified = verifyNote(record.note, [verifierKey.value]);
    if (!verified.ok) throw new Error(verified.error);
    expect(verified.verified.map((signature) => signature.name)).toEqual(['audit.example.test/daemon-1']);
    const checkpoint = parseCheckpoint(verified.text);
    if (!checkpoint.ok) throw new Error(checkpoint.error);

    // The tree afresh, over the file's lines as they are now.
    const builder = createTreeBuilder();
    for (const line of leavesOf(auditPath).slice(0, checkpoint.value.size)) builder.appendLeaf(line);
    expect(checkpoint.value.size).toBe(seal.size);
    expect(checkpoint.value.origin).toBe(seal.origin);
    expect(Buffer.from(checkpoint.value.root).toString('base64')).toBe(builder.root().toString('base64'));
    expect(record.root).toBe(builder.root().toString('base64'));

    // Anchored off the host: the same checkpoint, byte for byte, in the database's checkpoint table.
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const anchored = async (): Promise<{ size: string; root: string; note: string }[]> =>
        (
          await client.query<{ size: string; root: string; note: string }>(
            `SELECT size::text AS size, root, note FROM ${table}_checkpoints WHERE origin = $1 ORDER BY size DESC LIMIT 1`,
            [record.origin],
          )
        ).rows;
      await expect.poll(async () => Number((await anchored())[0]?.size ?? -1), poll).toBeGreaterThanOrEqual(record.size);
      const [newest] = await anchored();
      if (Number(newest?.size) === record.size) expect(newest).toEqual({ size: String(record.size), root: record.root, note: record.note });
    } finally {
      await client.end();
    }
  }, 60_000);

  it('shows a failed seal, logged once, and keeps serving when a sealed line is changed', async () => {
    const handle = openSync(auditPath, 'r+');
    writeSync(handle, 'X', 2);
    closeSync(handle);
    expect(await callTool()).toBe(200);
    await expect.poll(async () => (await health()).audit.seal.state, poll).toBe('failed');
    const view = await health();
    expect(view.ok).toBe(true);
    expect(view.audit.seal.error).toMatch(/truncated, replaced or changed within the \d+ bytes already sealed/);
    expect(view.audit.seal.unsealed_bytes).toBeGreaterThan(0);
    // Still serving, still writing rows; nothing more is signed.
    expect(await callTool()).toBe(200);
    const failed = daemon
      .output()
      .split('\n')
      .filter((line) => line.includes('[kora.seal.failed]'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(failed).toHaveLength(1);
    expect(failed[0]?.level).toBe(50);
    expect(failed[0]?.msg).toMatch(/reason=.*run kora-audit verify/);
    const exitCode = await new Promise<number | null>((resolve) => {
      daemon.child.once('exit', resolve);
      daemon.child.kill('SIGTERM');
    });
    expect(exitCode).toBe(0);
  }, 60_000);
});

describe('the daemon with a bad seal key', () => {
  it('refuses to start, naming the variable and the file, never what is in it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kora-daemon-badkey-'));
    try {
      writeFileSync(join(home, 'callers.json'), JSON.stringify({ callers: [] }));
      const keyPath = join(home, 'seal-key.pem');
      const inside = 'not-a-key-but-private-hunter2';
      writeFileSync(keyPath, `-----BEGIN PRIVATE KEY-----\n${inside}\n-----END PRIVATE KEY-----\n`);
      const failure = await run(process.execPath, [...tsxNode, 'src/main.ts'], {
        cwd: daemonRoot,
        env: {
          PATH: process.env.PATH,
          KORA_DAEMON_PORT: '0',
          KORA_OPERATOR_TOKEN: operatorToken,
          KORA_CALLERS_FILE: join(home, 'callers.json'),
          KORA_HOME: home,
          KORA_AUDIT_SEAL_KEY: keyPath,
        },
      }).then(
        () => undefined,
        (error: unknown) => error as { code: number; stdout: string; stderr: string },
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr.trimEnd().split('\n')).toEqual([
        `kora-daemon: KORA_AUDIT_SEAL_KEY: ${keyPath}: not a PEM private (PKCS#8) or public (SPKI) key; it must be the private key seal-key.pem from kora-audit keygen`,
      ]);
      expect(`${failure?.stdout ?? ''}${failure?.stderr ?? ''}`).not.toContain(inside);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 30_000);
});
