import { readIntegerOption } from '@kora/audit-sink';
import type { SubstrateClient } from '../substrate-client.js';
import { parseSubstrateTable } from '../substrate-table.js';
import { parseCheckpointOrigin } from './substrate-checkpoint.js';
import type { StoredCheckpoint } from './substrate-checkpoint.js';

/** Options of {@link readCheckpoints}. */
export interface ReadCheckpointsOptions {
  /** Only checkpoints of a larger tree size than this (exclusive; default: from the first). */
  readonly afterSize?: number | undefined;
  /** At most this many checkpoints, 1–10,000 (default 1,000); page on with the last one's size as `afterSize`. */
  readonly limit?: number | undefined;
}

/** A bigint the driver gives as text, as a number; past 2^53 − 1 no audit file reaches, a RangeError. */
export function readCheckpointSize(owner: string, text: string): number {
  const size = Number(text);
  if (!Number.isSafeInteger(size)) throw new RangeError(`${owner}: the checkpoint table holds a size past ${Number.MAX_SAFE_INTEGER}`);
  return size;
}

/**
 * Read the checkpoints stored for one origin, ascending by tree size, for a verifier to check
 * the audit file against (each root against the file's first `size` lines, each note's
 * signature, and that the sizes only grow). Throws a TypeError on an invalid origin or option
 * and a RangeError on an out-of-range option or table name.
 */
export async function readCheckpoints(
  client: SubstrateClient,
  table: string | undefined,
  origin: string,
  options: ReadCheckpointsOptions = {},
): Promise<StoredCheckpoint[]> {
  parseCheckpointOrigin('readCheckpoints', origin);
  const afterSize =
    options.afterSize === undefined
      ? -1
      : readIntegerOption('readCheckpoints', 'afterSize', options.afterSize, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
  const limit = readIntegerOption('readCheckpoints', 'limit', options.limit, { min: 1, max: 10_000, fallback: 1_000 });
  const target = parseSubstrateTable(table);
  // The primary key (origin, size) serves it: one range of one origin, in order.
  // The size goes out as text under another name: ORDER BY an output name would sort the text.
  const found = await client.query<{ origin: string; size_text: string; root: string; note: string; received_at: Date }>(
    `SELECT origin, size::text AS size_text, root, note, received_at FROM ${target.checkpointsSql}
      WHERE origin = $1 AND size > $2 ORDER BY size LIMIT $3`,
    [origin, afterSize, limit],
  );
  return found.rows.map((row) => ({
    origin: row.origin,
    size: readCheckpointSize('readCheckpoints', row.size_text),
    root: row.root,
    note: row.note,
    receivedAt: row.received_at,
  }));
}
