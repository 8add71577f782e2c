import { z } from 'zod';

/**
 * Where shipping stands, as a log shipper's registry file has it (Filebeat, Vector, Fluent
 * Bit): the file by device and inode, a fingerprint of its first bytes because inodes are
 * reused, and the byte offset up to which every row is committed in the database.
 */
export const shipCheckpoint = z.strictObject({
  /** Layout version of this file. */
  v: z.literal(1),
  /** The live audit file this checkpoint follows (the rotated files are `path.1`, `path.2`, …). */
  path: z.string().min(1),
  /** Device and inode of the file being shipped, decimal. */
  dev: z.string().regex(/^\d{1,40}$/),
  ino: z.string().regex(/^\d{1,40}$/),
  /** Bytes of that file whose rows are all in the database (or were skipped as bad lines). */
  offset: z.number().int().min(0),
  /** SHA-256 of the file's first `bytes` bytes; null while nothing of the file was shipped. */
  fingerprint: z
    .strictObject({
      bytes: z.number().int().min(1).max(4096),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .nullable(),
  /** When the checkpoint was written, ISO-8601 UTC. */
  updated_at: z.string(),
});

/** A parsed checkpoint file. */
export type ShipCheckpoint = z.infer<typeof shipCheckpoint>;

/** A file's fingerprint: the hash of its first bytes. */
export type FileFingerprint = NonNullable<ShipCheckpoint['fingerprint']>;
