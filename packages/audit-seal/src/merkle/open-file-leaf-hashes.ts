import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { HASH_SIZE } from './hash-leaf.js';
import type { LeafHashes } from './leaf-hashes.js';

/** Leaf hashes read from a file; close it when done. */
export interface FileLeafHashes extends LeafHashes {
  /** Closes the file. */
  close(): void;
}

/**
 * Leaf hashes read from a flat file of concatenated 32-byte leaf hashes, leaf 0 first, with
 * positional reads, so the file can keep growing while proofs are made. A partly written
 * last hash (a crash mid-append) is not counted.
 */
export function openFileLeafHashes(path: string): FileLeafHashes {
  const descriptor = openSync(path, 'r');
  let closed = false;
  const size = (): number => Math.floor(fstatSync(descriptor).size / HASH_SIZE);
  return {
    size,
    read(start, count) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0) {
        throw new RangeError('leaf hashes are read by whole-number positions');
      }
      const bytes = Buffer.alloc(count * HASH_SIZE);
      let filled = 0;
      while (filled < bytes.length) {
        const read = readSync(descriptor, bytes, filled, bytes.length - filled, start * HASH_SIZE + filled);
        if (read === 0) throw new RangeError(`only ${size()} leaf hashes are stored in ${path}`);
        filled += read;
      }
      return bytes;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(descriptor);
    },
  };
}
