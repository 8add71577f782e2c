import { hashSubtree } from './hash-subtree.js';
import type { LeafHashes } from './leaf-hashes.js';
import { splitPoint, type ProofOutcome } from './proof-outcome.js';

/**
 * The consistency proof that the tree of the first `oldSize` leaves is a prefix of the tree of
 * the first `newSize` (RFC 9162 §2.1.4.1). Empty when the old tree is empty or the sizes are
 * equal. Refused when `oldSize > newSize` or fewer than `newSize` leaves are stored.
 */
export function proveConsistency(leaves: LeafHashes, oldSize: number, newSize: number): ProofOutcome {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) {
    return { ok: false, reason: `no consistency proof from size ${oldSize} to size ${newSize}` };
  }
  if (newSize > leaves.size()) return { ok: false, reason: `only ${leaves.size()} leaves are stored, not ${newSize}` };
  const proof: Buffer[] = [];
  if (oldSize > 0) collectSubproof(leaves, oldSize, 0, newSize, true, proof);
  return { ok: true, proof };
}

/**
 * RFC 6962 SUBPROOF(m, D[start:start+size], b). `whole` is b: the old tree is this whole
 * subtree, whose root the verifier already has, so it is left out.
 */
function collectSubproof(leaves: LeafHashes, oldSize: number, start: number, size: number, whole: boolean, proof: Buffer[]): void {
  if (oldSize === size) {
    if (!whole) proof.push(hashSubtree(leaves, start, size));
    return;
  }
  const split = splitPoint(size);
  if (oldSize <= split) {
    collectSubproof(leaves, oldSize, start, split, whole, proof);
    proof.push(hashSubtree(leaves, start + split, size - split));
  } else {
    collectSubproof(leaves, oldSize - split, start + split, size - split, false, proof);
    proof.push(hashSubtree(leaves, start, split));
  }
}
