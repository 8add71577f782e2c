import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from './checkpoint.js';
import { loadSealKey, privateKeyPem, publicKeyPem } from './seal-key.js';
import { signNote } from './sign-note.js';
import { formatVerifierKey, parseVerifierKey } from './verifier-key.js';
import { verifyNote } from './verify-note.js';

const vectors = new URL('../../vectors/note/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, vectors), 'utf8');
const NAME = 'test.kora-audit.invalid/seal';

describe('the committed signed-note vectors', () => {
  const privatePem = read('test-seal-key.pem');
  const publicPem = read('test-seal-key.pub.pem');
  const vkey = read('test-seal-key.vkey');
  const text = read('checkpoint.txt');
  const note = read('checkpoint.note');

  it('hold one TEST key in PKCS#8, SPKI and verifier-key form, all the same key', () => {
    const loaded = loadSealKey(privatePem);
    const loadedPublic = loadSealKey(publicPem);
    if (!loaded.ok || !loadedPublic.ok || loaded.value.privateKey === undefined) throw new Error('the TEST key does not load');
    expect(privateKeyPem(loaded.value.privateKey)).toBe(privatePem);
    expect(publicKeyPem(loaded.value.publicKey)).toBe(publicPem);
    expect(publicKeyPem(loadedPublic.value.publicKey)).toBe(publicPem);
    expect(`${formatVerifierKey(NAME, loaded.value.publicKey)}\n`).toBe(vkey);
  });

  it('hold a checkpoint of one entry, and its note verifies under the verifier key', () => {
    expect(parseCheckpoint(text)).toMatchObject({ ok: true, value: { origin: NAME, size: 1, extensions: [] } });
    const verifier = parseVerifierKey(vkey.trimEnd());
    if (!verifier.ok) throw new Error(verifier.error);
    expect(verifyNote(note, [verifier.value])).toEqual({
      ok: true,
      text,
      verified: [{ name: NAME, keyHash: verifier.value.keyHash }],
      unknown: [],
    });
  });

  it('sign the checkpoint byte for byte as committed', () => {
    const loaded = loadSealKey(privatePem);
    if (!loaded.ok || loaded.value.privateKey === undefined) throw new Error('the TEST key does not load');
    expect(signNote(text, { name: NAME, privateKey: loaded.value.privateKey })).toBe(note);
  });
});
