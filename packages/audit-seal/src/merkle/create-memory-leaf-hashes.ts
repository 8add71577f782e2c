import { HASH_SIZE } from './hash-leaf.js';
import type { LeafHashes } from './leaf-hashes.js';

/** Leaf hashes held in memory, for tests and small trees. */
export interface MemoryLeafHashes extends LeafHashes {
  /** Stores the next leaf's 32-byte hash. */
  append(leafHash: Uint8Array): void;
}

/** Leaf hashes in memory, starting with `leafHashes`. */
export function createMemoryLeafHashes(leafHashes: readonly Uint8Array[] = []): MemoryLeafHashes {
  let bytes = Buffer.alloc(Math.max(1, leafHashes.length) * HASH_SIZE);
  let count = 0;
  const append = (leafHash: Uint8Array): void => {
    if (leafHash.length !== HASH_SIZE) throw new RangeError('a leaf hash is 32 bytes');
    if ((count + 1) * HASH_SIZE > bytes.length) {
      const grown = Buffer.alloc(bytes.length * 2);
      bytes.copy(grown);
      bytes = grown;
    }
    bytes.set(leafHash, count * HASH_SIZE);
    count += 1;
  };
  for (const leafHash of leafHashes) append(leafHash);
  return {
    size: () => count,
    read(start, wanted) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(wanted) || start < 0 || wanted < 0) {
        throw new RangeError('leaf hashes are read by whole-number positions');
      }
      if (start + wanted > count) throw new RangeError(`only ${count} leaf hashes are stored`);
      return Buffer.from(bytes.subarray(start * HASH_SIZE, (start + wanted) * HASH_SIZE));
    },
    append,
  };
}
