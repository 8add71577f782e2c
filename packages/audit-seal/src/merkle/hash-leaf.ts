import { sha256 } from './sha256.js';

/** Every leaf and node hash is this many bytes. */
export const HASH_SIZE = 32;

// One buffer reused for the `0x00 || line` input, so that hashing a line copies it once
// instead of allocating; it grows to the longest line seen.
let scratch = Buffer.alloc(1024);

/**
 * The hash of one leaf: SHA-256 of a 0x00 byte followed by the line's bytes (RFC 6962 §2.1).
 * The prefix keeps a leaf from ever hashing like an inner node.
 */
export function hashLeaf(line: Uint8Array): Buffer {
  const length = line.length + 1;
  if (length > scratch.length) scratch = Buffer.alloc(Math.max(length, scratch.length * 2));
  scratch[0] = 0x00;
  scratch.set(line, 1);
  return sha256(scratch.subarray(0, length));
}
