import type { SubstrateClient } from '../substrate-client.js';
import { parseSubstrateTable } from '../substrate-table.js';
import { readCheckpointSize } from './read-checkpoints.js';

/** One origin in the checkpoint table and its newest checkpoint. */
export interface CheckpointOrigin {
  /** The log's origin line. */
  readonly origin: string;
  /** The largest tree size stored for it. */
  readonly latestSize: number;
  /** When the checkpoint of that size was received. */
  readonly receivedAt: Date;
}

/**
 * List every origin that has checkpoints, in order of origin, each with its largest tree size
 * and when that checkpoint arrived: which logs are anchored, and how recently. Rejects with a
 * RangeError on an invalid table name.
 */
export async function readCheckpointOrigins(client: SubstrateClient, table: string | undefined): Promise<CheckpointOrigin[]> {
  const target = parseSubstrateTable(table);
  // The size goes out as text under another name: ORDER BY an output name would sort the text.
  const found = await client.query<{ origin: string; size_text: string; received_at: Date }>(
    `SELECT DISTINCT ON (origin) origin, size::text AS size_text, received_at FROM ${target.checkpointsSql} ORDER BY origin, size DESC`,
  );
  return found.rows.map((row) => ({
    origin: row.origin,
    latestSize: readCheckpointSize('readCheckpointOrigins', row.size_text),
    receivedAt: row.received_at,
  }));
}
