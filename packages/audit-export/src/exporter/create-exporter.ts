import { existsSync } from 'node:fs';
import { sealPaths } from '@kora/audit-seal';
import { lockStateFile } from '@kora/audit-sink/files';
import type { StateFileLock } from '@kora/audit-sink/files';
import { ROTATION_QUIET_MS } from '@kora/audit-sink/reader';
import {
  TailCursor,
  createRetryBackoff,
  createSkipWarner,
  createTailPause,
  readTailCheckpoint,
  watchAuditDirectory,
} from '@kora/audit-sink/tail';
import type { LineBatch, TailedFile } from '@kora/audit-sink/tail';
import { createRecordMaker } from '../formats/create-record-maker.js';
import { createEncodingPool } from './create-encoding-pool.js';
import type { EncodedBatch, EncodingWorker } from './create-encoding-worker.js';
import { digestSeams } from './digest-seams.js';
import type { ExportContext } from '../mapping/export-row.js';
import { createExportRowReader } from '../mapping/read-export-row.js';
import type { Exporter, ExporterOptions, ExporterStats } from './exporter-types.js';

export type { Exporter, ExporterOptions, ExporterStats } from './exporter-types.js';

const DEFAULT_BATCH_ROWS = 2000;
const DEFAULT_POLL_MS = 1000;
const EMPTY: EncodedBatch = { bytes: new Uint8Array(0), records: 0, blank: 0, passedOver: [] };

/**
 * Make an exporter that reads the audit file (its rotated files first) from a checkpoint and
 * delivers its rows, mapped to OpenTelemetry, OCSF or ECS, to a target.
 *
 * The file is the system of record and the exporter never holds more than one batch: it reads
 * a batch, maps it, hands it to the target, and only once the target acknowledged it moves the
 * checkpoint past it (with the target's own state, such as an output file's size, in the same
 * atomic write). So nothing is dropped when the target is slow or down (the batch is retried
 * with backoff, the rows wait in the file), and after a crash only what followed the last
 * checkpoint is delivered again. Each row's details are checked against its seam's allow-list
 * before it leaves; a line that is not a row, or a row that fails, is counted and warned about
 * (file, offset, reason, never content) and passed over.
 */
export function createExporter(options: ExporterOptions): Exporter {
  const { path, target, checkpointPath, logger } = options;
  const follow = options.follow === true;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const now = options.context.now ?? Date.now;
  const context: ExportContext = { ...options.context, logPath: path, now };
  const makeRecord = createRecordMaker(options.format, context);
  const leafHashes = options.leafHashes ?? existsSync(sealPaths(path).checkpoints);
  const readRow = createExportRowReader({ seams: options.seams, leafHashes });
  const deliverBytes = target.deliverBytes?.bind(target);
  if (options.encodeInWorker !== undefined && deliverBytes === undefined) {
    throw new TypeError('createExporter: encodeInWorker needs a target that takes bytes (a file, a stream or an OTLP receiver)');
  }
  let worker: EncodingWorker | undefined;
  // Batches whose encoding started while the one before was delivered, and those already taken.
  const encodingAhead = new WeakMap<LineBatch, Promise<EncodedBatch>>();
  const taken = new WeakSet<LineBatch>();
  const encodeLines = (batch: LineBatch): Promise<EncodedBatch> =>
    batch.lines === undefined || worker === undefined
      ? Promise.resolve(EMPTY)
      : worker.encode(batch.lines.bytes, batch.lines.offset, now());

  const stopper = new AbortController();
  const stop = (): void => stopper.abort();
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const { pause, wake } = createTailPause(stopper.signal);
  const backoff = createRetryBackoff({ initialDelayMs: 250, maxDelayMs: 30_000 });
  const warnSkip = createSkipWarner(logger, 'kora.export');
  const counters = { rowsExported: 0, deliveryFailures: 0, gaveUp: false };
  const skipped = { blank: 0, malformed: 0, invalid: 0, invalidDetails: 0, unknownSeam: 0 };
  const cursor = new TailCursor({
    path,
    checkpointPath,
    batchRows: options.batchRows ?? DEFAULT_BATCH_ROWS,
    logger,
    logPrefix: 'kora.export',
    verb: 'exporting',
    repeatNote: 'rows exported before are exported again',
    beforeSave: () => target.state(),
    // With workers, lines are classified there, not on this thread.
    classify: options.encodeInWorker === undefined,
  });
  let started = false;

  /** Deliver one batch, retrying until the target takes it; false when stopped or given up. */
  const deliver = async (send: () => Promise<void>): Promise<boolean> => {
    let failingSince: number | undefined;
    for (;;) {
      // The refusal started when the failed attempt did: one attempt may itself take seconds of retries.
      const attemptStartedAt = now();
      try {
        await send();
        if (failingSince !== undefined)
          logger.info(`[kora.export.target_recovered] target=${target.label} after_ms=${now() - failingSince}`);
        backoff.succeeded();
        return true;
      } catch (error) {
        counters.deliveryFailures += 1;
        if (failingSince === undefined) {
          failingSince = attemptStartedAt;
          const reason = error instanceof Error ? error.message : 'unknown';
          logger.warn(
            `[kora.export.target_unavailable] target=${target.label} error=${JSON.stringify(reason)} retrying; rows wait in the file`,
          );
        }
        if (options.giveUpAfterMs !== undefined && now() - failingSince >= options.giveUpAfterMs) {
          logger.warn(`[kora.export.gave_up] target=${target.label} after_ms=${now() - failingSince}`);
          counters.gaveUp = true;
          stop();
          return false;
        }
        backoff.failed();
        await pause(backoff.delayMs());
        if (stopper.signal.aborted) return false;
      }
    }
  };

  const exportBatch = async (file: TailedFile, batch: LineBatch): Promise<boolean> => {
    skipped.blank += batch.blank;
    // Warned in file order: the lines that are not rows and the rows refused here, merged.
    const passedOver: { readonly offset: number; readonly reason: string }[] = [];
    const passOver = (offset: number, reason: string): void => {
      if (reason === 'invalid_details') skipped.invalidDetails += 1;
      else if (reason === 'unknown_seam') skipped.unknownSeam += 1;
      else if (reason === 'malformed' || reason === 'line_too_long') skipped.malformed += 1;
      else skipped.invalid += 1;
      passedOver.push({ offset, reason });
    };
    for (const line of batch.skipped) passOver(line.offset, line.reason);
    let exported: number;
    let send: () => Promise<void>;
    if (worker !== undefined) {
      // The batch's lines are not classified yet: the workers classify, check, map and encode
      // them. The next batch, already being read, goes to them now, so that they work while
      // this one is written and the checkpoint synced.
      taken.add(batch);
      const encoding = encodingAhead.get(batch) ?? encodeLines(batch);
      cursor.peek()?.then(
        (next) => {
          if (taken.has(next) || encodingAhead.has(next)) return;
          const ahead = encodeLines(next);
          // Awaited when the cursor hands that batch out; dropped with it otherwise.
          ahead.catch(() => undefined);
          encodingAhead.set(next, ahead);
        },
        () => undefined,
      );
      const encoded = await encoding;
      skipped.blank += encoded.blank;
      for (const [offset, reason] of encoded.passedOver) passOver(offset, reason);
      exported = encoded.records;
      send = () => deliverBytes!(encoded.bytes, encoded.records);
    } else {
      const records: unknown[] = [];
      for (const [index, entry] of batch.entries.entries()) {
        const result = readRow(entry, batch.rows[index]!);
        if (result.kind === 'row') records.push(makeRecord(result.row));
        else passOver(batch.rowOffsets[index]!, result.reason);
      }
      exported = records.length;
      send = () => target.deliver(records);
    }
    passedOver.sort((left, right) => left.offset - right.offset);
    for (const line of passedOver) warnSkip(file.name, line.offset, line.reason);
    if (exported > 0 && !(await deliver(send))) return false;
    counters.rowsExported += exported;
    await cursor.shipped(batch.endOffset);
    return true;
  };

  const loop = async (watcher: { close(): void }[]): Promise<void> => {
    const checkpoint =
      checkpointPath === null
        ? null
        : await readTailCheckpoint(checkpointPath, {
            kind: 'export checkpoint',
            remedy: 'delete it to export every file from the start again',
          });
    if (checkpoint !== null && checkpoint.path !== path) {
      throw new Error(`the checkpoint ${checkpointPath} follows ${checkpoint.path}, not ${path}: give each audit file its own checkpoint`);
    }
    await target.open(checkpoint?.extra);
    await cursor.start(checkpoint);
    logger.info(
      `[kora.export.started] path=${path} format=${options.format} target=${target.label} checkpoint=${checkpointPath ?? '-'} file=${cursor.file?.name ?? '-'} offset=${cursor.file?.offset ?? 0} follow=${follow}`,
    );
    if (follow) watcher.push(watchAuditDirectory(path, wake));
    while (!stopper.signal.aborted) {
      const step = await cursor.next();
      if (step.kind === 'batch') {
        if (!(await exportBatch(step.file, step.batch))) return;
      } else if (step.kind === 'quiet') {
        // A rotated file read to its end may still get its writers' last rows: wait, even once.
        await pause(Math.min(pollMs, ROTATION_QUIET_MS));
      } else if (step.kind === 'idle') {
        if (!follow) return;
        await pause(pollMs);
      }
    }
  };

  const stats = (): ExporterStats => ({
    ...counters,
    linesSkipped: { ...skipped },
    file: cursor.file?.name ?? null,
    offset: cursor.file?.offset ?? 0,
  });

  const run = async (): Promise<ExporterStats> => {
    if (started) throw new Error('createExporter: run() may be called once');
    started = true;
    // One exporter per checkpoint: the lock is held from start to end.
    let lock: StateFileLock | undefined;
    const watchers: { close(): void }[] = [];
    try {
      if (checkpointPath !== null) lock = await lockStateFile(checkpointPath, 'exporter');
      if (options.encodeInWorker !== undefined) {
        worker = await createEncodingPool({
          format: options.format,
          encoding: target.bytesEncoding ?? 'lines',
          // What a thread can be sent: the clock stays here, each batch carries its time.
          context: {
            productVersion: context.productVersion,
            hostName: context.hostName,
            serviceName: context.serviceName,
            logPath: path,
            keepOriginal: context.keepOriginal,
          },
          leafHashes,
          worker: options.encodeInWorker,
          seamDigest: digestSeams(options.seams),
        });
      }
      await loop(watchers);
      await cursor.save(true);
    } finally {
      for (const watcher of watchers) watcher.close();
      await cursor.close();
      await worker?.close();
      await target.close();
      await lock?.release();
      options.signal?.removeEventListener('abort', stop);
    }
    const done = stats();
    logger.info(`[kora.export.stopped] rows_exported=${done.rowsExported} file=${done.file ?? '-'} offset=${done.offset}`);
    return done;
  };

  return { run, stop };
}
