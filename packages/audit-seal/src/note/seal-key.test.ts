import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isNoteKeyName } from './is-note-key-name.js';
import { noteKeyHash } from './note-key-hash.js';
import { generateSealKey, loadSealKey, privateKeyPem, publicKeyFromRaw, publicKeyPem, rawPublicKey } from './seal-key.js';
import { formatVerifierKey, parseVerifierKey } from './verifier-key.js';

describe('loadSealKey', () => {
  const key = generateSealKey();

  it('reads a private key back from PKCS#8 PEM and derives its public key', () => {
    const pem = privateKeyPem(key.privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    const loaded = loadSealKey(pem);
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.value.privateKey?.equals(key.privateKey)).toBe(true);
    expect(rawPublicKey(loaded.value.publicKey)).toEqual(rawPublicKey(key.publicKey));
  });

  it('reads a public key from SPKI PEM, without a private key', () => {
    const pem = publicKeyPem(key.publicKey);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const loaded = loadSealKey(pem);
    expect(loaded.ok && loaded.value.privateKey === undefined && loaded.value.publicKey.equals(key.publicKey)).toBe(true);
  });

  it('refuses a key of another algorithm, and text that is not a key, without quoting it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(loadSealKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toEqual({
      ok: false,
      error: 'the key is rsa, not Ed25519',
    });
    expect(loadSealKey('-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n')).toEqual({
      ok: false,
      error: 'not a PEM private (PKCS#8) or public (SPKI) key',
    });
    expect(loadSealKey('')).toMatchObject({ ok: false });
  });
});

describe('rawPublicKey', () => {
  it('is the 32 bytes at the end of the SPKI encoding, and turns back into the same key', () => {
    const { publicKey, privateKey } = generateSealKey();
    const raw = rawPublicKey(privateKey);
    expect(raw).toHaveLength(32);
    expect(publicKey.export({ type: 'spki', format: 'der' }).subarray(-32)).toEqual(raw);
    expect(publicKeyFromRaw(raw).equals(publicKey)).toBe(true);
  });
});

describe('isNoteKeyName', () => {
  it.each(['audit.example.com/host-7', 'kora-audit@host', 'PeterNeumann', 'é'])('accepts %j', (name) => {
    expect(isNoteKeyName(name)).toBe(true);
  });
  it.each(['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u2003b', 'a\nb', 'a\u0001b', '\ud800'])('refuses %j', (name) => {
    expect(isNoteKeyName(name)).toBe(false);
  });
});

describe('formatVerifierKey and parseVerifierKey', () => {
  it('write NAME+KEYID+KEY and read it back as the same key', () => {
    const { publicKey } = generateSealKey();
    const vkey = formatVerifierKey('audit.example.com/host-7', publicKey);
    const [name, hash, encoded] = vkey.split(/\+(?=[0-9a-f]{8}\+)|(?<=\+[0-9a-f]{8})\+/);
    expect(name).toBe('audit.example.com/host-7');
    expect(hash).toBe(noteKeyHash('audit.example.com/host-7', rawPublicKey(publicKey)).toString(16).padStart(8, '0'));
    expect(Buffer.from(encoded ?? '', 'base64')).toEqual(Buffer.concat([Uint8Array.of(1), rawPublicKey(publicKey)]));
    const parsed = parseVerifierKey(vkey);
    expect(parsed.ok && parsed.value.publicKey.equals(publicKey)).toBe(true);
  });

  it('refuses a bad name when writing', () => {
    expect(() => formatVerifierKey('a b', generateSealKey().publicKey)).toThrow(/not a valid note key name/);
  });

  it('names what is wrong with a key it refuses', () => {
    expect(parseVerifierKey('')).toEqual({ ok: false, error: 'a verifier key is NAME+KEYID+KEY (three parts separated by +)' });
    expect(parseVerifierKey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toEqual({
      ok: false,
      error: 'the key ID is not 8 lower-case hex digits',
    });
    expect(parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toEqual({
      ok: false,
      error: 'the key ID does not match the name and key',
    });
    expect(parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=')).toEqual({
      ok: false,
      error: 'the key is not canonical base64',
    });
  });
});
