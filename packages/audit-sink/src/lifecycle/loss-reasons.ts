/**
 * Why a writer lost a row it had numbered:
 * - `write_failed`: the file refused the write (a full disk, a revoked permission) and the
 *   row had to be written at once (sync mode, or `required`), so it was not kept for retry;
 * - `queue_full`: in batched mode, rows kept for retry while the disk refused them passed the
 *   cap, and the oldest were dropped;
 * - `invalid_details`, `invalid_envelope`, `unknown_seam`: the sink refused the row.
 */
export const LOSS_REASONS = ['write_failed', 'queue_full', 'invalid_details', 'invalid_envelope', 'unknown_seam'] as const;

/** One of {@link LOSS_REASONS}. */
export type LossReason = (typeof LOSS_REASONS)[number];

/** The events that end a writer: `close()`, the process's `exit`, or a signal that ends it. */
export const CLOSE_TRIGGERS = ['close', 'exit', 'SIGINT', 'SIGTERM'] as const;

/** One of {@link CLOSE_TRIGGERS}. */
export type CloseTrigger = (typeof CLOSE_TRIGGERS)[number];
