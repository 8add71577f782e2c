import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCheckpoint } from './checkpoint.js';
import { generateSealKey, privateKeyPem, publicKeyPem } from './seal-key.js';
import { signNote } from './sign-note.js';

// `pkeyutl -rawin` (Ed25519 over the message itself) arrived in OpenSSL 3.0.
const version = spawnSync('openssl', ['version'], { encoding: 'utf8' });
const major = /^OpenSSL (\d+)\./.exec(version.stdout ?? '')?.[1];
const rawInput = major !== undefined && Number(major) >= 3;
const dir = mkdtempSync(join(tmpdir(), 'audit-seal-openssl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signedFiles(): { text: string; signature: Buffer } {
  const key = generateSealKey();
  const text = formatCheckpoint({ origin: 'audit.example.com/host-7', size: 1234, root: Buffer.alloc(32, 7), extensions: ['é ✓'] });
  const note = signNote(text, { name: 'audit.example.com/host-7', privateKey: key.privateKey });
  writeFileSync(join(dir, 'pub.pem'), publicKeyPem(key.publicKey));
  writeFileSync(join(dir, 'key.pem'), privateKeyPem(key.privateKey), { mode: 0o600 });
  writeFileSync(join(dir, 'note-text'), text);
  const line = note.slice(text.length + 1).trimEnd();
  const signature = Buffer.from(line.split(' ')[2] ?? '', 'base64').subarray(4);
  writeFileSync(join(dir, 'sig.bin'), signature);
  return { text, signature };
}

function opensslVerify(): { status: number | null; stdout: string } {
  return spawnSync('openssl', ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', 'pub.pem', '-sigfile', 'sig.bin', '-in', 'note-text'], {
    cwd: dir,
    encoding: 'utf8',
  });
}

describe.skipIf(!rawInput)(
  `signNote and ${rawInput ? 'openssl' : 'openssl (skipped: openssl is older than 3.0 or missing, no -rawin for Ed25519)'}`,
  () => {
    it('makes a checkpoint signature that openssl pkeyutl verifies, and openssl refuses it over changed text', () => {
      const { text } = signedFiles();
      expect(opensslVerify()).toMatchObject({ status: 0, stdout: 'Signature Verified Successfully\n' });
      writeFileSync(join(dir, 'note-text'), text.replace('1234', '1235'));
      expect(opensslVerify().status).not.toBe(0);
    });

    it('signs exactly what openssl signs with the same private key', () => {
      const { signature } = signedFiles();
      const fromOpenssl = execFileSync('openssl', ['pkeyutl', '-sign', '-rawin', '-inkey', 'key.pem', '-in', 'note-text'], { cwd: dir });
      expect(fromOpenssl).toEqual(signature);
    });
  },
);
