import { appendFileSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTreeBuilder, generateSealKey, parseCheckpointRecord, privateKeyPem, publicKeyPem, sealPaths } from '@kora/audit-seal';
import type { CheckpointRecord, NoteSigner } from '@kora/audit-seal';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDaemonSealSigner } from './load-daemon-seal-signer.js';
import { startAuditSeal } from './start-audit-seal.js';
import type { AuditSeal } from './start-audit-seal.js';

const HOUR = 3_600_000;
const poll = { timeout: 10_000, interval: 20 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function signer(): NoteSigner {
  return { name: 'daemon-test', privateKey: generateSealKey().privateKey };
}

/** A pino logger captured in memory, and an audit file of the test's own in a temp directory. */
function capture(): CaptureSink {
  const sink = createCaptureSink();
  cleanups.push(() => sink.cleanup());
  return { ...sink, path: join(tempDir(), 'audit.jsonl') };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kora-daemon-seal-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(options: Parameters<typeof startAuditSeal>[0]): Promise<AuditSeal> {
  const seal = await startAuditSeal(options);
  cleanups.push(() => seal.stop());
  return seal;
}

function checkpointsOf(path: string): CheckpointRecord[] {
  return readFileSync(sealPaths(path).checkpoints, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed = parseCheckpointRecord(line);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.value;
    });
}

/** The RFC 6962 root of a file's lines, computed afresh. */
function rootOfLines(path: string): { size: number; root: string } {
  const builder = createTreeBuilder();
  const text = readFileSync(path);
  let start = 0;
  for (let newline = text.indexOf(0x0a); newline >= 0; newline = text.indexOf(0x0a, start)) {
    builder.appendLeaf(text.subarray(start, newline));
    start = newline + 1;
  }
  return { size: builder.size, root: builder.root().toString('base64') };
}

/** Overwrite one byte of the file in place: the same size, a different line. */
function flipByte(path: string, at: number): void {
  const bytes = readFileSync(path);
  const handle = openSync(path, 'r+');
  writeSync(handle, Buffer.from([bytes[at] === 0x61 ? 0x62 : 0x61]), 0, 1, at);
  closeSync(handle);
}

describe('startAuditSeal', () => {
  it('seals the rows as they come, hands each checkpoint to onCheckpoint in order, and tells how far it is behind', async () => {
    const audit = capture();
    const anchored: CheckpointRecord[] = [];
    let now = Date.parse('2026-12-06T10:00:00.000Z');
    appendFileSync(audit.path, '{"first":1}\n{"second":2}\n');
    // One pass at start, then none for an hour: what is written next waits for stop().
    const seal = await start({
      path: audit.path,
      signer: signer(),
      intervalMs: HOUR,
      logger: audit.logger,
      now: () => now,
      onCheckpoint: (record) => void anchored.push(record),
    });
    await expect.poll(async () => (await seal.status()).size, poll).toBe(2);
    const first = await seal.status();
    expect(first).toMatchObject({
      enabled: true,
      state: 'sealing',
      key: expect.stringMatching(/^daemon-test\+[0-9a-f]{8}$/) as string,
      size: 2,
      unsealed_bytes: 0,
      lag_seconds: 0,
      open_check: { result: 'no_checkpoint', size: 0 },
      checkpoints: `${audit.path}.checkpoints`,
    });
    expect(first.origin).toMatch(/^kora-audit\//);
    expect(first).not.toHaveProperty('error');
    expect(first.root).toBe(rootOfLines(audit.path).root);

    const later = '{"third":3}\n';
    appendFileSync(audit.path, later);
    now += 42_000;
    expect(await seal.status()).toMatchObject({ size: 2, unsealed_bytes: Buffer.byteLength(later), lag_seconds: 42 });

    await seal.stop();
    const records = checkpointsOf(audit.path);
    expect(records.map((record) => record.size)).toEqual([2, 3]);
    expect(records.at(-1)?.root).toBe(rootOfLines(audit.path).root);
    expect(anchored).toEqual(records);
    expect(await seal.status()).toMatchObject({ size: 3, unsealed_bytes: 0, lag_seconds: 0 });
  });

  it('checks the file against its newest checkpoint when it starts again', async () => {
    const dir = tempDir();
    const path = join(dir, 'audit.jsonl');
    const key = signer();
    writeFileSync(path, '{"a":1}\n{"b":2}\n{"c":3}\n');
    const logger = capture().logger;
    const before = await startAuditSeal({ path, signer: key, intervalMs: HOUR, logger });
    await before.stop();

    const again = await start({ path, signer: key, intervalMs: HOUR, logger });
    await expect.poll(async () => (await again.status()).open_check?.result, poll).toBe('matched');
    expect((await again.status()).open_check?.size).toBe(3);
  });

  it('fails for good, logged once at error level, when a sealed line changed, and keeps saying so', async () => {
    const audit = capture();
    writeFileSync(audit.path, '{"a":1}\n{"b":2}\n');
    const anchored: CheckpointRecord[] = [];
    const seal = await start({
      path: audit.path,
      signer: signer(),
      intervalMs: 20,
      logger: audit.logger,
      onCheckpoint: (record) => void anchored.push(record),
    });
    await expect.poll(async () => (await seal.status()).size, poll).toBe(2);
    flipByte(audit.path, 3);
    appendFileSync(audit.path, '{"c":3}\n');
    await expect.poll(async () => (await seal.status()).state, poll).toBe('failed');
    const failed = await seal.status();
    expect(failed.error).toMatch(/truncated, replaced or changed within the 16 bytes already sealed/);
    // What was sealed before stays the newest checkpoint; the new line is not signed.
    expect(failed).toMatchObject({ size: 2, unsealed_bytes: 8 });
    await seal.stop();
    expect(checkpointsOf(audit.path).map((record) => record.size)).toEqual([2]);
    expect(anchored.map((record) => record.size)).toEqual([2]);
    const lines = audit.logLines().filter((line) => line.msg.startsWith('[kora.seal.failed]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('error');
    expect(lines[0]?.msg).toContain(`path=${audit.path} reason=`);
  });

  it('starts failed, without refusing to run, when the file no longer matches its newest checkpoint', async () => {
    const dir = tempDir();
    const path = join(dir, 'audit.jsonl');
    const key = signer();
    writeFileSync(path, '{"a":1}\n{"b":2}\n');
    const logger = capture().logger;
    await (await startAuditSeal({ path, signer: key, intervalMs: HOUR, logger })).stop();
    // The seal's state gone and a line changed: rebuilt from the file, the tree no longer has the checkpoint's root.
    unlinkSync(sealPaths(path).state);
    flipByte(path, 3);
    const seal = await start({ path, signer: key, intervalMs: HOUR, logger });
    await expect.poll(async () => (await seal.status()).state, poll).toBe('failed');
    expect(await seal.status()).toMatchObject({ size: 2, open_check: { result: 'mismatch', size: 2 } });
    expect((await seal.status()).error).toMatch(/no longer matches checkpoint 2/);
  });

  it('refuses to start while another sealer holds the file, saying so', async () => {
    const audit = capture();
    await start({ path: audit.path, signer: signer(), intervalMs: HOUR, logger: audit.logger });
    await expect(startAuditSeal({ path: audit.path, signer: signer(), intervalMs: HOUR, logger: audit.logger })).rejects.toThrow(
      /^KORA_AUDIT_SEAL_KEY is set but .* cannot be sealed: .*in use by another sealer/,
    );
  });

  it('logs a failing anchor and keeps sealing', async () => {
    const audit = capture();
    writeFileSync(audit.path, '{"a":1}\n');
    const seal = await start({
      path: audit.path,
      signer: signer(),
      intervalMs: 20,
      logger: audit.logger,
      onCheckpoint: () => Promise.reject(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' })),
    });
    await expect
      .poll(() => audit.logLines().some((line) => line.msg === '[kora.seal.checkpoint_hook_failed] size=1 error=ECONNREFUSED'), poll)
      .toBe(true);
    appendFileSync(audit.path, '{"b":2}\n');
    await expect.poll(async () => (await seal.status()).size, poll).toBe(2);
    expect((await seal.status()).state).toBe('sealing');
  });

  it('seals lines of any bytes a hostile writer put in the file, with the root a fresh tree has', async () => {
    const line = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes.filter((byte) => byte !== 0x0a)));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), async (lines) => {
        const dir = mkdtempSync(join(tmpdir(), 'kora-daemon-seal-hostile-'));
        try {
          const path = join(dir, 'audit.jsonl');
          writeFileSync(path, Buffer.concat(lines.flatMap((bytes) => [bytes, Buffer.from('\n')])));
          const seal = await startAuditSeal({ path, signer: signer(), intervalMs: HOUR, logger: { info: () => {}, warn: () => {} } });
          await seal.stop();
          const status = await seal.status();
          expect(status).toMatchObject({ state: 'sealing', size: lines.length, unsealed_bytes: 0 });
          expect(status.root).toBe(rootOfLines(path).root);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { seed: 6962, numRuns: 25 },
    );
  });
});

describe('loadDaemonSealSigner', () => {
  it('names the variable and the file, never the bytes in it', async () => {
    const dir = tempDir();
    const key = generateSealKey();
    const privatePath = join(dir, 'seal-key.pem');
    writeFileSync(privatePath, privateKeyPem(key.privateKey), { mode: 0o600 });
    await expect(loadDaemonSealSigner(privatePath, 'host-7')).resolves.toMatchObject({ name: 'host-7' });

    const notAKey = join(dir, 'token.txt');
    const secretLike = 'hunter2-not-a-key-but-secret';
    writeFileSync(notAKey, secretLike);
    const publicPath = join(dir, 'seal-key.pub.pem');
    writeFileSync(publicPath, publicKeyPem(key.publicKey));
    const problem = async (path: string): Promise<string> =>
      loadDaemonSealSigner(path, undefined).then(
        () => '',
        (error: unknown) => (error as Error).message,
      );
    expect(await problem(notAKey)).toBe(
      `KORA_AUDIT_SEAL_KEY: ${notAKey}: not a PEM private (PKCS#8) or public (SPKI) key; it must be the private key seal-key.pem from kora-audit keygen`,
    );
    expect(await problem(publicPath)).toMatch(
      new RegExp(`^KORA_AUDIT_SEAL_KEY: ${publicPath}: a public key; sealing needs the private key`),
    );
    expect(await problem(join(dir, 'missing.pem'))).toMatch(/^KORA_AUDIT_SEAL_KEY: .*missing\.pem: cannot read the key file \(ENOENT\)/);
    expect(await problem(dir)).toMatch(/^KORA_AUDIT_SEAL_KEY: .*: (cannot read it \(EISDIR\)|not a regular file)/);
    const halfKey = join(dir, 'half.pem');
    writeFileSync(halfKey, privateKeyPem(key.privateKey).slice(0, 60));
    const message = await problem(halfKey);
    expect(message).toMatch(/^KORA_AUDIT_SEAL_KEY: /);
    expect(message).not.toContain(privateKeyPem(key.privateKey).slice(28, 60));
    expect(await problem(notAKey)).not.toContain(secretLike);
  });
});
