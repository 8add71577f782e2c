import { countOneBits, createTreeBuilder, type TreeBuilder } from './create-tree-builder.js';
import { HASH_SIZE } from './hash-leaf.js';

/** A saved tree state taken back, or why it cannot be. */
export type RestoreTreeBuilderOutcome = { ok: true; builder: TreeBuilder } | { ok: false; reason: string };

const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * A tree builder carrying on from a state saved by `saveState` and read back from disk. The
 * value is treated as hostile: anything but a whole number size with one 32-byte base64 hash
 * per 1-bit of the size is refused with a reason, never thrown.
 */
export function restoreTreeBuilder(saved: unknown): RestoreTreeBuilderOutcome {
  if (typeof saved !== 'object' || saved === null) return refuse('the saved tree state is not an object');
  const { size, frontier } = saved as { size?: unknown; frontier?: unknown };
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return refuse('the saved tree size is not a whole number from 0 to 2^53-1');
  }
  if (!Array.isArray(frontier)) return refuse('the saved frontier is not a list');
  if (frontier.length !== countOneBits(size)) {
    return refuse(`a tree of ${size} leaves needs ${countOneBits(size)} frontier hashes, not ${frontier.length}`);
  }
  const hashes: Buffer[] = [];
  for (const [index, hash] of (frontier as unknown[]).entries()) {
    if (typeof hash !== 'string' || !BASE64.test(hash)) {
      return refuse(`frontier hash ${index} is not 32 bytes of base64`);
    }
    const bytes = Buffer.from(hash, 'base64');
    if (bytes.length !== HASH_SIZE) return refuse(`frontier hash ${index} is not 32 bytes of base64`);
    hashes.push(bytes);
  }
  return { ok: true, builder: createTreeBuilder(size, hashes) };
}

function refuse(reason: string): RestoreTreeBuilderOutcome {
  return { ok: false, reason };
}
