import { sha256 } from './sha256.js';

const scratch = Buffer.alloc(65);

/**
 * The hash of an inner node: SHA-256 of a 0x01 byte, the left child's hash and the right
 * child's hash (RFC 6962 §2.1). Both children are 32-byte hashes.
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) throw new RangeError('a child hash is 32 bytes');
  scratch[0] = 0x01;
  scratch.set(left, 1);
  scratch.set(right, 33);
  return sha256(scratch);
}
