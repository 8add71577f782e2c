import type { WriterLedger } from '../lifecycle/create-writer-ledger.js';
import type { SkipReason } from '../seam/emit-types.js';
import { AppendError } from './append-file.js';
import type { AppendFile } from './append-file.js';
import type { RowMirror } from './audit-sink-types.js';

// Rows kept for retry while the disk refuses writes; beyond this the oldest are dropped.
const MAX_PENDING_ROWS = 10_000;
// A full disk fails every write: warn once, then at most once a minute with a count.
const WRITE_WARNING_INTERVAL_MS = 60_000;

/** The sink's counters that writing moves; the sink reads them for `stats()`. */
export interface SinkWriteCounters {
  /** Rows of callers written; the writer's own `audit.*` rows are not counted here. */
  rowsWritten: number;
  writeFailures: number;
  mirrorFailures: number;
  skipped: Partial<Record<SkipReason, number>>;
  lastError: { code: string; at: string } | null;
}

/** What {@link createSinkFileWriter} needs of its sink. */
export interface SinkFileWriterOptions {
  readonly file: AppendFile;
  readonly mirror: RowMirror | undefined;
  /** Rows per `write` in batched mode; 1 when every row is written as it comes. */
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Sync mode, or `required`: every row is written before emit returns, none waits in a batch. */
  readonly writesImmediately: boolean;
  readonly clock: () => number;
  readonly counters: SinkWriteCounters;
  /** Told which rows reached the file and which were lost, by their sequence numbers. */
  readonly ledger: Pick<WriterLedger, 'lose' | 'written'>;
  /** Called before each write of what waits: the sink adds its `audit.lost` rows for losses not yet named. */
  readonly beforeWrite?: () => void;
  /** Logs a warning; never throws. */
  readonly warn: (message: string) => void;
}

/** The file side of a sink: whole rows appended, batched and retried, then handed to the mirror. */
export interface SinkFileWriter {
  /**
   * Take one serialized row: written now (sync or `required`), or batched and written when the
   * batch is full or the flush interval ends. False when a row that had to be written now was not.
   * `seq` is the row's sequence number in its writer; `own` marks the writer's own `audit.*` rows,
   * which are not counted among the callers' rows and do not fill a batch: they go out with the
   * next row (in the same write), with the batch, or at `flush`/`close`.
   */
  add(row: string, seq: number, own?: boolean): boolean;
  /** Write every waiting row in one `write`; false when the write failed (the rows are kept). */
  flush(): boolean;
  /** Write what waits, and stop retrying on the interval. */
  close(): void;
  /** Callers' rows waiting in the batch buffer. */
  pendingRows(): number;
  /** True from a failed write until one succeeds. */
  writeFailing(): boolean;
}

/**
 * Write a sink's rows to its file: each `write` holds whole lines only. A failed write (a full
 * disk, a revoked permission) keeps the rows that did not reach the file and retries them on
 * the flush interval and with the next row (a row the disk cut short is retried whole, after a
 * newline ends its head), at most 10,000 in batched mode, the oldest dropped beyond that; rows
 * that had to be written now are counted as lost instead. Failures are warned about at most
 * once a minute, with a count of the warnings held back.
 */
export function createSinkFileWriter(options: SinkFileWriterOptions): SinkFileWriter {
  const { file, mirror, batchSize, flushIntervalMs, writesImmediately, clock, counters, warn, ledger, beforeWrite } = options;
  let pending: string[] = [];
  // The sequence number of each pending row, in step with `pending`.
  let pendingSeqs: number[] = [];
  // The sequence numbers of the writer's own rows not yet written or lost: a handful at most.
  const ownSeqs = new Set<number>();

  /** How many of the rows numbered `first` to `last` that were on their way are the writer's own; they are no longer on their way. */
  function settleOwn(first: number, last: number): number {
    if (ownSeqs.size === 0) return 0;
    let own = 0;
    for (const seq of ownSeqs) {
      if (seq >= first && seq <= last) {
        ownSeqs.delete(seq);
        own += 1;
      }
    }
    return own;
  }

  /** Tell the ledger the row numbered `seq` is lost; true when it was a caller's row. */
  function lose(seq: number, reason: 'write_failed' | 'queue_full'): boolean {
    ledger.lose(seq, reason);
    return !ownSeqs.delete(seq);
  }
  let flushTimer: NodeJS.Timeout | null = null;
  let closed = false;
  let writeFailing = false;
  let lastWriteWarningAt = Number.NEGATIVE_INFINITY;
  let lastMirrorWarningAt = Number.NEGATIVE_INFINITY;
  let suppressedWriteWarnings = 0;

  function recordWriteFailure(error: AppendError, rowsLost: number): void {
    counters.writeFailures += 1;
    writeFailing = true;
    counters.lastError = { code: error.code, at: new Date(clock()).toISOString() };
    if (rowsLost > 0) counters.skipped.write_failed = (counters.skipped.write_failed ?? 0) + rowsLost;
    const now = clock();
    if (now - lastWriteWarningAt < WRITE_WARNING_INTERVAL_MS) {
      suppressedWriteWarnings += 1;
      return;
    }
    lastWriteWarningAt = now;
    const suppressed = suppressedWriteWarnings > 0 ? ` suppressed=${suppressedWriteWarnings}` : '';
    suppressedWriteWarnings = 0;
    warn(`[kora.audit.skipped] reason=write_failed code=${error.code} rows=${rowsLost}${suppressed} path=${file.path}`);
  }

  /** Write all pending rows in one `write`; keep what did not reach the file for the next try. */
  function writePending(): boolean {
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    if (pending.length === 0) return true;
    // Losses not yet named get their `audit.lost` rows now, in this write.
    beforeWrite?.();
    const batch = pending;
    const seqs = pendingSeqs;
    pending = [];
    pendingSeqs = [];
    return writeRows(batch, seqs, batch.join(''));
  }

  /** Append `text`, the concatenation of `batch` (numbered `seqs`); on failure, hold back what did not land. */
  function writeRows(batch: readonly string[], seqs: readonly number[], text: string): boolean {
    try {
      file.append(text);
      writeFailing = false;
      rowsLanded(batch, seqs);
      return true;
    } catch (error) {
      const appendError = error instanceof AppendError ? error : new AppendError('EUNKNOWN', 0, { cause: error });
      const landed = countLandedLines(batch, appendError.bytesWritten);
      if (landed > 0) rowsLanded(batch.slice(0, landed), seqs.slice(0, landed));
      // A row cut short by a full disk left a head that is not JSON; the next write ends that
      // line first, so the row is retried whole after it: neither lost nor read twice.
      pending = [...batch.slice(landed), ...pending];
      pendingSeqs = [...seqs.slice(landed), ...pendingSeqs];
      // Rows that had to be written now are lost; held ones past the cap, the oldest first.
      const dropped = writesImmediately
        ? dropOldest(pending.length, 'write_failed')
        : dropOldest(Math.max(0, pending.length - MAX_PENDING_ROWS), 'queue_full');
      recordWriteFailure(appendError, dropped);
      // Held rows are retried on the interval too, not only when the next emit comes along.
      if (!closed && pending.length > 0) scheduleFlush();
      return false;
    }
  }

  /** Hand rows that reached the file to the mirror; its failure is counted, never thrown. */
  function mirrorRows(rows: readonly string[]): void {
    if (mirror === undefined) return;
    try {
      mirror.write(rows);
    } catch {
      counters.mirrorFailures += 1;
      // A broken mirror fails every batch: warn once, then at most once a minute.
      const now = clock();
      if (now - lastMirrorWarningAt < WRITE_WARNING_INTERVAL_MS) return;
      lastMirrorWarningAt = now;
      warn(`[kora.audit.mirror_failed] rows=${rows.length} failures=${counters.mirrorFailures} path=${file.path}`);
    }
  }

  /** Rows that reached the file (numbered `seqs`): counted, told to the ledger, handed to the mirror. */
  function rowsLanded(rows: readonly string[], seqs: readonly number[]): void {
    const first = seqs[0]!;
    const last = seqs[seqs.length - 1]!;
    counters.rowsWritten += rows.length - settleOwn(first, last);
    ledger.written(first, last);
    mirrorRows(rows);
  }

  /** Drop the `count` oldest waiting rows, lost for `reason`; returns how many were callers' rows. */
  function dropOldest(count: number, reason: 'write_failed' | 'queue_full'): number {
    if (count === 0) return 0;
    let callers = 0;
    for (const seq of pendingSeqs.slice(0, count)) if (lose(seq, reason)) callers += 1;
    pending = pending.slice(count);
    pendingSeqs = pendingSeqs.slice(count);
    return callers;
  }

  function scheduleFlush(): void {
    if (flushTimer !== null) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      writePending();
      if (pending.length > 0) scheduleFlush();
    }, flushIntervalMs);
    // A waiting batch must not keep the process alive; exit hooks flush it instead.
    flushTimer.unref();
  }

  return {
    add(row, seq, own = false) {
      if (own) {
        // The writer's own rows go out in the next write: with the next row, the batch, or at close.
        ownSeqs.add(seq);
        pending.push(row);
        pendingSeqs.push(seq);
        return true;
      }
      if (writesImmediately && pending.length === 0) {
        // Nothing waits: the row goes out on its own.
        return writeRows([row], [seq], row);
      }
      pending.push(row);
      pendingSeqs.push(seq);
      if (writesImmediately) return writePending();
      if (writeFailing) {
        // While the disk refuses rows they are retried on the interval, not with every emit; past
        // the cap the oldest go.
        if (pending.length > MAX_PENDING_ROWS) {
          const dropped = dropOldest(pending.length - MAX_PENDING_ROWS, 'queue_full');
          counters.skipped.write_failed = (counters.skipped.write_failed ?? 0) + dropped;
        }
      } else if (pending.length - ownSeqs.size >= batchSize) {
        writePending();
        return true;
      }
      scheduleFlush();
      return true;
    },
    flush: writePending,
    close() {
      closed = true;
      writePending();
    },
    pendingRows: () => pending.length - ownSeqs.size,
    writeFailing: () => writeFailing,
  };
}

/**
 * How many of `lines` reached the file when the first `bytes` bytes of their concatenation
 * did. A line that lacks only its newline counts: its JSON is whole, and the next write
 * starts with the newline it is missing.
 */
function countLandedLines(lines: readonly string[], bytes: number): number {
  let remaining = bytes;
  let count = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, 'utf8');
    if (remaining >= size) {
      remaining -= size;
      count += 1;
      continue;
    }
    if (remaining > 0 && remaining === size - 1) count += 1;
    break;
  }
  return count;
}
