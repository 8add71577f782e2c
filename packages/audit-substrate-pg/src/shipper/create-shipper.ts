import { lockStateFile } from '@kora/audit-sink/files';
import type { StateFileLock } from '@kora/audit-sink/files';
import { ROTATION_QUIET_MS } from '@kora/audit-sink/reader';
import { TailCursor, createRetryBackoff, createSkipWarner, createTailPause, watchAuditDirectory } from '@kora/audit-sink/tail';
import type { LineBatch, TailedFile } from '@kora/audit-sink/tail';
import { createCheckpointAnchor } from '../checkpoints/create-checkpoint-anchor.js';
import { createSubstratePool } from '../create-substrate-pool.js';
import type { SubstrateTimeouts } from '../create-substrate-pool.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { createDatabaseOutage } from './create-database-outage.js';
import { createRowCommitter } from './create-row-committer.js';
import { readShipCheckpoint } from './read-ship-checkpoint.js';
import { readShipperOptions } from './read-shipper-options.js';
import type { Shipper, ShipperOptions, ShipperStats } from './shipper-types.js';

export type { Shipper, ShipperOptions, ShipperStats } from './shipper-types.js';

// While rows keep coming, the seal's new checkpoints are anchored at least this often.
const ANCHOR_INTERVAL_MS = 1_000;

// Longer than the daemon's: a batch can be 50,000 rows, and a statement cancelled for taking
// too long would be retried as it is, for ever.
const SHIP_TIMEOUTS = { connectTimeoutMs: 10_000, statementTimeoutMs: 60_000, queryTimeoutMs: 70_000 } as const;

/** The timeouts that were given, so an explicit `undefined` does not hide a default. */
function definedTimeouts(timeouts: SubstrateTimeouts | undefined): SubstrateTimeouts {
  return Object.fromEntries(Object.entries(timeouts ?? {}).filter(([, value]) => value !== undefined));
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
  const settings = readShipperOptions(options);
  const { path, checkpointPath, table, follow, pollMs, logger } = settings;

  const stopper = new AbortController();
  const stop = (): void => stopper.abort();
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const { pause, wake } = createTailPause(stopper.signal);

  // An idle connection the server drops (a restart) is absorbed by the pool; the next query reconnects.
  const ownPool =
    options.databaseUrl === undefined
      ? undefined
      : createSubstratePool({
          ...SHIP_TIMEOUTS,
          ...definedTimeouts(options.timeouts),
          connectionString: options.databaseUrl,
          max: 1,
          applicationName: 'kora-audit-ship',
        });
  const pool = options.pool ?? ownPool;
  if (pool === undefined) throw new TypeError('createShipper: give either pool or databaseUrl');

  const counters = { rowsShipped: 0, rowsInserted: 0, batches: 0, linesSkipped: { blank: 0, malformed: 0, invalid: 0, rejected: 0 } };
  const warnSkip = createSkipWarner(logger, 'kora.ship');
  const outage = createDatabaseOutage({
    logger,
    databaseLabel: settings.databaseLabel,
    scrub: settings.scrub,
    backoff: createRetryBackoff({ initialDelayMs: settings.initialDelayMs, maxDelayMs: settings.maxDelayMs }),
    giveUpAfterMs: settings.giveUpAfterMs,
    pause,
    onGiveUp: stop,
  });
  const migrate = (): Promise<boolean> => outage.retry(() => migrateSubstrate(pool, { table: table.name }), stopper.signal);
  const commit = createRowCommitter({
    pool,
    table: table.name,
    originHost: settings.originHost,
    outage,
    signal: stopper.signal,
    migrate: options.migrate === false ? undefined : migrate,
    counters,
    warnSkip,
  });
  const cursor = new TailCursor({
    path,
    checkpointPath,
    batchRows: settings.batchRows,
    logger,
    logPrefix: 'kora.ship',
    verb: 'shipping',
    repeatNote: 'rows already in the table are skipped',
  });
  // The seal's checkpoints, when the file is sealed, go to the database too: off the host.
  const anchor = createCheckpointAnchor({ client: pool, table: table.name, path, logger });
  let anchoredAt = 0;
  const anchorCheckpoints = async (): Promise<boolean> => {
    anchoredAt = Date.now();
    return outage.retry(() => anchor.sync(), stopper.signal);
  };
  let started = false;
  // One shipper per checkpoint: the lock is held from the start of `run` to its end.
  let lock: StateFileLock | undefined;
  let watcher: { close(): void } | undefined;

  const stats = (): ShipperStats => ({
    ...counters,
    linesSkipped: { ...counters.linesSkipped },
    ...outage.stats(),
    file: cursor.file?.name ?? null,
    offset: cursor.file?.offset ?? 0,
    checkpoints: anchor.stats(),
  });

  const shipBatch = async (file: TailedFile, batch: LineBatch): Promise<boolean> => {
    counters.linesSkipped.blank += batch.blank;
    for (const skipped of batch.skipped) {
      if (skipped.reason === 'malformed' || skipped.reason === 'line_too_long') counters.linesSkipped.malformed += 1;
      else counters.linesSkipped.invalid += 1;
      warnSkip(file.name, skipped.offset, skipped.reason);
    }
    if (batch.rows.length > 0 && !(await commit(batch.rows, batch.rowOffsets, file.name))) return false;
    await cursor.shipped(batch.endOffset);
    return true;
  };

  const loop = async (): Promise<void> => {
    // What an operator must fix fails at once, before any wait for the database.
    lock = await lockStateFile(checkpointPath, 'shipper');
    const checkpoint = await readShipCheckpoint(checkpointPath);
    if (checkpoint !== null && checkpoint.path !== path) {
      throw new Error(`the checkpoint ${checkpointPath} follows ${checkpoint.path}, not ${path}: give each audit file its own checkpoint`);
    }
    if (options.migrate !== false && !(await migrate())) return;
    await cursor.start(checkpoint);
    logger.info(
      `[kora.ship.started] path=${path} checkpoint=${checkpointPath} table=${table.name} database=${settings.databaseLabel} file=${cursor.file?.name ?? '-'} offset=${cursor.file?.offset ?? 0} follow=${follow}`,
    );
    if (follow) watcher = watchAuditDirectory(path, wake);
    while (!stopper.signal.aborted) {
      const step = await cursor.next();
      if (step.kind === 'batch') {
        if (!(await shipBatch(step.file, step.batch))) return;
        if (Date.now() - anchoredAt >= ANCHOR_INTERVAL_MS && !(await anchorCheckpoints())) return;
      } else if (step.kind === 'quiet') {
        await pause(Math.min(pollMs, ROTATION_QUIET_MS));
      } else if (step.kind === 'idle') {
        if (!(await anchorCheckpoints())) return;
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
      await cursor.save(true);
    } finally {
      watcher?.close();
      await cursor.close();
      await anchor.close();
      await lock?.release();
      options.signal?.removeEventListener('abort', stop);
      await ownPool?.end().catch(() => undefined);
    }
    const file = cursor.file;
    logger.info(
      `[kora.ship.stopped] rows_shipped=${counters.rowsShipped} rows_inserted=${counters.rowsInserted} file=${file?.name ?? '-'} offset=${file?.offset ?? 0}`,
    );
    return stats();
  };

  return { run, stop, stats };
}
