import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

// PKCS#8 for Ed25519 is this fixed prefix and the 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The Ed25519 private key with this 32-byte seed, for signing test vectors reproducibly. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
