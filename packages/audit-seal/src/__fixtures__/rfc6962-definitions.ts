// RFC 6962 §2.1's definitions written out as they read, over the leaves' bytes, with
// recursion and slicing and a new Hash object per call: slow and obviously right, so that the
// product's tree builder and proofs are checked against the RFC and not against themselves.
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  return digest.digest();
};

/** The largest power of two smaller than n (n > 1). */
function k(n: number): number {
  let power = 1;
  while (power * 2 < n) power *= 2;
  return power;
}

/** MTH(D[n]). */
export function mth(leaves: readonly Uint8Array[]): Buffer {
  const n = leaves.length;
  if (n === 0) return sha256();
  if (n === 1) return sha256(Uint8Array.of(0x00), leaves[0]!);
  return sha256(Uint8Array.of(0x01), mth(leaves.slice(0, k(n))), mth(leaves.slice(k(n))));
}

/** PATH(m, D[n]): the inclusion proof for leaf m. */
export function path(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  const n = leaves.length;
  if (n === 1) return [];
  if (m < k(n)) return [...path(m, leaves.slice(0, k(n))), mth(leaves.slice(k(n)))];
  return [...path(m - k(n), leaves.slice(k(n))), mth(leaves.slice(0, k(n)))];
}

/** PROOF(m, D[n]): the consistency proof from the first m leaves (0 < m ≤ n). */
export function proof(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Uint8Array[], b: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [mth(leaves)];
  if (m <= k(n)) return [...subproof(m, leaves.slice(0, k(n)), b), mth(leaves.slice(k(n)))];
  return [...subproof(m - k(n), leaves.slice(k(n)), false), mth(leaves.slice(0, k(n)))];
}
