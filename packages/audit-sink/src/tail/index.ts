// @kora/audit-sink/tail: follow an audit file and its rotated files from a checkpoint, whole
// lines only, for a program that delivers the rows elsewhere (the shipper, an exporter): the
// resumable cursor, its checkpoint file, the line reader under it, the directory watch, and
// the waits and retry backoff of a delivery loop.
export { TailCursor } from './tail-cursor.js';
export type { TailCursorOptions, TailCursorStep, TailedFile } from './tail-cursor.js';
export { LineBatchReader } from './read-line-batch.js';
export type { LineBatch, LineBatchLimits, SkippedLine, UnclassifiedLines } from './read-line-batch.js';
export { MAX_EXTRA_KEYS, MAX_EXTRA_STRING_LENGTH, tailCheckpoint, tailCheckpointExtra } from './tail-checkpoint.js';
export type { TailCheckpoint, TailCheckpointExtra } from './tail-checkpoint.js';
export { readTailCheckpoint } from './read-tail-checkpoint.js';
export type { ReadTailCheckpointOptions } from './read-tail-checkpoint.js';
export { watchAuditDirectory } from './watch-audit-directory.js';
export type { FileFingerprint } from '../files/file-fingerprint.js';
export { createTailPause } from './create-tail-pause.js';
export type { TailPause } from './create-tail-pause.js';
export { createRetryBackoff } from './create-retry-backoff.js';
export type { RetryBackoff, RetryBackoffOptions } from './create-retry-backoff.js';
export { createSkipWarner } from './create-skip-warner.js';
