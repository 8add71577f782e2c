import { listChain } from '@kora/audit-sink/reader';
import type { SealerPosition } from '@kora/audit-seal';

/**
 * Bytes of the audit file's chain (the live file `path` and its rotated `path.N`) past the
 * sealer's position: the rest of the file it stands in and every newer file. A few `stat`s,
 * no reads. With no position, or one no longer in the chain, every byte of the chain counts.
 */
export async function countUnsealedBytes(path: string, position: SealerPosition | null): Promise<number> {
  const chain = await listChain(path);
  const at = position === null ? undefined : chain.find((file) => file.identity.dev === position.dev && file.identity.ino === position.ino);
  let bytes = 0;
  for (const file of chain) {
    if (at === undefined || file.index < at.index) bytes += file.size;
    else if (file === at && position !== null) bytes += Math.max(0, file.size - position.offset);
  }
  return bytes;
}
