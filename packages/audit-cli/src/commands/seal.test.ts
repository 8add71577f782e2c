import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSealKey, privateKeyPem, publicKeyPem } from '@kora/audit-seal';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, rowsText, waitFor } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));
let next = 0;
const freshPath = (): string => join(root, `audit-${next++}.jsonl`);

const key = generateSealKey();
const keyPath = join(root, 'seal-key.pem');
writeFileSync(keyPath, privateKeyPem(key.privateKey), { mode: 0o600 });
const publicKeyPath = join(root, 'seal-key.pub.pem');
writeFileSync(publicKeyPath, publicKeyPem(key.publicKey));

/** RFC 6962 root of the lines, by its recursive definition. */
function referenceRoot(lines: readonly string[]): string {
  const mth = (part: readonly string[]): Buffer => {
    if (part.length === 1) return createHash('sha256').update(Buffer.of(0)).update(part[0]!).digest();
    let split = 1;
    while (split * 2 < part.length) split *= 2;
    return createHash('sha256')
      .update(Buffer.of(1))
      .update(mth(part.slice(0, split)))
      .update(mth(part.slice(split)))
      .digest();
  };
  return mth(lines).toString('base64');
}

const linesOf = (path: string): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);
const checkpointSizes = (path: string): number[] =>
  readFileSync(`${path}.checkpoints`, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { size: number }).size);

async function seal(args: readonly string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = createTestIo({ cwd: root, signal });
  const code = await main(['seal', ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('kora-audit seal', () => {
  it('seals the file and prints what it did', async () => {
    const path = freshPath();
    writeFileSync(path, rowsText(0, 6));
    const { code, stdout, stderr } = await seal(['--key', 'seal-key.pem', '--path', path, '--origin', 'audit.example.com/log-1']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(summary).toEqual({
      origin: 'audit.example.com/log-1',
      key: expect.stringMatching(/^kora-audit@[^+]+\+[0-9a-f]{8}$/),
      size: 6,
      leaves_added: 6,
      checkpoint: { size: 6, root: referenceRoot(linesOf(path)) },
      checkpoints: `${path}.checkpoints`,
    });

    const again = await seal(['--key', keyPath, '--path', path]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ size: 6, leaves_added: 0, checkpoint: null });
    appendFileSync(path, rowsText(6, 9));
    const more = await seal(['--key', keyPath, '--path', path, '--name', 'audit.example.com/host-7']);
    expect(JSON.parse(more.stdout)).toMatchObject({
      origin: 'audit.example.com/log-1',
      key: expect.stringMatching(/^audit\.example\.com\/host-7\+[0-9a-f]{8}$/),
      size: 9,
      leaves_added: 3,
      checkpoint: { size: 9, root: referenceRoot(linesOf(path)) },
    });
    expect(checkpointSizes(path)).toEqual([6, 9]);
  });

  it.each([
    [[], /--key is required/],
    [['--key', ' '], /--key is required/],
    [['--key', 'seal-key.pub.pem'], /\/\S+\/seal-key\.pub\.pem: a public key; sealing needs the private key/],
    [['--key', 'seal-key.pem', '--interval', '5s'], /--interval: only with --follow/],
    [['--key', 'seal-key.pem', '--follow', '--interval', '10ms'], /--interval: between 100ms and 1h/],
    [['--key', 'seal-key.pem', '--origin', 'two\nlines'], /--origin: must be one line/],
    [['--key', 'missing.pem'], /\/\S+\/missing\.pem: cannot read the key file \(ENOENT\)/],
  ])('refuses %j with exit 2 and a message', async (args, message) => {
    const path = freshPath();
    writeFileSync(path, rowsText(0, 2));
    const { code, stdout, stderr } = await seal([...args, '--path', path]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^kora-audit seal: ${message.source}`));
    expect(stderr.split('\n')).toHaveLength(2);
  });

  it('exits 1 and signs nothing when a sealed line changed', async () => {
    const path = freshPath();
    writeFileSync(path, rowsText(0, 5));
    expect((await seal(['--key', keyPath, '--path', path])).code).toBe(0);
    const before = readFileSync(`${path}.checkpoints`, 'utf8');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text.replace('"seam":"webhook.dead_letter"', '"seam":"webhook.dead_lettex"')}${rowsText(5, 7)}`);
    const { code, stdout, stderr } = await seal(['--key', keyPath, '--path', path]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(
      /^kora-audit seal: \S+ was truncated, replaced or changed within the \d+ bytes already sealed, and no copy of it holds them; run kora-audit verify\n$/,
    );
    expect(readFileSync(`${path}.checkpoints`, 'utf8')).toBe(before);
  });

  it('exits 2 while another sealer holds the file', async () => {
    const path = freshPath();
    writeFileSync(path, rowsText(0, 2));
    writeFileSync(`${path}.seal-state.lock`, `${JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname() })}\n`);
    const { code, stderr } = await seal(['--key', keyPath, '--path', path]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/in use by another sealer/);
  });

  it('exits 130 when interrupted before a one-off pass', async () => {
    const path = freshPath();
    writeFileSync(path, rowsText(0, 2));
    const aborted = new AbortController();
    aborted.abort();
    const { code, stdout } = await seal(['--key', keyPath, '--path', path], aborted.signal);
    expect(code).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ size: 0, leaves_added: 0, checkpoint: null });
  });

  it('--follow keeps sealing rows as they arrive, and stops cleanly with its summary when interrupted', async () => {
    const path = freshPath();
    writeFileSync(path, rowsText(0, 4));
    const stop = new AbortController();
    const running = seal(['--key', keyPath, '--path', path, '--follow', '--interval', '100ms'], stop.signal);
    const sealedTo = (size: number) => (): boolean => {
      try {
        return checkpointSizes(path).at(-1) === size;
      } catch {
        return false;
      }
    };
    await waitFor(sealedTo(4), 20_000);
    appendFileSync(path, rowsText(4, 11));
    await waitFor(sealedTo(11), 20_000);
    stop.abort();
    const { code, stdout, stderr } = await running;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toMatchObject({ size: 11, leaves_added: 11, checkpoint: { size: 11, root: referenceRoot(linesOf(path)) } });
    expect(checkpointSizes(path)).toEqual([4, 11]);
    // The lock is released: another run seals at once.
    expect((await seal(['--key', keyPath, '--path', path])).code).toBe(0);
  });
});
