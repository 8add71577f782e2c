import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadSealKey, parseVerifierKey, signNote, verifyNote } from '@kora/audit-seal';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../__fixtures__/cli-harness.js';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));
let next = 0;
const freshDir = (): string => join(root, `keys-${next++}`, 'nested');
const mode = (path: string): number => statSync(path).mode & 0o777;

function openssl(args: readonly string[]): { status: number | null; stderr: string } {
  return spawnSync('openssl', args, { encoding: 'utf8' });
}

describe('keygen', () => {
  it('writes a private key 0600, its public key and verifier key, in a new directory 0700, and prints no secret', async () => {
    const dir = freshDir();
    const { code, stdout, stderr } = await runCli(['keygen', '--out', dir, '--name', 'audit.example.com/host-7']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(dir).sort()).toEqual(['seal-key.pem', 'seal-key.pub.pem', 'seal-key.vkey']);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'seal-key.pem'))).toBe(0o600);
    const privatePem = readFileSync(join(dir, 'seal-key.pem'), 'utf8');
    const vkey = readFileSync(join(dir, 'seal-key.vkey'), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(join(dir, 'seal-key.pub.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(vkey).toMatch(/^audit\.example\.com\/host-7\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    expect(stdout).toBe(
      `wrote ${join(dir, 'seal-key.pem')} (private key, mode 0600: keep it secret)\n` +
        `wrote ${join(dir, 'seal-key.pub.pem')} (public key)\n` +
        `wrote ${join(dir, 'seal-key.vkey')} (verifier key):\n${vkey}`,
    );
    expect(stdout).not.toContain(privatePem.split('\n')[1]);

    // The three files are one key: a note signed with the private key verifies under the verifier key.
    const loaded = loadSealKey(privatePem);
    const verifier = parseVerifierKey(vkey.trimEnd());
    if (!loaded.ok || loaded.value.privateKey === undefined || !verifier.ok) throw new Error('the written key does not load');
    const note = signNote('audit.example.com/host-7\n1\n' + Buffer.alloc(32).toString('base64') + '\n', {
      name: 'audit.example.com/host-7',
      privateKey: loaded.value.privateKey,
    });
    expect(verifyNote(note, [verifier.value])).toMatchObject({ ok: true });
  });

  it('writes keys openssl reads', async () => {
    const dir = freshDir();
    expect((await runCli(['keygen', '--out', dir])).code).toBe(0);
    expect(openssl(['pkey', '-in', join(dir, 'seal-key.pem'), '-noout'])).toMatchObject({ status: 0 });
    expect(openssl(['pkey', '-pubin', '-in', join(dir, 'seal-key.pub.pem'), '-noout'])).toMatchObject({ status: 0 });
  });

  it('names the key after this host by default', async () => {
    const dir = freshDir();
    const { code } = await runCli(['keygen', '--out', dir]);
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'seal-key.vkey'), 'utf8').startsWith(`kora-audit@${hostname()}+`)).toBe(true);
  });

  it('refuses to overwrite an existing key, and leaves it as it was', async () => {
    const dir = freshDir();
    expect((await runCli(['keygen', '--out', dir])).code).toBe(0);
    const before = readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8'));
    const again = await runCli(['keygen', '--out', dir]);
    expect(again).toEqual({
      code: 2,
      stdout: '',
      stderr: `kora-audit keygen: ${join(dir, 'seal-key.pem')} already exists: refusing to overwrite a key (move it away or choose another --out)\n`,
    });
    expect(readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8'))).toEqual(before);
  });

  it('refuses to write beside a stray public key, and leaves no private key behind', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'seal-key.pub.pem'), 'someone else\n');
    const { code, stderr } = await runCli(['keygen', '--out', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('seal-key.pub.pem already exists');
    expect(readdirSync(dir)).toEqual(['seal-key.pub.pem']);
    expect(readFileSync(join(dir, 'seal-key.pub.pem'), 'utf8')).toBe('someone else\n');
  });

  it.each([
    [['--name', 'has space'], "kora-audit keygen: --name 'has space' is not a key name"],
    [['--name', 'a+b'], "kora-audit keygen: --name 'a+b' is not a key name"],
    [['--name', ''], "kora-audit keygen: --name '' is not a key name"],
  ])('refuses a bad name %j with exit 2 and writes nothing', async (extra, message) => {
    const dir = freshDir();
    const { code, stderr } = await runCli(['keygen', '--out', dir, ...extra]);
    expect(code).toBe(2);
    expect(stderr.startsWith(message)).toBe(true);
    expect(() => statSync(dir)).toThrow(/ENOENT/);
  });

  it('asks for --out', async () => {
    expect(await runCli(['keygen'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'kora-audit keygen: --out DIR is required (the directory for the key files)\n',
    });
  });

  it('describes the files it writes in --help', async () => {
    const { code, stdout } = await runCli(['keygen', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: kora-audit keygen --out DIR \[--name NAME\]\n/);
    for (const file of ['seal-key.pem', 'seal-key.pub.pem', 'seal-key.vkey']) expect(stdout).toContain(file);
  });
});
