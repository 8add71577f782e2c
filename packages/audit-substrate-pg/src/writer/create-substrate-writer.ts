import { hostname } from 'node:os';
import { readIntegerOption } from '@kora/audit-sink';
import type { AuditLogger, RowMirror } from '@kora/audit-sink';
import { insertAuditLines } from '../insert-audit-rows.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { classifyDatabaseError, readDatabaseErrorCode } from '../classify-database-error.js';
import { createRetryBackoff } from '@kora/audit-sink/tail';
import type { SubstrateClient } from '../substrate-client.js';
import { parseSubstrateTable } from '../substrate-table.js';

const OWNER = 'createSubstrateWriter';
const BATCH_ROWS = { min: 1, max: 50_000, fallback: 500 };
const FLUSH_INTERVAL_MS = { min: 1, max: 3_600_000, fallback: 200 };
const MAX_QUEUED_ROWS = 10_000_000;
const DEFAULT_MAX_QUEUED_ROWS = 50_000;
const CLOSE_TIMEOUT_MS = { min: 0, max: 3_600_000, fallback: 5_000 };
// A queue that overflows does so on every write: warn once, then at most once a minute.
const DROP_WARNING_INTERVAL_MS = 60_000;

/**
 * Options of {@link createSubstrateWriter}. An option left out (or `undefined`) takes its
 * default; one that is given must be valid, else `createSubstrateWriter` throws a TypeError
 * (wrong type) or a RangeError (out of range, not a whole number, an empty `originHost`, a
 * table name that is not an identifier). Nothing is clamped.
 */
export interface SubstrateWriterOptions {
  /** Where the rows go: a `pg.Pool` (the writer holds one connection at a time). */
  readonly client: SubstrateClient;
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /** The layout of the table when the writer has to create it (see `migrateSubstrate`; default plain). */
  readonly layout?: 'plain' | 'daily' | undefined;
  /** Stored in `origin_host`, not empty (default `os.hostname()`). */
  readonly originHost?: string | undefined;
  /** Rows per insert, 1–50,000 (default 500). */
  readonly batchRows?: number | undefined;
  /** Longest a row waits for a batch to fill, in whole milliseconds, 1–3,600,000 (default 200). */
  readonly flushIntervalMs?: number | undefined;
  /**
   * Rows held while the database is unreachable, from `batchRows` to 10,000,000 (default
   * 50,000); beyond this the oldest are
   * dropped from the queue, counted and warned about. They stay in the audit file, from which
   * `kora-audit ship` fills the gap.
   */
  readonly maxQueuedRows?: number | undefined;
  /** How long `close` keeps trying to deliver what is queued, 0–3,600,000 ms (default 5 s). */
  readonly closeTimeoutMs?: number | undefined;
  /** Where `[kora.audit.substrate_*]` warnings go. */
  readonly logger: AuditLogger;
  /** The clock, for tests (default `Date.now`). */
  readonly clock?: (() => number) | undefined;
  /** The timers the writer waits with, for tests (default: Node's, not keeping the process alive). */
  readonly timers?: WriterTimers | undefined;
  /** The jitter source, a number in [0, 1), for tests (default `Math.random`). */
  readonly random?: (() => number) | undefined;
}

/** Timers as {@link createSubstrateWriter} uses them: `setTimeout` and `clearTimeout`. */
export interface WriterTimers {
  /** Call `callback` once after `delayMs` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancel a timer that has not fired. */
  clearTimeout(handle: unknown): void;
}

// Waiting rows must not keep the process alive: they are in the file.
const NODE_TIMERS: WriterTimers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Counters of a {@link SubstrateWriter}. */
export interface SubstrateWriterStats {
  /** Rows handed to the writer. */
  readonly rowsReceived: number;
  /** Rows the table now holds from this writer (a row it held already counts too). */
  readonly rowsDelivered: number;
  /** Rows waiting for the database. */
  readonly rowsQueued: number;
  /** Rows dropped from a full queue, or still queued when `close` gave up. */
  readonly rowsDropped: number;
  /** Rows the database refused as data (a value it cannot store): never retried. */
  readonly rowsRejected: number;
  /** Inserts that failed (each is retried, unless its rows were refused). */
  readonly insertFailures: number;
  /** True from a failed insert until one succeeds. */
  readonly failing: boolean;
  /** The last insert error: its code (SQLSTATE or socket error), never its message. */
  readonly lastError: { readonly code: string; readonly at: string } | null;
}

/** The database writer of a sink: its `mirror`, plus a flush, counters and `close`. */
export interface SubstrateWriter extends RowMirror {
  /** Deliver everything queued now (retrying as usual); resolves when the queue is empty or the writer is closed. */
  flush(): Promise<void>;
  /** Deliver what is queued within `closeTimeoutMs`, then stop; what is left is counted as dropped. */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): SubstrateWriterStats;
}

/**
 * A third writer for an audit sink (`createAuditSink({ mirror })`): rows that reached the
 * file are queued and inserted in batches off the emitting path, idempotently (a row already
 * in the table is left alone). While the database is unreachable the rows wait, and inserts
 * are retried with exponential backoff and jitter, 100 ms doubling per failed insert to 30 s
 * (rows arriving meanwhile do not add to it; a success starts it again); a warning names
 * the error code once per outage and once on recovery, never a row or the connection string.
 * The audit file stays the source of truth: rows the writer could not deliver are counted,
 * and `kora-audit ship` delivers them from the file. Make the pool with `createSubstratePool`
 * (or give yours a connect and a query timeout): else an insert on a connection that stops
 * answering waits as long as the operating system keeps the socket, and nothing is retried.
 */
export function createSubstrateWriter(options: SubstrateWriterOptions): SubstrateWriter {
  const { client, logger } = options;
  const table = options.table;
  // Checked now: a bad name would otherwise fail every insert, and be retried for ever.
  parseSubstrateTable(table);
  const originHost = options.originHost ?? hostname();
  if (typeof originHost !== 'string' || originHost === '') throw new RangeError(`${OWNER}: originHost must not be empty`);
  const batchRows = readIntegerOption(OWNER, 'batchRows', options.batchRows, BATCH_ROWS);
  const flushIntervalMs = readIntegerOption(OWNER, 'flushIntervalMs', options.flushIntervalMs, FLUSH_INTERVAL_MS);
  const maxQueuedRows = readIntegerOption(OWNER, 'maxQueuedRows', options.maxQueuedRows, {
    min: batchRows,
    max: MAX_QUEUED_ROWS,
    fallback: DEFAULT_MAX_QUEUED_ROWS,
  });
  const closeTimeoutMs = readIntegerOption(OWNER, 'closeTimeoutMs', options.closeTimeoutMs, CLOSE_TIMEOUT_MS);
  const clock = options.clock ?? Date.now;
  const timers = options.timers ?? NODE_TIMERS;
  const backoff = createRetryBackoff({ random: options.random });

  let queue: string[] = [];
  let timer: unknown = null;
  let inFlight: Promise<void> | null = null;
  let closed = false;
  let lastDropWarningAt = Number.NEGATIVE_INFINITY;
  const counters = {
    rowsReceived: 0,
    rowsDelivered: 0,
    rowsDropped: 0,
    rowsRejected: 0,
    insertFailures: 0,
    failing: false,
    lastError: null as { code: string; at: string } | null,
  };

  function warn(message: string): void {
    try {
      logger.warn(message);
    } catch {
      // A broken logger must not stop the rows.
    }
  }

  function schedule(delayMs: number): void {
    if (timer !== null || inFlight !== null || closed) return;
    timer = timers.setTimeout(() => {
      timer = null;
      void drain();
    }, delayMs);
  }

  /** Insert batches until the queue is empty or an insert fails (then retry later). */
  function drain(): Promise<void> {
    if (inFlight !== null) return inFlight;
    if (timer !== null) {
      timers.clearTimeout(timer);
      timer = null;
    }
    inFlight = (async () => {
      while (queue.length > 0) {
        const batch = queue.slice(0, batchRows);
        const delivered = await deliver(batch);
        if (!delivered) return;
        // Rows queued meanwhile sit behind the batch; drop exactly what was sent.
        queue = queue.slice(batch.length);
      }
    })().finally(() => {
      inFlight = null;
      if (queue.length > 0) schedule(counters.failing ? backoff.delayMs() : flushIntervalMs);
    });
    return inFlight;
  }

  /** One insert of `batch`; true when its rows are in the table or refused for good. */
  async function deliver(batch: readonly string[]): Promise<boolean> {
    try {
      await insertAuditLines(client, batch, { table, originHost });
      counters.rowsDelivered += batch.length;
      recovered();
      return true;
    } catch (error) {
      const kind = classifyDatabaseError(error);
      if (kind === 'rejected') return deliverOneByOne(batch);
      if (kind === 'missing_table') await migrateSubstrate(client, { table, layout: options.layout }).catch(() => undefined);
      failed(error);
      return false;
    }
  }

  /** A batch the server refused as data: find the rows it refuses, pass over them, keep the rest. */
  async function deliverOneByOne(batch: readonly string[]): Promise<boolean> {
    for (const [index, line] of batch.entries()) {
      try {
        await insertAuditLines(client, [line], { table, originHost });
        counters.rowsDelivered += 1;
      } catch (error) {
        if (classifyDatabaseError(error) !== 'rejected') {
          // Delivered rows are done; the rest of the batch waits for the retry.
          queue = [...batch.slice(index), ...queue.slice(batch.length)];
          failed(error);
          return false;
        }
        counters.rowsRejected += 1;
        warn(`[kora.audit.substrate_rejected] code=${readDatabaseErrorCode(error)} id=${readRowId(line)}`);
      }
    }
    recovered();
    return true;
  }

  function failed(error: unknown): void {
    counters.insertFailures += 1;
    const code = readDatabaseErrorCode(error);
    counters.lastError = { code, at: new Date(clock()).toISOString() };
    if (!counters.failing)
      warn(`[kora.audit.substrate_failed] code=${code} rows_queued=${queue.length} (retrying; the rows are in the audit file)`);
    counters.failing = true;
    backoff.failed();
  }

  function recovered(): void {
    if (counters.failing) warn(`[kora.audit.substrate_recovered] rows_queued=${queue.length} failures=${counters.insertFailures}`);
    counters.failing = false;
    backoff.succeeded();
  }

  /** Resolves after `ms` milliseconds (without keeping the process alive, with Node's timers). */
  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => void timers.setTimeout(resolve, Math.max(0, ms)));
  }

  function drop(rows: number, reason: string): void {
    counters.rowsDropped += rows;
    const now = clock();
    if (now - lastDropWarningAt < DROP_WARNING_INTERVAL_MS) return;
    lastDropWarningAt = now;
    warn(
      `[kora.audit.substrate_dropped] rows=${rows} dropped=${counters.rowsDropped} reason=${reason} (the rows are in the audit file: run kora-audit ship)`,
    );
  }

  return {
    write(rows) {
      if (closed || rows.length === 0) return;
      counters.rowsReceived += rows.length;
      for (const row of rows) queue.push(row);
      if (queue.length > maxQueuedRows) {
        const overflow = queue.length - maxQueuedRows;
        // The batch in flight is at the head of the queue: the oldest waiting rows go.
        const keepHead = inFlight === null ? 0 : Math.min(batchRows, queue.length);
        queue.splice(keepHead, overflow);
        drop(overflow, 'queue_full');
      }
      if (counters.failing) schedule(backoff.delayMs());
      else if (queue.length >= batchRows) void drain();
      else schedule(flushIntervalMs);
    },
    async flush() {
      while (queue.length > 0 && !closed) {
        await drain();
        if (counters.failing) return;
      }
    },
    async close() {
      if (closed) return;
      const deadline = clock() + closeTimeoutMs;
      while (queue.length > 0 && clock() < deadline) {
        const failuresBefore = counters.insertFailures;
        await Promise.race([drain(), sleep(deadline - clock())]);
        if (queue.length > 0 && counters.insertFailures > failuresBefore) await sleep(Math.min(backoff.delayMs(), deadline - clock()));
      }
      closed = true;
      if (timer !== null) {
        timers.clearTimeout(timer);
        timer = null;
      }
      if (queue.length > 0) {
        lastDropWarningAt = Number.NEGATIVE_INFINITY;
        drop(queue.length, 'closed');
        queue = [];
      }
    },
    stats: () => ({
      rowsReceived: counters.rowsReceived,
      rowsDelivered: counters.rowsDelivered,
      rowsQueued: queue.length,
      rowsDropped: counters.rowsDropped,
      rowsRejected: counters.rowsRejected,
      insertFailures: counters.insertFailures,
      failing: counters.failing,
      lastError: counters.lastError,
    }),
  };
}

const ROW_ID = /^\{"v":1,"id":"([0-9a-f-]{36})"/;

/** The row's id for a warning (a UUID names the row without its content), or `?`. */
function readRowId(line: string): string {
  return ROW_ID.exec(line)?.[1] ?? '?';
}
