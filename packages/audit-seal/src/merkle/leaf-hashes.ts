/**
 * Where proofs read the leaf hashes from: the tree's leaves in order, 32 bytes each. The
 * sealer can keep them in a flat file (`openFileLeafHashes`) or in memory
 * (`createMemoryLeafHashes`).
 */
export interface LeafHashes {
  /** How many leaf hashes are stored now. */
  size(): number;
  /** The `count` leaf hashes from `start`, concatenated; throws if fewer are stored. */
  read(start: number, count: number): Uint8Array;
}
