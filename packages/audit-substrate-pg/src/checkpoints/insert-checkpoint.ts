import type { SubstrateClient } from '../substrate-client.js';
import { parseSubstrateTable } from '../substrate-table.js';
import { parseSubstrateCheckpoint } from './substrate-checkpoint.js';
import type { SubstrateCheckpoint } from './substrate-checkpoint.js';

/**
 * What {@link insertCheckpoint} did: stored it (`inserted: true`), found the same checkpoint
 * there already (`inserted: false`), or found another one at the same origin and size.
 */
export type InsertCheckpointResult =
  | { readonly ok: true; readonly inserted: boolean }
  | {
      readonly ok: false;
      /** The table holds a different root or note for this origin and size: the log was rewritten, or two writers share an origin. */
      readonly reason: 'conflict';
      /** What the table holds, unchanged. */
      readonly stored: { readonly root: string; readonly note: string };
    };

// A checkpoint already there is never changed: the row that came first is the evidence.
const INSERT = (table: string): string =>
  `INSERT INTO ${table} (origin, size, root, note) VALUES ($1, $2, $3, $4) ON CONFLICT (origin, size) DO NOTHING`;
const SELECT = (table: string): string => `SELECT root, note FROM ${table} WHERE origin = $1 AND size = $2`;

/**
 * Store a signed checkpoint in the table's checkpoint table (`<table>_checkpoints`, made by
 * `migrateSubstrate`), off the host that wrote the audit file. Idempotent: the same checkpoint
 * again is a success that inserts nothing. A different root or note at the same `(origin, size)`
 * is not written over but returned as a conflict with what is stored, since the same tree size
 * can have only one root: the file was rewritten, or two logs share one origin.
 *
 * Needs only INSERT and SELECT on the table (what `grantWriter` gives). Throws a TypeError on an
 * invalid checkpoint or a RangeError on an invalid table name, before anything is sent; rejects
 * with the driver's error when the database refuses.
 */
export async function insertCheckpoint(
  client: SubstrateClient,
  table: string | undefined,
  checkpoint: SubstrateCheckpoint,
): Promise<InsertCheckpointResult> {
  const { origin, size, root, note } = parseSubstrateCheckpoint('insertCheckpoint', checkpoint);
  const target = parseSubstrateTable(table);
  const inserted = await client.query(INSERT(target.checkpointsSql), [origin, size, root, note]);
  if ((inserted.rowCount ?? 0) > 0) return { ok: true, inserted: true };
  // Read in a statement of its own: it sees the row a concurrent insert committed, which a
  // read in the inserting statement (one snapshot) would not.
  const found = await client.query<{ root: string; note: string }>(SELECT(target.checkpointsSql), [origin, size]);
  const stored = found.rows[0];
  // Rows are never deleted by a writer; only an owner removing the row meanwhile gets here.
  if (stored === undefined) throw new Error(`insertCheckpoint: the checkpoint at this origin and size was removed while it was stored`);
  if (stored.root === root && stored.note === note) return { ok: true, inserted: false };
  return { ok: false, reason: 'conflict', stored: { root: stored.root, note: stored.note } };
}
