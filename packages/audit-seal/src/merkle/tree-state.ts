/**
 * What a tree builder must remember to carry on after a restart, as plain JSON: the number of
 * leaves so far and the roots of the perfect subtrees that cover them (one per 1-bit of
 * `size`, largest and leftmost first), each base64. At most 53 hashes, whatever the size.
 */
export interface TreeState {
  /** Leaves appended so far. */
  size: number;
  /** Roots of the perfect subtrees covering the leaves, largest first, base64. */
  frontier: string[];
}
