import type { AuditLogger, Seam } from '@kora/audit-sink';
import type { ExportFormat } from '../formats/export-format.js';
import type { ExportContext } from '../mapping/export-row.js';
import type { ExportTarget } from '../targets/export-target.js';
import type { EncodingWorkerSource } from './encoding-worker-protocol.js';

/** Options of {@link createExporter}. */
export interface ExporterOptions {
  /** The live audit file, an absolute path; its rotated files `path.1`, `path.2`, … come first. */
  readonly path: string;
  readonly format: ExportFormat;
  /** Where the records go. */
  readonly target: ExportTarget;
  /** Where the position is kept; null: every row from the oldest file, and nothing kept. */
  readonly checkpointPath: string | null;
  /** The seams whose rows are exported (every other row is skipped). */
  readonly seams: readonly Seam[];
  /** What every record says of its origin (the log path is `path`'s). */
  readonly context: Omit<ExportContext, 'logPath' | 'now'> & { readonly now?: (() => number) | undefined };
  /** Keep exporting new rows until stopped (default false: export what is there and end). */
  readonly follow?: boolean | undefined;
  /** Rows per batch at most (default 2000). */
  readonly batchRows?: number | undefined;
  /** Compute each line's seal leaf hash (default: when `path.checkpoints` exists). */
  readonly leafHashes?: boolean | undefined;
  /** Stop when the target has refused every batch this long (default: never). */
  readonly giveUpAfterMs?: number | undefined;
  /**
   * Map and encode in a worker thread, while this one reads the audit file and writes the
   * output. Only for targets that write bytes (a file or a stream); the workers' seams must be
   * `seams` (same names and export mappings), or they refuse to start.
   */
  readonly encodeInWorker?: EncodingWorkerSource | undefined;
  /** How often to look for new rows when the directory watch is silent (default 1000 ms). */
  readonly pollMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Where progress and warnings go; warnings name files, offsets and reasons, never row content. */
  readonly logger: AuditLogger;
}

/** What an export did. */
export interface ExporterStats {
  readonly rowsExported: number;
  readonly linesSkipped: {
    readonly blank: number;
    readonly malformed: number;
    readonly invalid: number;
    readonly invalidDetails: number;
    readonly unknownSeam: number;
  };
  /** Batches the target refused (each was retried). */
  readonly deliveryFailures: number;
  /** Whether the export stopped because the target stayed unreachable. */
  readonly gaveUp: boolean;
  readonly file: string | null;
  readonly offset: number;
}

/** A running export. */
export interface Exporter {
  /** Export until done (or stopped); resolves with what was done. Call once. */
  run(): Promise<ExporterStats>;
  stop(): void;
}
