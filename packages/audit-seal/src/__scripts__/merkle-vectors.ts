import { createMemoryLeafHashes } from '../merkle/create-memory-leaf-hashes.js';
import { createTreeBuilder } from '../merkle/create-tree-builder.js';
import { hashLeaf } from '../merkle/hash-leaf.js';
import { proveConsistency } from '../merkle/prove-consistency.js';
import { proveInclusion } from '../merkle/prove-inclusion.js';

/** The committed vectors' file, from the package root. */
export const MERKLE_VECTORS_PATH = 'vectors/merkle/tree-vectors.json';

// The first eight leaves are the RFC 6962 reference inputs published with
// certificate-transparency and transparency-dev/merkle; the rest are the ASCII text "leaf N".
const REFERENCE_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];

/** Tree sizes the vectors cover: every size to 64, then sizes around powers of two and 1000. */
export const VECTOR_SIZES = [...Array.from({ length: 65 }, (_, size) => size), 100, 127, 128, 129, 255, 256, 257, 1000];

/** Leaf `index` of the vector trees, as bytes. */
export function vectorLeaf(index: number): Buffer {
  const reference = REFERENCE_LEAVES[index];
  return reference === undefined ? Buffer.from(`leaf ${index}`, 'ascii') : Buffer.from(reference, 'hex');
}

/** The leaf indices whose inclusion proofs are written for a tree of `size`: all up to 16 leaves. */
export function vectorIndices(size: number): number[] {
  if (size <= 16) return Array.from({ length: size }, (_, index) => index);
  return [...new Set([0, 1, Math.floor(size / 2), size - 2, size - 1])];
}

/** The old sizes whose consistency proofs to a tree of `size` are written: all up to 16 leaves. */
export function vectorOldSizes(size: number): number[] {
  if (size <= 16) return Array.from({ length: size + 1 }, (_, oldSize) => oldSize);
  return [...new Set([0, 1, 2, 7, 8, 9, Math.floor(size / 2), size - 1, size])];
}

/** One tree of the vectors: its size, root, and proofs, every hash base64. */
export interface TreeVector {
  size: number;
  root: string;
  inclusion: { index: number; leafHash: string; proof: string[] }[];
  consistency: { oldSize: number; oldRoot: string; proof: string[] }[];
}

/** The whole vectors document. */
export interface MerkleVectors {
  description: string;
  leaves: string;
  trees: TreeVector[];
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The vectors as this package computes them. */
export function computeMerkleVectors(): MerkleVectors {
  const largest = Math.max(...VECTOR_SIZES);
  const leafHashes = Array.from({ length: largest }, (_, index) => hashLeaf(vectorLeaf(index)));
  const stored = createMemoryLeafHashes(leafHashes);
  const roots: string[] = [];
  const builder = createTreeBuilder();
  roots.push(base64(builder.root()));
  for (const leafHash of leafHashes) {
    builder.appendLeafHash(leafHash);
    roots.push(base64(builder.root()));
  }
  const unwrap = (outcome: ReturnType<typeof proveInclusion>): string[] => {
    if (!outcome.ok) throw new Error(outcome.reason);
    return outcome.proof.map(base64);
  };
  return {
    description:
      'RFC 6962 Merkle trees over the leaves below, with RFC 9162 inclusion proofs (leaf sibling first) and consistency proofs; hashes base64.',
    leaves:
      'Leaves 0-7 are the RFC 6962 reference inputs (hex) "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f; leaf N from 8 on is the ASCII text "leaf N".',
    trees: VECTOR_SIZES.map((size) => ({
      size,
      root: roots[size]!,
      inclusion: vectorIndices(size).map((index) => ({
        index,
        leafHash: base64(leafHashes[index]!),
        proof: unwrap(proveInclusion(stored, index, size)),
      })),
      consistency: vectorOldSizes(size).map((oldSize) => ({
        oldSize,
        oldRoot: roots[oldSize]!,
        proof: unwrap(proveConsistency(stored, oldSize, size)),
      })),
    })),
  };
}
