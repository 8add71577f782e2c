import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { readIntegerOption } from '@kora/audit-sink';
import type { AuditLogger } from '@kora/audit-sink';
import { ROTATION_QUIET_MS, listChain, locateInChain, openChainFile, sameIdentity, statChainFile } from '@kora/audit-sink/reader';
import type { ChainFile, FileIdentity } from '@kora/audit-sink/reader';
import type pg from 'pg';
import { createRetryBackoff } from '../create-retry-backoff.js';
import { createSubstratePool } from '../create-substrate-pool.js';
import type { SubstrateTimeouts } from '../create-substrate-pool.js';
import { insertAuditLines } from '../insert-audit-rows.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { parseSubstrateTable } from '../substrate-table.js';
import { matchesFingerprint, takeFingerprint } from './file-fingerprint.js';
import { classifyDatabaseError, readDatabaseErrorCode } from '../classify-database-error.js';
import { LineBatchReader } from './read-line-batch.js';
import type { LineBatch } from './read-line-batch.js';
import { lockShipCheckpoint } from './lock-ship-checkpoint.js';
import type { ShipCheckpointLock } from './lock-ship-checkpoint.js';
import { readShipCheckpoint } from './read-ship-checkpoint.js';
import { readDatabasePassword, redactDatabaseUrl } from './redact-database-url.js';
import type { FileFingerprint, ShipCheckpoint } from './ship-checkpoint.js';
import { writeShipCheckpoint } from './write-ship-checkpoint.js';

const DEFAULT_BATCH_ROWS = 2_000;
const MAX_BATCH_ROWS = 50_000;
// A batch's JSON travels as one parameter; this keeps it far below the server's 1 GB limit.
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
// The sink accepts rows up to 16 MiB; a longer line is not a row.
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const POLL_MS = { min: 1, max: 3_600_000, fallback: 500 };
const RETRY_DELAY_MS = { min: 1, max: 3_600_000 };
const DEFAULT_CHECKPOINT_INTERVAL_MS = 200;
const SKIP_WARNINGS_PER_MINUTE = 10;
// Longer than the daemon's: a batch can be 50,000 rows, and a statement cancelled for taking
// too long would be retried as it is, for ever.
const SHIP_TIMEOUTS = { connectTimeoutMs: 10_000, statementTimeoutMs: 60_000, queryTimeoutMs: 70_000 } as const;

/** The timeouts that were given, so an explicit `undefined` does not hide a default. */
function definedTimeouts(timeouts: SubstrateTimeouts | undefined): SubstrateTimeouts {
  return Object.fromEntries(Object.entries(timeouts ?? {}).filter(([, value]) => value !== undefined));
}

/**
 * Options of {@link createShipper}. An option left out (or `undefined`) takes its default; one
 * that is given must be valid, else `createShipper` throws a TypeError (wrong type, or neither or
 * both of `pool` and `databaseUrl`) or a RangeError (out of range, not a whole number, an empty
 * `originHost`, a table name that is not an identifier). Nothing is clamped.
 */
export interface ShipperOptions {
  /** The live audit file; its rotated files `path.1`, `path.2`, … are shipped too, oldest first. */
  readonly path: string;
  /** A pool to insert through (the caller ends it). Give this or `databaseUrl`. */
  readonly pool?: pg.Pool | undefined;
  /** A PostgreSQL connection string; the shipper opens and ends its own pool. */
  readonly databaseUrl?: string | undefined;
  /**
   * Timeouts of the pool opened for `databaseUrl` (default: connect 10 s, statement 60 s, query
   * 70 s, keepalive after 10 s; a batch may be large). A statement that times out counts as an
   * outage: the batch is retried with backoff. Give your own `pool` its timeouts yourself
   * ({@link createSubstratePool}).
   */
  readonly timeouts?: SubstrateTimeouts | undefined;
  /** The checkpoint file (default `<path>.ship-checkpoint.json`). */
  readonly checkpointPath?: string | undefined;
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /** Stored in every row's `origin_host` (default `os.hostname()`). */
  readonly originHost?: string | undefined;
  /** Rows per insert, 1–50,000 (default 2,000). */
  readonly batchRows?: number | undefined;
  /** Keep shipping new rows until stopped (default false: ship what is there, then resolve). */
  readonly follow?: boolean | undefined;
  /** How often a followed file is checked when no change is signalled, 1–3,600,000 ms (default 500 ms). */
  readonly pollMs?: number | undefined;
  /** Stops the shipper, as {@link Shipper.stop} does. */
  readonly signal?: AbortSignal | undefined;
  /** Where `[kora.ship.*]` lines go (default: stderr). */
  readonly logger?: AuditLogger | undefined;
  /** Create the table if it is missing, before shipping (default true). */
  readonly migrate?: boolean | undefined;
  /**
   * Backoff while the database is unreachable: the first (and least) delay and the cap, each
   * 1–3,600,000 ms, the cap not under the first delay (default 100 ms, and 30 s or the first
   * delay if that is longer).
   */
  readonly retry?: { readonly initialDelayMs?: number | undefined; readonly maxDelayMs?: number | undefined } | undefined;
  /**
   * Stop once the database has been unreachable this long (default: never). `run` then
   * resolves with what was committed, and `stats().gaveUp` is true; the rest waits in the file
   * for the next run.
   */
  readonly giveUpAfterMs?: number | undefined;
}

/** Counters of one shipper. */
export interface ShipperStats {
  /** Rows committed to the table by this shipper (new or already there). */
  readonly rowsShipped: number;
  /** Of those, rows that were new to the table. */
  readonly rowsInserted: number;
  /** Statements that committed. */
  readonly batches: number;
  /** Lines passed over, by kind. `rejected`: valid rows the database refused to store. */
  readonly linesSkipped: { readonly blank: number; readonly malformed: number; readonly invalid: number; readonly rejected: number };
  /** Failed attempts to reach or write to the database. */
  readonly databaseFailures: number;
  /** False from a failed attempt until one succeeds. */
  readonly databaseAvailable: boolean;
  /** True when the shipper stopped because the database stayed away past `giveUpAfterMs`. */
  readonly gaveUp: boolean;
  /** The last database error's code (SQLSTATE or Node code), for the record. */
  readonly lastError: { readonly code: string; readonly at: string } | null;
  /** The file being shipped (as it was named when opened) and the committed offset in it. */
  readonly file: string | null;
  readonly offset: number;
}

/** A shipper of one audit file (and its rotated files) into the event log. */
export interface Shipper {
  /**
   * Ship until caught up (or, with `follow`, until stopped) and resolve with the counters.
   * Rejects on what an operator must fix: a damaged checkpoint, one kept for another file, or
   * one another shipper is using (`<checkpoint>.lock`). A database that is down is waited for
   * (up to `giveUpAfterMs`), never a rejection.
   */
  run(): Promise<ShipperStats>;
  /** Stop: the batch in flight is finished and checkpointed, then `run` resolves. */
  stop(): void;
  /** A snapshot of the counters. */
  stats(): ShipperStats;
}

/** The file being shipped. */
interface ShippedFile {
  readonly handle: FileHandle;
  readonly identity: FileIdentity;
  /** Its name when opened: `path` or `path.N`. */
  readonly name: string;
  offset: number;
  fingerprint: FileFingerprint | null;
}

/**
 * Make a shipper that tails an audit file from a checkpoint into the PostgreSQL event log.
 *
 * Delivery is at least once, and inserts are idempotent on `id`, so every row ends up in the
 * table exactly once: the checkpoint (file identity, fingerprint, byte offset) is written
 * atomically and only after the rows before it are committed, so a crash repeats a batch at
 * worst, and the repeat inserts nothing. Whole lines only are shipped; each is validated by the
 * strict envelope schema, and a bad one is counted, warned about (offset and reason, never its
 * content) and passed. Rotation by rename is followed (the old file is finished, then the newer
 * ones in order), and so is copytruncate (the copy's unshipped rows first, then the live file
 * from its start). While the database is down the shipper retries with exponential backoff and
 * jitter, warning once per outage; the rows wait in the file.
 */
export function createShipper(options: ShipperOptions): Shipper {
  const path = resolve(options.path);
  const checkpointPath = resolve(options.checkpointPath ?? `${path}.ship-checkpoint.json`);
  const table = parseSubstrateTable(options.table);
  const originHost = options.originHost ?? hostname();
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows > MAX_BATCH_ROWS) {
    throw new RangeError(`createShipper: batchRows must be an integer from 1 to ${MAX_BATCH_ROWS}`);
  }
  if (originHost === '') throw new RangeError('createShipper: originHost must not be empty');
  if ((options.pool === undefined) === (options.databaseUrl === undefined)) {
    throw new TypeError('createShipper: give either pool or databaseUrl');
  }
  const follow = options.follow === true;
  const pollMs = readIntegerOption('createShipper', 'pollMs', options.pollMs, POLL_MS);
  const initialDelayMs = readIntegerOption('createShipper', 'retry.initialDelayMs', options.retry?.initialDelayMs, { ...RETRY_DELAY_MS, fallback: 100 });
  const maxDelayMs = readIntegerOption('createShipper', 'retry.maxDelayMs', options.retry?.maxDelayMs, {
    min: initialDelayMs,
    max: RETRY_DELAY_MS.max,
    fallback: Math.max(30_000, initialDelayMs),
  });
  const retryBackoff = createRetryBackoff({ initialDelayMs, maxDelayMs });
  const giveUpAfterMs = options.giveUpAfterMs;
  if (giveUpAfterMs !== undefined && (!Number.isFinite(giveUpAfterMs) || giveUpAfterMs < 0)) {
    throw new RangeError('createShipper: giveUpAfterMs must be a number of milliseconds');
  }
  const logger = options.logger ?? { info: (message: string) => void process.stderr.write(`${message}\n`), warn: (message: string) => void process.stderr.write(`${message}\n`) };
  const databaseLabel = options.databaseUrl === undefined ? 'pool' : redactDatabaseUrl(options.databaseUrl);
  const password = options.databaseUrl === undefined ? undefined : readDatabasePassword(options.databaseUrl);
  const scrub = (text: string): string => (password === undefined || password === '' ? text : text.split(password).join('***'));

  const stopper = new AbortController();
  const stop = (): void => stopper.abort();
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', stop, { once: true });

  const counters = {
    rowsShipped: 0,
    rowsInserted: 0,
    batches: 0,
    linesSkipped: { blank: 0, malformed: 0, invalid: 0, rejected: 0 },
    databaseFailures: 0,
    databaseAvailable: true,
    gaveUp: false,
    lastError: null as { code: string; at: string } | null,
  };
  let current: ShippedFile | null = null;
  let started = false;
  // One shipper per checkpoint: the lock is held from the start of `run` to its end.
  let lock: ShipCheckpointLock | undefined;
  let outageStartedAt: number | undefined;
  let checkpointDirty = false;
  let lastCheckpointAt = 0;
  let skipWarnings = { windowStart: 0, count: 0, suppressed: 0 };
  const reader = new LineBatchReader({ maxRows: batchRows, maxBytes: MAX_BATCH_BYTES, maxLineBytes: MAX_LINE_BYTES });

  const stats = (): ShipperStats => ({
    ...counters,
    linesSkipped: { ...counters.linesSkipped },
    file: current?.name ?? null,
    offset: current?.offset ?? 0,
  });

  // ---- waiting ----------------------------------------------------------------------------

  let wake: (() => void) | undefined;
  /** Sleep `ms`, or less when a watched change or stop comes first. */
  const pause = (ms: number): Promise<void> =>
    new Promise((done) => {
      if (stopper.signal.aborted) {
        done();
        return;
      }
      const finish = (): void => {
        clearTimeout(timer);
        stopper.signal.removeEventListener('abort', finish);
        wake = undefined;
        done();
      };
      const timer = setTimeout(finish, ms);
      stopper.signal.addEventListener('abort', finish, { once: true });
      wake = finish;
    });

  // ---- the database -----------------------------------------------------------------------

  // An idle connection the server drops (a restart) is absorbed by the pool; the next query reconnects.
  const ownPool =
    options.databaseUrl === undefined
      ? undefined
      : createSubstratePool({ ...SHIP_TIMEOUTS, ...definedTimeouts(options.timeouts), connectionString: options.databaseUrl, max: 1, applicationName: 'kora-audit-ship' });
  const pool = options.pool ?? ownPool;
  if (pool === undefined) throw new TypeError('createShipper: give either pool or databaseUrl');

  const noteFailure = (error: unknown): void => {
    const code = readDatabaseErrorCode(error);
    counters.databaseFailures += 1;
    counters.databaseAvailable = false;
    retryBackoff.failed();
    counters.lastError = { code, at: new Date().toISOString() };
    if (outageStartedAt === undefined) {
      outageStartedAt = Date.now();
      const message = error instanceof Error ? scrub(error.message).replace(/\s+/g, ' ') : '';
      logger.warn(`[kora.ship.database_unavailable] code=${code} database=${databaseLabel} message=${JSON.stringify(message)} retrying with backoff; rows wait in the file`);
    }
    const outageMs = Date.now() - outageStartedAt;
    if (giveUpAfterMs !== undefined && outageMs >= giveUpAfterMs && !counters.gaveUp) {
      counters.gaveUp = true;
      logger.warn(`[kora.ship.gave_up] code=${code} database=${databaseLabel} after_ms=${outageMs}; the rows not shipped wait in the file for the next run`);
      stop();
    }
  };
  const noteSuccess = (): void => {
    counters.databaseAvailable = true;
    retryBackoff.succeeded();
    if (outageStartedAt !== undefined) {
      logger.info(`[kora.ship.database_available] database=${databaseLabel} after_ms=${Date.now() - outageStartedAt}`);
      outageStartedAt = undefined;
    }
  };
  /** Wait as the backoff says after the failures of this outage so far ({@link createRetryBackoff}). */
  const backoff = (): Promise<void> => {
    const wait = retryBackoff.delayMs();
    // Try once more right when the give-up time comes, not a whole backoff step after it.
    const untilGiveUp = giveUpAfterMs === undefined || outageStartedAt === undefined ? wait : outageStartedAt + giveUpAfterMs - Date.now();
    return pause(Math.max(0, Math.min(wait, untilGiveUp)));
  };

  /** Run `body` until it succeeds; false when stopped first. Any failure counts as an outage. */
  const untilDone = async (body: () => Promise<void>): Promise<boolean> => {
    for (;;) {
      if (stopper.signal.aborted) return false;
      try {
        await body();
        noteSuccess();
        return true;
      } catch (error) {
        noteFailure(error);
        await backoff();
      }
    }
  };

  const migrate = (): Promise<boolean> => untilDone(async () => void (await migrateSubstrate(pool, { table: table.name })));

  /**
   * Commit rows, retrying while the database is away. A row the server refuses outright is
   * found by halving the batch, warned about and passed; the rest go in. False when stopped
   * before the rows were committed.
   */
  const commit = async (rows: readonly string[], offsets: readonly number[], file: ShippedFile): Promise<boolean> => {
    for (;;) {
      if (stopper.signal.aborted && outageStartedAt !== undefined) return false;
      try {
        const { inserted } = await insertAuditLines(pool, rows, { table: table.name, originHost });
        noteSuccess();
        counters.rowsShipped += rows.length;
        counters.rowsInserted += inserted;
        counters.batches += 1;
        return true;
      } catch (error) {
        const kind = classifyDatabaseError(error);
        if (kind === 'rejected') {
          noteSuccess();
          if (rows.length === 1) {
            counters.linesSkipped.rejected += 1;
            warnSkip(file.name, offsets[0] ?? 0, `rejected_by_database code=${readDatabaseErrorCode(error)}`);
            return true;
          }
          const half = Math.ceil(rows.length / 2);
          if (!(await commit(rows.slice(0, half), offsets.slice(0, half), file))) return false;
          return commit(rows.slice(half), offsets.slice(half), file);
        }
        noteFailure(error);
        if (kind === 'missing_table' && options.migrate !== false) {
          if (!(await migrate())) return false;
          continue;
        }
        await backoff();
      }
    }
  };

  // ---- warnings and the checkpoint ---------------------------------------------------------

  function warnSkip(name: string, offset: number, reason: string): void {
    const now = Date.now();
    if (now - skipWarnings.windowStart >= 60_000) skipWarnings = { windowStart: now, count: 0, suppressed: skipWarnings.suppressed };
    if (skipWarnings.count >= SKIP_WARNINGS_PER_MINUTE) {
      skipWarnings.suppressed += 1;
      return;
    }
    skipWarnings.count += 1;
    const suppressed = skipWarnings.suppressed > 0 ? ` suppressed=${skipWarnings.suppressed}` : '';
    skipWarnings.suppressed = 0;
    logger.warn(`[kora.ship.skipped] path=${name} offset=${offset} reason=${reason}${suppressed}`);
  }

  const saveCheckpoint = async (force: boolean): Promise<void> => {
    if (current === null || !checkpointDirty) return;
    // Between forced writes (end of the file, a new file, stop) at most one write per interval:
    // a crash then repeats at most that much, which the database absorbs.
    if (!force && Date.now() - lastCheckpointAt < DEFAULT_CHECKPOINT_INTERVAL_MS) return;
    const checkpoint: ShipCheckpoint = {
      v: 1,
      path,
      dev: current.identity.dev,
      ino: current.identity.ino,
      offset: current.offset,
      fingerprint: current.fingerprint,
      updated_at: new Date().toISOString(),
    };
    await writeShipCheckpoint(checkpointPath, checkpoint);
    checkpointDirty = false;
    lastCheckpointAt = Date.now();
  };

  // ---- files --------------------------------------------------------------------------------

  /** Open a file of the chain if it is still the file `expected` names; null otherwise. */
  const openShipped = async (expected: ChainFile, offset: number, fingerprint: FileFingerprint | null): Promise<ShippedFile | null> => {
    const opened = await openChainFile(path, expected.index, expected.identity);
    return opened === null ? null : { handle: opened.handle, identity: opened.identity, name: opened.path, offset, fingerprint };
  };

  const switchTo = async (next: ShippedFile | null, reason: string): Promise<void> => {
    const previous = current;
    current = next;
    if (previous !== null && previous !== next) await previous.handle.close();
    if (next === null) return;
    if (previous !== null) logger.info(`[kora.ship.file] path=${next.name} offset=${next.offset} reason=${reason}`);
    checkpointDirty = true;
    await saveCheckpoint(true);
  };

  /** The oldest file of the chain, from its start; null when there is no file yet. */
  const openOldest = async (): Promise<ShippedFile | null> => {
    for (let tries = 0; tries < 5; tries += 1) {
      const chain = await listChain(path);
      const oldest = chain[chain.length - 1];
      if (oldest === undefined) return null;
      const opened = await openShipped(oldest, 0, null);
      if (opened !== null) return opened;
    }
    return null;
  };

  /** Find a copy of a file (copytruncate's, or one moved elsewhere) that holds its rows up to `offset`. */
  const findCopy = async (fingerprint: FileFingerprint | null, offset: number, except: FileIdentity | undefined): Promise<ChainFile | null> => {
    if (fingerprint === null) return null;
    for (const file of await listChain(path)) {
      if (except !== undefined && sameIdentity(file.identity, except)) continue;
      if (file.size < offset) continue;
      const handle = await open(file.path, 'r').catch(() => null);
      if (handle === null) continue;
      try {
        if (await matchesFingerprint(handle, fingerprint)) return file;
      } finally {
        await handle.close();
      }
    }
    return null;
  };

  /** Where to start: the checkpoint's file and offset, found again however it was rotated. */
  const resume = async (checkpoint: ShipCheckpoint | null): Promise<ShippedFile | null> => {
    if (checkpoint === null) return openOldest();
    const same = await locateInChain(path, { dev: checkpoint.dev, ino: checkpoint.ino });
    if (same !== null && same.size >= checkpoint.offset) {
      const opened = await openShipped(same, checkpoint.offset, checkpoint.fingerprint);
      if (opened !== null && (checkpoint.fingerprint === null || (await matchesFingerprint(opened.handle, checkpoint.fingerprint)))) return opened;
      await opened?.handle.close();
    }
    const copy = await findCopy(checkpoint.fingerprint, checkpoint.offset, undefined);
    if (copy !== null) {
      const opened = await openShipped(copy, checkpoint.offset, checkpoint.fingerprint);
      if (opened !== null) return opened;
    }
    if (same !== null) {
      logger.warn(`[kora.ship.truncated] path=${same.path} offset=${checkpoint.offset} shipping it from its start`);
      const opened = await openShipped(same, 0, null);
      if (opened !== null) return opened;
    }
    logger.warn(`[kora.ship.checkpoint_file_gone] offset=${checkpoint.offset} shipping every file from the oldest; rows already in the table are skipped`);
    return openOldest();
  };

  /** Whether the file still holds what was shipped from it: not truncated, same first bytes. */
  const isIntact = async (file: ShippedFile): Promise<boolean> => {
    const { size } = await file.handle.stat();
    if (size < file.offset) return false;
    return file.fingerprint === null || matchesFingerprint(file.handle, file.fingerprint);
  };

  /** The file was truncated or rewritten in place: ship the rest from its copy, if one is found, else it again. */
  const afterTruncation = async (file: ShippedFile): Promise<void> => {
    logger.warn(`[kora.ship.truncated] path=${file.name} offset=${file.offset}`);
    const copy = await findCopy(file.fingerprint, file.offset, file.identity);
    const opened = copy === null ? null : await openShipped(copy, file.offset, file.fingerprint);
    if (opened !== null) {
      // The truncated file is newer than its copy: it comes next, from its start.
      await switchTo(opened, 'copy_of_truncated');
      return;
    }
    // No copy (truncated by hand, or the copy is gone): its rows since the checkpoint are
    // lost to every reader; what it holds now is shipped from its start.
    file.offset = 0;
    file.fingerprint = null;
    checkpointDirty = true;
    await saveCheckpoint(true);
  };

  /**
   * The shipped file is no longer the live one and is read to its end: once it has been quiet
   * long enough, move to the next newer file. Returns false when there is none yet.
   */
  const advance = async (file: ShippedFile): Promise<boolean> => {
    const { mtimeMs } = await file.handle.stat();
    if (Date.now() - mtimeMs < ROTATION_QUIET_MS) {
      await pause(Math.min(pollMs, ROTATION_QUIET_MS));
      return true;
    }
    const located = await locateInChain(path, file.identity);
    if (located === null) {
      // Deleted or compressed after it was read: every plain file left is newer than it.
      await switchTo(await openOldest(), 'previous_file_gone');
      return current !== null;
    }
    if (located.index === 0) return true;
    const next = await statChainFile(path, located.index - 1);
    // Checked again: had a rotation moved the files meanwhile, `next` could be the wrong one.
    const still = await statChainFile(path, located.index);
    if (still === null || !sameIdentity(still.identity, file.identity)) return true;
    if (next === null) return false;
    const opened = await openShipped(next, 0, null);
    if (opened === null) return true;
    await switchTo(opened, 'rotated');
    return true;
  };

  // ---- the loop -----------------------------------------------------------------------------

  let watcher: FSWatcher | undefined;
  const startWatching = (): void => {
    if (!follow) return;
    try {
      // The directory, not the file: rotation renames the file, and the new one must be seen.
      watcher = watch(dirname(path), { persistent: false }, () => wake?.());
      watcher.on('error', () => {
        // Polling still runs; the watch only makes it quicker.
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
  };

  const shipBatch = async (file: ShippedFile, batch: LineBatch): Promise<boolean> => {
    counters.linesSkipped.blank += batch.blank;
    for (const skipped of batch.skipped) {
      if (skipped.reason === 'malformed' || skipped.reason === 'line_too_long') counters.linesSkipped.malformed += 1;
      else counters.linesSkipped.invalid += 1;
      warnSkip(file.name, skipped.offset, skipped.reason);
    }
    if (batch.rows.length > 0 && !(await commit(batch.rows, batch.rowOffsets, file))) return false;
    file.offset = batch.endOffset;
    if (file.fingerprint === null) file.fingerprint = await takeFingerprint(file.handle, file.offset);
    checkpointDirty = true;
    await saveCheckpoint(false);
    return true;
  };

  // The next batch of the file being shipped, read while the current one is committed.
  let prefetched: { readonly file: ShippedFile; readonly offset: number; readonly batch: Promise<LineBatch> } | undefined;

  const loop = async (): Promise<void> => {
    // What an operator must fix fails at once, before any wait for the database.
    lock = await lockShipCheckpoint(checkpointPath);
    const checkpoint = await readShipCheckpoint(checkpointPath);
    if (checkpoint !== null && checkpoint.path !== path) {
      throw new Error(`the checkpoint ${checkpointPath} follows ${checkpoint.path}, not ${path}: give each audit file its own checkpoint`);
    }
    if (options.migrate !== false && !(await migrate())) return;
    await switchTo(await resume(checkpoint), 'start');
    logger.info(
      `[kora.ship.started] path=${path} checkpoint=${checkpointPath} table=${table.name} database=${databaseLabel} file=${current?.name ?? '-'} offset=${current?.offset ?? 0} follow=${follow}`,
    );
    startWatching();
    while (!stopper.signal.aborted) {
      const file = current;
      if (file === null) {
        await switchTo(await openOldest(), 'created');
        if (current === null) {
          if (!follow) return;
          await pause(pollMs);
        }
        continue;
      }
      if (!(await isIntact(file))) {
        await afterTruncation(file);
        continue;
      }
      const batch = prefetched?.file === file && prefetched.offset === file.offset ? await prefetched.batch : await reader.read(file.handle, file.offset);
      prefetched = undefined;
      if (batch.endOffset > file.offset) {
        if (batch.rows.length >= batchRows) {
          // A full batch: more rows are likely waiting. Read and parse them while this batch
          // is committed (the parse is a fifth of the work; the insert waits on the server).
          const next = reader.read(file.handle, batch.endOffset);
          next.catch(() => undefined);
          prefetched = { file, offset: batch.endOffset, batch: next };
        }
        if (!(await shipBatch(file, batch))) return;
        continue;
      }
      // Every whole line of this file is shipped.
      await saveCheckpoint(true);
      const live = await statChainFile(path, 0);
      if (live !== null && sameIdentity(live.identity, file.identity)) {
        if (!follow) return;
        await pause(pollMs);
        continue;
      }
      if (!(await advance(file))) {
        if (!follow) return;
        await pause(pollMs);
      }
    }
  };

  const run = async (): Promise<ShipperStats> => {
    if (started) throw new Error('createShipper: run() may be called once');
    started = true;
    try {
      await loop();
      await saveCheckpoint(true);
    } finally {
      watcher?.close();
      await current?.handle.close();
      await lock?.release();
      options.signal?.removeEventListener('abort', stop);
      await ownPool?.end().catch(() => undefined);
    }
    logger.info(`[kora.ship.stopped] rows_shipped=${counters.rowsShipped} rows_inserted=${counters.rowsInserted} file=${current?.name ?? '-'} offset=${current?.offset ?? 0}`);
    return stats();
  };

  return { run, stop, stats };
}
