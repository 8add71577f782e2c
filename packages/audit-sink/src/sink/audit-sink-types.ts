import type { ArgsDigester } from '../digest/create-args-digester.js';
import type { Seam } from '../seam/define-seam.js';
import type { LossReason } from '../lifecycle/loss-reasons.js';
import type { AuditLogger, EmitContext, EmitOutcome, SkipReason } from '../seam/emit-types.js';

/** `sync`: one `write` per emit. `batched`: whole lines gathered and written together. */
export type SinkMode = 'sync' | 'batched';

/**
 * `best-effort`: emit never throws and a failed write is counted and warned about.
 * `required`: every row is written before emit returns, and a failure is reported to the
 * caller, who must refuse the action it was about to audit.
 */
export type FailurePolicy = 'best-effort' | 'required';

/**
 * Options of {@link createAuditSink}; all optional. An option left out (or `undefined`) takes
 * its default; one that is given must be valid, else `createAuditSink` throws: a TypeError for
 * a value of the wrong type, a RangeError for a number outside its range or not whole, or an
 * unknown `mode` or `failure`. Nothing is clamped or silently replaced.
 */
export interface AuditSinkOptions {
  /** The JSONL file, a non-empty path; defaults to {@link resolveAuditLogPath}. */
  readonly path?: string;
  /** Defaults to `sync`, or `batched` when `batchSize` > 0. */
  readonly mode?: SinkMode;
  /** Rows per batch in batched mode, 0–1,000,000 (default 100; 0 means the default). */
  readonly batchSize?: number;
  /** Longest a row waits in batched mode, in whole milliseconds, 1–3,600,000 (default 1000). */
  readonly flushIntervalMs?: number;
  /** Defaults to `best-effort`. */
  readonly failure?: FailurePolicy;
  /** Where `[kora.audit.*]` warnings go; defaults to the process logger (pino to stdout). */
  readonly logger?: AuditLogger;
  /** The clock, for tests; defaults to `Date.now`. */
  readonly clock?: () => number;
  /** Largest row in bytes, newline included, 1,024–16,777,216 (default 16 KiB). */
  readonly maxRowBytes?: number;
  /** Whether to flush on `beforeExit`, `exit`, SIGINT and SIGTERM (default true). */
  readonly flushOnExit?: boolean;
  /**
   * Whether SIGHUP reopens the file, for logrotate's `create` mode (default true). While any
   * sink with this on is open, SIGHUP no longer ends the process.
   */
  readonly reopenOnHangup?: boolean;
  /**
   * A further writer (a database, a queue) given every row once it is in the file: the file
   * stays the source of truth, and a mirror that falls behind or fails costs the file nothing.
   */
  readonly mirror?: RowMirror;
  /**
   * Keyed digests of tool-call arguments (see `createArgsDigester`): seams that audit tool calls
   * add `args_digest` to their rows when this is set. Default: none.
   */
  readonly argsDigester?: ArgsDigester;
}

/**
 * A third writer beside the line and the file. The sink calls `write` with rows that reached
 * the file, in file order, on the emitting thread: it must queue them and return at once.
 */
export interface RowMirror {
  /** Rows that are now in the file: JSONL lines, each ending in `\n`. Must not throw or block. */
  write(rows: readonly string[]): void;
  /** Deliver what is queued, or give up on it; the sink's `close` waits for this. */
  close?(): Promise<void>;
}

/** Counters an operator reads on `/healthz` and in `kora-audit stats`. */
export interface AuditSinkStats {
  /** Rows written to the file. */
  readonly rowsWritten: number;
  /** Rows waiting in the batch buffer. */
  readonly rowsPending: number;
  /** Rows not written, by reason. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** Values replaced by `[REDACTED:<rule>]`. */
  readonly redacted: number;
  /** Rows cut down to fit the size cap. */
  readonly truncated: number;
  /** Failed writes (each may have carried several rows). */
  readonly writeFailures: number;
  /** The last write error, or null; kept after writing resumes, for the record. */
  readonly lastError: { readonly code: string; readonly at: string } | null;
  /** True from a failed write until a write succeeds: the disk is refusing rows now. */
  readonly writeFailing: boolean;
  /** Times the file was reopened (rotation, recovery). */
  readonly reopens: number;
  /** Times the mirror threw when handed rows (the rows are in the file regardless). */
  readonly mirrorFailures: number;
  /** This sink as a writer: its id, its place in its sequence and the rows it lost. */
  readonly writer: AuditWriterStats;
}

/** A sink's position as a writer, in {@link AuditSinkStats}. */
export interface AuditWriterStats {
  /** The id of its `audit.opened` row (the `writer` of its rows), or null before its first row. */
  readonly id: string | null;
  /** The last sequence number given out, 0 before the first. */
  readonly seq: number;
  /** Rows it numbered that will never reach the file, by reason (loss rows' own losses included). */
  readonly lost: Readonly<Partial<Record<LossReason, number>>>;
}

/** The audit sink: validates, guards and appends rows to one JSONL file. */
export interface AuditSink {
  /** The file rows go to. */
  readonly path: string;
  readonly mode: SinkMode;
  readonly failure: FailurePolicy;
  /** The digester of tool-call arguments given in the options, if any. */
  readonly argsDigester: ArgsDigester | undefined;
  /** Write one row. Never throws in best-effort mode. */
  emit(seam: Seam, details: unknown, context?: EmitContext): EmitOutcome;
  /**
   * Write the verbatim line to `logger` and then the row, guarding both with one scan.
   * Seam emit helpers call this through {@link emitSeamEvent}.
   */
  emitWithLine(seam: Seam, details: unknown, context: EmitContext | undefined, logger: AuditLogger): EmitOutcome;
  /** Write any batched rows now. */
  flush(): Promise<void>;
  /** Flush and close the file; later emits are skipped as `sink_closed`. */
  close(): Promise<void>;
  /**
   * Let go of the file so that the next write opens the path again (after rotation; SIGHUP
   * calls this unless `reopenOnHangup` is false). Rows waiting in a batch go to the new file.
   */
  reopen(): void;
  /** A snapshot of the counters. */
  stats(): AuditSinkStats;
}
