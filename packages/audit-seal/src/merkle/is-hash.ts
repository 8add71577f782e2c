import { HASH_SIZE } from './hash-leaf.js';

// A proof for a tree of fewer than 2^53 leaves has at most 2 * 53 hashes; longer is refused
// before any hashing.
const LONGEST_PROOF = 2 * 53;

/** Whether `value` is a 32-byte hash. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Whether `value` is a plausible proof: a short list of 32-byte hashes. */
export function isProof(value: unknown): value is readonly Uint8Array[] {
  return Array.isArray(value) && value.length <= LONGEST_PROOF && (value as unknown[]).every(isHash);
}

/** Whether `value` is a tree size or leaf index: a whole number from 0 to 2^53-1. */
export function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
