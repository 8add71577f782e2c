import { createTreeBuilder } from './create-tree-builder.js';
import type { LeafHashes } from './leaf-hashes.js';

// Leaf hashes read per call: 2 MiB, few enough system calls, little memory.
const CHUNK = 65_536;

/** The root of the subtree over leaves `start` to `start + count - 1` (RFC 6962 MTH). */
export function hashSubtree(leaves: LeafHashes, start: number, count: number): Buffer {
  const builder = createTreeBuilder();
  for (let offset = 0; offset < count; offset += CHUNK) {
    builder.appendLeafHashes(leaves.read(start + offset, Math.min(CHUNK, count - offset)));
  }
  return builder.root();
}
