/** A proof made, as the list of 32-byte hashes in RFC 9162 order, or why it cannot be. */
export type ProofOutcome = { ok: true; proof: Buffer[] } | { ok: false; reason: string };

/** The largest power of two smaller than `size` (size ≥ 2): where RFC 6962 splits a tree. */
export function splitPoint(size: number): number {
  let split = 1;
  while (split * 2 < size) split *= 2;
  return split;
}
