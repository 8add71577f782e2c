import { readFile } from 'node:fs/promises';
import { readErrorCode } from '@kora/audit-sink';
import { shipCheckpoint } from './ship-checkpoint.js';
import type { ShipCheckpoint } from './ship-checkpoint.js';

/**
 * Read a checkpoint file: null when there is none (shipping starts from the oldest file).
 * Rejects when it exists but cannot be read or is not a checkpoint: guessing a position
 * could skip rows, so a damaged checkpoint stops the shipper until an operator decides.
 */
export async function readShipCheckpoint(path: string): Promise<ShipCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = shipCheckpoint.safeParse(value);
  if (!parsed.success) throw new Error(`${path} is not a ship checkpoint (delete it to ship every file from the start again)`);
  return parsed.data;
}
