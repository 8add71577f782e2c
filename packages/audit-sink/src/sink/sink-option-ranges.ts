/**
 * The ranges of the sink's numeric options, shared by {@link createAuditSink} and the
 * `KORA_AUDIT_*` variables: a value either accepts, the other accepts too.
 */
export const SINK_OPTION_RANGES = {
  /** Rows per batch; 0 asks for no batching (or, with `mode: 'batched'`, the default 100). */
  batchSize: { min: 0, max: 1_000_000, fallback: 0 },
  /** Longest a row waits in a batch, in milliseconds. */
  flushIntervalMs: { min: 1, max: 3_600_000, fallback: 1000 },
  /** Largest row in bytes, newline included: 1 KiB to 16 MiB. */
  maxRowBytes: { min: 1024, max: 16 * 1024 * 1024, fallback: 16 * 1024 },
} as const;
