import { createHash, hash } from 'node:crypto';

/**
 * SHA-256 of `bytes` as a fresh 32-byte buffer. Node's one-shot `crypto.hash` is the fastest
 * way to hash many short inputs (no Hash object per call); older Node versions without it
 * fall back to `createHash`.
 */
export const sha256: (bytes: Uint8Array) => Buffer =
  typeof hash === 'function' ? (bytes) => hash('sha256', bytes, 'buffer') : (bytes) => createHash('sha256').update(bytes).digest();
