import { EMPTY_ROOT } from './empty-root.js';
import { hashChildren } from './hash-children.js';
import { HASH_SIZE, hashLeaf } from './hash-leaf.js';
import type { TreeState } from './tree-state.js';

/** Builds the tree one leaf at a time, keeping only what the root at the current size needs. */
export interface TreeBuilder {
  /** Leaves appended so far. */
  readonly size: number;
  /** Appends one line as the next leaf and returns its leaf hash. */
  appendLeaf(line: Uint8Array): Buffer;
  /** Appends one leaf by its 32-byte hash. */
  appendLeafHash(leafHash: Uint8Array): void;
  /** Appends leaves by their hashes, concatenated 32 bytes each. */
  appendLeafHashes(leafHashes: Uint8Array): void;
  /** The tree's root at the current size; the empty root for no leaves. */
  root(): Buffer;
  /** What to save so that `restoreTreeBuilder` can carry on from here. */
  saveState(): TreeState;
}

/**
 * A tree builder starting from no leaves, or from `frontier` (the perfect subtree roots,
 * largest first) at `size`. Memory stays at one hash per 1-bit of the size.
 */
export function createTreeBuilder(size = 0, frontier: readonly Uint8Array[] = []): TreeBuilder {
  if (!Number.isSafeInteger(size) || size < 0 || frontier.length !== countOneBits(size)) {
    throw new RangeError('a tree builder needs one frontier hash per 1-bit of its size');
  }
  // The perfect subtree roots, largest (leftmost) first; the last covers the newest leaves.
  const stack: Uint8Array[] = frontier.map((hash) => Buffer.from(hash));
  let count = size;

  const appendLeafHash = (leafHash: Uint8Array): void => {
    if (leafHash.length !== HASH_SIZE) throw new RangeError('a leaf hash is 32 bytes');
    let node: Uint8Array = leafHash;
    // Each trailing 1-bit of the old size is a perfect subtree the new leaf completes.
    for (let rest = count; rest % 2 === 1; rest = (rest - 1) / 2) {
      node = hashChildren(stack.pop()!, node);
    }
    // A leaf hash that completed nothing is kept as a copy: the caller may reuse its buffer.
    stack.push(node === leafHash ? Buffer.from(leafHash) : node);
    count += 1;
  };

  return {
    get size() {
      return count;
    },
    appendLeaf(line) {
      const leafHash = hashLeaf(line);
      appendLeafHash(leafHash);
      return leafHash;
    },
    appendLeafHash,
    appendLeafHashes(leafHashes) {
      if (leafHashes.length % HASH_SIZE !== 0) throw new RangeError('leaf hashes are 32 bytes each');
      for (let offset = 0; offset < leafHashes.length; offset += HASH_SIZE) {
        appendLeafHash(leafHashes.subarray(offset, offset + HASH_SIZE));
      }
    },
    root() {
      if (stack.length === 0) return Buffer.from(EMPTY_ROOT);
      // RFC 6962 splits at the largest power of two, so the smaller subtrees fold in from the right.
      let node = stack[stack.length - 1]!;
      for (let index = stack.length - 2; index >= 0; index -= 1) node = hashChildren(stack[index]!, node);
      return Buffer.from(node);
    },
    saveState() {
      return { size: count, frontier: stack.map((hash) => Buffer.from(hash).toString('base64')) };
    },
  };
}

/** How many 1-bits `value` has; works past 32 bits, up to 2^53. */
export function countOneBits(value: number): number {
  let bits = 0;
  for (let rest = value; rest > 0; rest = Math.floor(rest / 2)) bits += rest % 2;
  return bits;
}
