import { readTailCheckpoint } from '@kora/audit-sink/tail';
import type { TailCheckpoint } from '@kora/audit-sink/tail';

/**
 * Read the shipper's checkpoint file: null when there is none (shipping starts from the oldest
 * file). Rejects when it exists but cannot be read or is not a checkpoint: guessing a position
 * could skip rows, so a damaged checkpoint stops the shipper until an operator decides.
 */
export async function readShipCheckpoint(path: string): Promise<TailCheckpoint | null> {
  return readTailCheckpoint(path, { kind: 'ship checkpoint', remedy: 'delete it to ship every file from the start again' });
}
