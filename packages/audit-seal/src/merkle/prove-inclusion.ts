import { hashSubtree } from './hash-subtree.js';
import type { LeafHashes } from './leaf-hashes.js';
import { splitPoint, type ProofOutcome } from './proof-outcome.js';

/**
 * The inclusion proof for leaf `index` in the tree of the first `size` leaves (RFC 9162
 * §2.1.3.1): the sibling hashes from the leaf up to the root, the leaf's sibling first.
 * Refused when the index is not below the size or fewer than `size` leaves are stored.
 */
export function proveInclusion(leaves: LeafHashes, index: number, size: number): ProofOutcome {
  if (!Number.isSafeInteger(size) || size < 1) return { ok: false, reason: 'the tree size must be at least 1' };
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    return { ok: false, reason: `leaf ${index} is not in a tree of ${size} leaves` };
  }
  if (size > leaves.size()) return { ok: false, reason: `only ${leaves.size()} leaves are stored, not ${size}` };
  const proof: Buffer[] = [];
  collectPath(leaves, index, 0, size, proof);
  return { ok: true, proof };
}

/** RFC 6962 PATH(m, D[start:start+size]), appended to `proof` deepest first. */
function collectPath(leaves: LeafHashes, index: number, start: number, size: number, proof: Buffer[]): void {
  if (size === 1) return;
  const split = splitPoint(size);
  if (index < split) {
    collectPath(leaves, index, start, split, proof);
    proof.push(hashSubtree(leaves, start + split, size - split));
  } else {
    collectPath(leaves, index - split, start + split, size - split, proof);
    proof.push(hashSubtree(leaves, start, split));
  }
}
