import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ParseResult } from './parse-result.js';

/** An Ed25519 key pair that signs checkpoints. */
export interface SealKeyPair {
  /** The private key: keep it secret, readable only by the sealing process. */
  readonly privateKey: KeyObject;
  /** The public key, for anyone who checks a checkpoint. */
  readonly publicKey: KeyObject;
}

/** A key read from PEM: the public key always, the private key when the PEM held one. */
export interface LoadedSealKey {
  readonly privateKey?: KeyObject | undefined;
  readonly publicKey: KeyObject;
}

/** A new Ed25519 key pair from the system's secure random source. */
export function generateSealKey(): SealKeyPair {
  return generateKeyPairSync('ed25519');
}

/** The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `openssl pkey` reads it. */
export function privateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as `openssl pkey -pubin` reads it. */
export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Read an Ed25519 key from PEM: a PKCS#8 private key (its public key is derived) or an SPKI
 * public key. Anything else (another algorithm, an encrypted key, not PEM) is refused.
 */
export function loadSealKey(pem: string): ParseResult<LoadedSealKey> {
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  try {
    if (pem.includes('PRIVATE KEY-----')) {
      privateKey = createPrivateKey({ key: pem, format: 'pem' });
      publicKey = createPublicKey(privateKey);
    } else {
      publicKey = createPublicKey({ key: pem, format: 'pem' });
    }
  } catch {
    // Node's message may quote the input; the key's bytes never go into an error.
    return { ok: false, error: 'not a PEM private (PKCS#8) or public (SPKI) key' };
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    return { ok: false, error: `the key is ${publicKey.asymmetricKeyType ?? 'of an unknown type'}, not Ed25519` };
  }
  return { ok: true, value: { privateKey, publicKey } };
}

/** The 32-byte Ed25519 public key (RFC 8032 encoding) of a public or private key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  if (publicKey.asymmetricKeyType !== 'ed25519' || x === undefined) throw new TypeError('rawPublicKey: not an Ed25519 key');
  return Buffer.from(x, 'base64url');
}

/** The Ed25519 public key whose 32-byte RFC 8032 encoding is `raw`. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError(`publicKeyFromRaw: ${raw.length} bytes, not 32`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}
