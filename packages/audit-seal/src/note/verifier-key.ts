import type { KeyObject } from 'node:crypto';
import { decodeBase64 } from './decode-base64.js';
import { isNoteKeyName } from './is-note-key-name.js';
import { ED25519_SIGNATURE_TYPE, noteKeyHash } from './note-key-hash.js';
import type { ParseResult } from './parse-result.js';
import { publicKeyFromRaw, rawPublicKey } from './seal-key.js';

/** A public key as a note's reader knows it: the name and key ID its signature lines carry. */
export interface VerifierKey {
  /** The key name in signature lines. */
  readonly name: string;
  /** The key ID (first four bytes of the key hash, big-endian). */
  readonly keyHash: number;
  /** The Ed25519 public key. */
  readonly publicKey: KeyObject;
}

/** The key ID as the verifier key string writes it: 8 lower-case hex digits. */
export function formatKeyHash(keyHash: number): string {
  return keyHash.toString(16).padStart(8, '0');
}

/**
 * The verifier key string `NAME+KEYID+BASE64(0x01 || public key)`, the one-line form of a
 * public key that Go's `golang.org/x/mod/sumdb/note` and other signed-note readers accept.
 */
export function formatVerifierKey(name: string, publicKey: KeyObject): string {
  if (!isNoteKeyName(name)) throw new RangeError('formatVerifierKey: the name is not a valid note key name');
  const raw = rawPublicKey(publicKey);
  const encoded = Buffer.concat([Uint8Array.of(ED25519_SIGNATURE_TYPE), raw]).toString('base64');
  return `${name}+${formatKeyHash(noteKeyHash(name, raw))}+${encoded}`;
}

/**
 * Read a verifier key string. Refused: a bad name, a key ID that is not 8 hex digits or does
 * not match the key, a signature type other than Ed25519, a key that is not 32 bytes.
 */
export function parseVerifierKey(text: string): ParseResult<VerifierKey> {
  // The name holds no `+` and the key ID is hex; the base64 key may hold `+`.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(text);
  if (match === null) return { ok: false, error: 'a verifier key is NAME+KEYID+KEY (three parts separated by +)' };
  const [, name = '', hashText = '', keyText = ''] = match;
  if (!isNoteKeyName(name)) return { ok: false, error: 'the key name is empty or holds a space or control character' };
  if (!/^[0-9a-f]{8}$/.test(hashText)) return { ok: false, error: 'the key ID is not 8 lower-case hex digits' };
  const key = decodeBase64(keyText);
  if (key === undefined) return { ok: false, error: 'the key is not canonical base64' };
  if (key[0] !== ED25519_SIGNATURE_TYPE) return { ok: false, error: 'the key is not an Ed25519 key (type 0x01)' };
  const raw = key.subarray(1);
  if (raw.length !== 32) return { ok: false, error: `the Ed25519 key is ${raw.length} bytes, not 32` };
  const keyHash = noteKeyHash(name, raw);
  if (formatKeyHash(keyHash) !== hashText) return { ok: false, error: 'the key ID does not match the name and key' };
  try {
    return { ok: true, value: { name, keyHash, publicKey: publicKeyFromRaw(raw) } };
  } catch {
    return { ok: false, error: 'the key is not an Ed25519 public key' };
  }
}
