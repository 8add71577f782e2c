import { z } from 'zod';

/** Keys an `extra` record holds at most. */
export const MAX_EXTRA_KEYS = 32;
/** Characters an `extra` string value holds at most. */
export const MAX_EXTRA_STRING_LENGTH = 1024;
// Lower-case words joined by `_`: a key can be named in an error or a log line as it is.
const EXTRA_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * What the follower keeps beside the position, written in the same atomic write: a flat record
 * of short keys to a string, a finite number or null. Bounded, because the checkpoint file is
 * read back as untrusted input.
 */
export const tailCheckpointExtra = z
  // The keys are checked on the record as given: a record schema passes over a `__proto__`
  // key in silence, and a checkpoint holding one is not what this code wrote.
  .custom<Record<string, unknown>>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.keys(value).length <= MAX_EXTRA_KEYS &&
      Object.keys(value).every((key) => EXTRA_KEY.test(key)),
    { message: `at most ${MAX_EXTRA_KEYS} keys, each matching ${EXTRA_KEY.source}` },
  )
  .pipe(z.record(z.string().regex(EXTRA_KEY), z.union([z.string().max(MAX_EXTRA_STRING_LENGTH), z.number(), z.null()])));

/** A checkpoint's `extra`: what the follower stored with the position. */
export type TailCheckpointExtra = z.infer<typeof tailCheckpointExtra>;

/**
 * Where following an audit file stands, as a log shipper's registry file has it (Filebeat,
 * Vector, Fluent Bit): the file by device and inode, a fingerprint of its first bytes because
 * inodes are reused, and the byte offset up to which every row is delivered.
 */
export const tailCheckpoint = z.strictObject({
  /** Layout version of this file. */
  v: z.literal(1),
  /** The live audit file this checkpoint follows (the rotated files are `path.1`, `path.2`, …). */
  path: z.string().min(1),
  /** Device and inode of the file being read, decimal. */
  dev: z.string().regex(/^\d{1,40}$/),
  ino: z.string().regex(/^\d{1,40}$/),
  /** Bytes of that file whose rows are all delivered (or were skipped as bad lines). */
  offset: z.number().int().min(0),
  /** SHA-256 of the file's first `bytes` bytes; null while nothing of the file was delivered. */
  fingerprint: z
    .strictObject({
      bytes: z.number().int().min(1).max(4096),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .nullable(),
  /** When the checkpoint was written, ISO-8601 UTC. */
  updated_at: z.string(),
  /** What the follower stored with this position (its output's size, say); absent when it stores nothing. */
  extra: tailCheckpointExtra.optional(),
});

/** A parsed checkpoint file. */
export type TailCheckpoint = z.infer<typeof tailCheckpoint>;
