import { createHash } from 'node:crypto';

/** The signature type byte of Ed25519 in signed notes and verifier keys. */
export const ED25519_SIGNATURE_TYPE = 0x01;

/**
 * The key ID of an Ed25519 key in a signed note: the first four bytes, big-endian, of
 * SHA-256(name, newline, 0x01, the 32-byte public key). It identifies the key in signature
 * lines and verifier keys; it is not a security check.
 */
export function noteKeyHash(name: string, rawPublicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a, ED25519_SIGNATURE_TYPE))
    .update(rawPublicKey)
    .digest();
  return digest.readUInt32BE(0);
}
