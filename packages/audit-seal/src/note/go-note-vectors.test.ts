// The test vectors of Go's signed-note package (golang.org/x/mod/sumdb/note, note_test.go),
// which the Go module checksum database and C2SP checkpoints use: a note signed here must be
// byte-for-byte the one Go signs, and every note Go refuses is refused here.
import { describe, expect, it } from 'vitest';
import { privateKeyFromSeed } from './__fixtures__/private-key-from-seed.js';
import { signNote } from './sign-note.js';
import { formatVerifierKey, parseVerifierKey } from './verifier-key.js';
import type { VerifierKey } from './verifier-key.js';
import { verifyNote } from './verify-note.js';

const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
// Go's signer key format: PRIVATE+KEY+NAME+KEYID+BASE64(0x01 || 32-byte seed).
const PETER_SKEY_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const PETER = { name: 'PeterNeumann', keyHash: 0xc74f20a3 };
const ENOCH = { name: 'EnochRoot', keyHash: 0xaf0cfe78 };

function verifier(vkey: string): VerifierKey {
  const parsed = parseVerifierKey(vkey);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const peter = verifier(PETER_VKEY);
const enoch = verifier(ENOCH_VKEY);

describe('parseVerifierKey with the Go vectors', () => {
  it('reads both keys and writes them back identically', () => {
    expect(peter).toMatchObject(PETER);
    expect(enoch).toMatchObject(ENOCH);
    expect(formatVerifierKey(peter.name, peter.publicKey)).toBe(PETER_VKEY);
    expect(formatVerifierKey(enoch.name, enoch.publicKey)).toBe(ENOCH_VKEY);
  });

  it('refuses every proper substring and every one-byte change of the key', () => {
    const refused: string[] = [];
    for (let start = 0; start <= PETER_VKEY.length; start++) {
      for (let end = start + 1; end <= PETER_VKEY.length; end++) {
        if (start === 0 && end === PETER_VKEY.length) continue;
        const candidate = PETER_VKEY.slice(start, end);
        if (parseVerifierKey(candidate).ok) refused.push(candidate);
      }
    }
    for (let index = 0; index < PETER_VKEY.length; index++) {
      const candidate = PETER_VKEY.slice(0, index) + String.fromCharCode(PETER_VKEY.charCodeAt(index) + 1) + PETER_VKEY.slice(index + 1);
      if (parseVerifierKey(candidate).ok) refused.push(candidate);
    }
    expect(refused).toEqual([]);
  });

  it('refuses a key of the wrong length and an unknown algorithm, each with a matching key ID', () => {
    expect(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==')).toMatchObject({ ok: false });
    expect(parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toEqual({
      ok: false,
      error: 'the key is not an Ed25519 key (type 0x01)',
    });
  });
});

describe('signNote with the Go vectors', () => {
  it("signs Go's example note byte for byte as Go does", () => {
    const signed = signNote(TEXT, { name: 'PeterNeumann', privateKey: privateKeyFromSeed(PETER_SKEY_SEED) });
    expect(signed).toBe(`${TEXT}\n${PETER_SIG}`);
  });
});

describe('verifyNote with the Go vectors', () => {
  const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;

  it('verifies the known key and lists the other as unknown', () => {
    expect(verifyNote(both, [peter])).toEqual({ ok: true, text: TEXT, verified: [PETER], unknown: [ENOCH] });
  });

  it('verifies both signatures when both keys are known', () => {
    expect(verifyNote(Buffer.from(both), [peter, enoch])).toEqual({ ok: true, text: TEXT, verified: [PETER, ENOCH], unknown: [] });
  });

  it('refuses a note with no signature by a known key', () => {
    expect(verifyNote(both, [])).toEqual({ ok: false, error: 'no signature by a known key' });
  });

  it('refuses a key listed twice only when the note is signed by it', () => {
    expect(verifyNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch])).toEqual({
      ok: false,
      error: 'ambiguous key EnochRoot+af0cfe78: listed more than once',
    });
    expect(verifyNote(`${TEXT}\n${PETER_SIG}`, [enoch, peter, enoch])).toMatchObject({ ok: true, verified: [PETER] });
  });

  it('refuses more than 100 signatures', () => {
    expect(verifyNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^malformed note/),
    });
    expect(verifyNote(`${TEXT}\n${PETER_SIG.repeat(100)}`, [peter])).toMatchObject({ ok: true, verified: [PETER] });
  });

  it('refuses a bad signature by a known key', () => {
    const tampered = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(verifyNote(tampered, [peter])).toEqual({ ok: false, error: 'invalid signature for key PeterNeumann+c74f20a3' });
  });

  it('skips repeated signatures and a bad signature by an unknown key', () => {
    const note = `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    expect(verifyNote(note, [peter])).toMatchObject({ ok: true, verified: [PETER], unknown: [ENOCH, ENOCH, ENOCH] });
  });

  it.each([
    ['the text alone', TEXT],
    ['the text and a blank line', `${TEXT}\n`],
    ['a signature line without its newline', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ['a control character', `\u0001${TEXT}\n${PETER_SIG}`],
    [
      'a name with a space',
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    ],
    ['a line after the signatures', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
  ])('refuses a malformed note: %s', (_, note) => {
    expect(verifyNote(note, [peter])).toMatchObject({ ok: false, error: expect.stringMatching(/^malformed note/) });
  });

  it('refuses bytes that are not UTF-8', () => {
    const note = Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]);
    expect(verifyNote(note, [peter])).toEqual({ ok: false, error: 'malformed note: not valid UTF-8' });
  });

  it('treats a signature under another name or key ID as by an unknown key', () => {
    expect(verifyNote(`${TEXT}\n${PETER_SIG.replace('PeterNeumann', 'CarmenSandiego')}`, [peter])).toEqual({
      ok: false,
      error: 'no signature by a known key',
    });
    expect(verifyNote(`${TEXT}\n${PETER_SIG.replace('x08g', 'xxxx')}`, [peter])).toEqual({
      ok: false,
      error: 'no signature by a known key',
    });
  });
});
