import { parseCheckpoint } from '../note/checkpoint.js';
import type { ParseResult } from '../note/parse-result.js';

/**
 * One line of `<audit file>.checkpoints`. `size`, `root` and `note` are what a checker needs;
 * the others say where and when it was made. Only the note is signed: `size` and `root` must
 * equal the note's own, and a checker reads them from the note.
 */
export interface CheckpointRecord {
  /** The tree size: the first `size` lines of the chain. */
  readonly size: number;
  /** The root hash at that size, base64. */
  readonly root: string;
  /** The whole C2SP signed note: the checkpoint text, a blank line, the signature lines. */
  readonly note: string;
  /** The log's origin, as the note's first line. */
  readonly origin: string;
  /** The signing key, as `NAME+KEYID` (the verifier key without its public key). */
  readonly key: string;
  /** When the sealer signed it, ISO-8601 UTC (not signed). */
  readonly sealed_at: string;
}

// A record is a few hundred bytes; a longer line is not one of ours.
const MAX_RECORD_BYTES = 64 * 1024;

/** The record's line, without its newline. */
export function formatCheckpointRecord(record: CheckpointRecord): string {
  const { size, root, note, origin, key, sealed_at } = record;
  return JSON.stringify({ size, root, note, origin, key, sealed_at });
}

/**
 * Read one line of a checkpoints file. Refused with a reason (never the line's content): not
 * JSON, a missing or mistyped field, a note that is no checkpoint, or `size` and `root` that
 * differ from the note's. The signature is not checked here.
 */
export function parseCheckpointRecord(line: string): ParseResult<CheckpointRecord> {
  if (line.length > MAX_RECORD_BYTES) return { ok: false, error: 'the line is too long for a checkpoint record' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, error: 'the line is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'the line is not a JSON object' };
  const fields = value as Record<string, unknown>;
  const { size, root, note } = fields;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return { ok: false, error: 'size is not a whole number' };
  if (typeof root !== 'string') return { ok: false, error: 'root is not a string' };
  if (typeof note !== 'string') return { ok: false, error: 'note is not a string' };
  for (const key of ['origin', 'key', 'sealed_at'] as const) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') return { ok: false, error: `${key} is not a string` };
  }
  const blank = note.indexOf('\n\n');
  if (blank < 0) return { ok: false, error: 'the note has no signature block' };
  const checkpoint = parseCheckpoint(note.slice(0, blank + 1));
  if (!checkpoint.ok) return { ok: false, error: `the note's checkpoint: ${checkpoint.error}` };
  if (checkpoint.value.size !== size) return { ok: false, error: "size differs from the note's" };
  if (Buffer.from(checkpoint.value.root).toString('base64') !== root) return { ok: false, error: "root differs from the note's" };
  const origin = typeof fields.origin === 'string' ? fields.origin : checkpoint.value.origin;
  if (origin !== checkpoint.value.origin) return { ok: false, error: "origin differs from the note's" };
  return {
    ok: true,
    value: {
      size,
      root,
      note,
      origin,
      key: typeof fields.key === 'string' ? fields.key : '',
      sealed_at: typeof fields.sealed_at === 'string' ? fields.sealed_at : '',
    },
  };
}
