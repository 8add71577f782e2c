import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { matchesFingerprint, takeFingerprint } from '../files/file-fingerprint.js';
import type { FileFingerprint } from '../files/file-fingerprint.js';
import { writeFileAtomically } from '../files/write-file-atomically.js';
import { ROTATION_QUIET_MS, listChain, locateInChain, openChainFile, sameIdentity, statChainFile } from '../reader/audit-file-chain.js';
import type { ChainFile, FileIdentity } from '../reader/audit-file-chain.js';
import type { AuditLogger } from '../seam/emit-types.js';
import { LineBatchReader } from './read-line-batch.js';
import type { LineBatch } from './read-line-batch.js';
import { tailCheckpointExtra } from './tail-checkpoint.js';
import type { TailCheckpoint, TailCheckpointExtra } from './tail-checkpoint.js';

// A batch's JSON travels as one parameter; this keeps it far below the server's 1 GB limit.
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
// The sink accepts rows up to 16 MiB; a longer line is not a row.
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const CHECKPOINT_INTERVAL_MS = 200;
// A log line is one line: the caller's words may not break it.
const LOG_PREFIX = /^kora\.[a-z][a-z0-9_]{0,31}$/;
const VERB = /^[a-z]{1,32}$/;
const REPEAT_NOTE = /^[\x20-\x7e]{1,200}$/;

/** The file being read. */
export interface TailedFile {
  readonly handle: FileHandle;
  readonly identity: FileIdentity;
  /** Its name when opened: `path` or `path.N`. */
  readonly name: string;
  /** Bytes of it whose rows are delivered. */
  offset: number;
  /** Of its first bytes, taken once a row of it is delivered; null before. */
  fingerprint: FileFingerprint | null;
}

/** Options of {@link TailCursor}. */
export interface TailCursorOptions {
  /** The live audit file, an absolute path; its rotated files are `path.1`, `path.2`, … */
  readonly path: string;
  /** Where the position is kept; null keeps none (a one-off read from the oldest file). */
  readonly checkpointPath: string | null;
  /** Rows per batch at most. */
  readonly batchRows: number;
  /** Where the `[<logPrefix>.file]`, `[<logPrefix>.truncated]` and `[<logPrefix>.checkpoint_file_gone]` lines go. */
  readonly logger: AuditLogger;
  /** The follower's name in its log lines, `kora.<word>`: `'kora.ship'` gives `[kora.ship.file]`. */
  readonly logPrefix: `kora.${string}`;
  /** What the follower does to rows, in its warnings: `'shipping'` gives `shipping it from its start` (default `'reading'`). */
  readonly verb?: string | undefined;
  /**
   * What becomes of the rows read again when the checkpoint's file is gone and every file is
   * read from the oldest, ending that warning: `'rows already in the table are skipped'`.
   */
  readonly repeatNote: string;
  /**
   * Called at every checkpoint write, after the rows before the new offset are delivered and
   * before the atomic write; what it resolves to is written as the checkpoint's `extra`, in the
   * same write as the offset (an exporter fsyncs its output here and records its size). When it
   * rejects, or resolves to what {@link tailCheckpointExtra} refuses, nothing is written and the
   * write rejects. Without it the checkpoint has no `extra`.
   */
  readonly beforeSave?: (() => Promise<Readonly<Record<string, string | number | null>>>) | undefined;
  /**
   * Whether batches hold classified rows (default true), or whole lines as bytes for a caller
   * that classifies them itself ({@link LineBatch.lines}).
   */
  readonly classify?: boolean | undefined;
  /** The clock, for the checkpoint interval and the quiet time after a rotation (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

/**
 * What the cursor found: a batch of whole lines to deliver, or why there is none. `moved`: it is
 * at another file or position now, look again at once; `quiet`: the file read to its end was
 * rotated away and may still grow, look again shortly; `idle`: every whole line is read, look
 * again when a file changes.
 */
export type TailCursorStep =
  | { readonly kind: 'batch'; readonly file: TailedFile; readonly batch: LineBatch }
  | { readonly kind: 'moved' }
  | { readonly kind: 'quiet' }
  | { readonly kind: 'idle' };

const MOVED: TailCursorStep = { kind: 'moved' };
const QUIET: TailCursorStep = { kind: 'quiet' };
const IDLE: TailCursorStep = { kind: 'idle' };

/**
 * Where delivery stands in the audit file and its rotated files, and the reading from there.
 * It resumes from a checkpoint however the file was rotated since (found by device and inode,
 * checked by fingerprint because inodes are reused), finds copytruncate's copy of a truncated
 * file, and moves along the chain to the next newer file once one is read to its end and
 * quiet. The checkpoint it writes names a position only after the caller says the rows before
 * it are delivered ({@link TailCursor.shipped}). It needs no database.
 */
export class TailCursor {
  private current: TailedFile | null = null;
  private dirty = false;
  private lastSavedAt = 0;
  // The next batch of the file being read, read while the caller delivers the current one.
  private prefetched: { readonly file: TailedFile; readonly offset: number; readonly batch: Promise<LineBatch> } | undefined;
  private readonly reader: LineBatchReader;
  private readonly now: () => number;
  private readonly verb: string;

  constructor(private readonly options: TailCursorOptions) {
    if (!LOG_PREFIX.test(options.logPrefix)) throw new TypeError('TailCursor: logPrefix must be kora.<word>, a lower-case word');
    this.verb = options.verb ?? 'reading';
    if (!VERB.test(this.verb)) throw new TypeError('TailCursor: verb must be one lower-case word');
    if (!REPEAT_NOTE.test(options.repeatNote)) throw new TypeError('TailCursor: repeatNote must be 1 to 200 printable ASCII characters');
    this.reader = new LineBatchReader({ maxRows: options.batchRows, maxBytes: MAX_BATCH_BYTES, maxLineBytes: MAX_LINE_BYTES });
    this.now = options.now ?? Date.now;
  }

  /** The file being read, null while there is none. */
  get file(): TailedFile | null {
    return this.current;
  }

  /** Open the checkpoint's file at its offset (null: the oldest file from its start) and write the checkpoint. */
  async start(checkpoint: TailCheckpoint | null): Promise<void> {
    await this.switchTo(await this.resume(checkpoint), 'start');
  }

  /** The next batch of whole lines, or why there is none. */
  async next(): Promise<TailCursorStep> {
    const file = this.current;
    if (file === null) {
      await this.switchTo(await this.openOldest(), 'created');
      return this.current === null ? IDLE : MOVED;
    }
    if (!(await this.isIntact(file))) {
      await this.afterTruncation(file);
      return MOVED;
    }
    const batch = await this.read(file);
    if (batch.endOffset > file.offset) return { kind: 'batch', file, batch };
    // Every whole line of this file is delivered.
    await this.save(true);
    const live = await statChainFile(this.options.path, 0);
    if (live !== null && sameIdentity(live.identity, file.identity)) return IDLE;
    return this.advance(file);
  }

  /**
   * The batch being read ahead, after the last one {@link TailCursor.next} returned, if any: what
   * `next` will return (the same object) once that one is shipped and the file is still the
   * same. A caller may start working on it early; it must not change it.
   */
  peek(): Promise<LineBatch> | undefined {
    const prefetched = this.prefetched;
    return prefetched !== undefined && prefetched.file === this.current ? prefetched.batch : undefined;
  }

  /** The rows of the file being read up to `offset` are delivered: move there, and checkpoint at most once per interval. */
  async shipped(offset: number): Promise<void> {
    const file = this.current;
    if (file === null) return;
    file.offset = offset;
    if (file.fingerprint === null) file.fingerprint = await takeFingerprint(file.handle, file.offset);
    this.dirty = true;
    await this.save(false);
  }

  /**
   * Write the checkpoint if the position moved since the last write. Unless `force`d (the end
   * of a file, a new file, stop), at most once per interval: a crash then repeats at most that
   * much, which the caller absorbs (the shipper's inserts skip rows the table holds).
   */
  async save(force: boolean): Promise<void> {
    const file = this.current;
    if (file === null || !this.dirty) return;
    if (!force && this.now() - this.lastSavedAt < CHECKPOINT_INTERVAL_MS) return;
    const checkpointPath = this.options.checkpointPath;
    if (checkpointPath === null) {
      this.dirty = false;
      return;
    }
    const extra = await this.takeExtra();
    const checkpoint: TailCheckpoint = {
      v: 1,
      path: this.options.path,
      dev: file.identity.dev,
      ino: file.identity.ino,
      offset: file.offset,
      fingerprint: file.fingerprint,
      updated_at: new Date(this.now()).toISOString(),
      ...(extra === undefined ? {} : { extra }),
    };
    await writeFileAtomically(checkpointPath, `${JSON.stringify(checkpoint)}\n`);
    this.dirty = false;
    this.lastSavedAt = this.now();
  }

  /** What `beforeSave` gives for the checkpoint about to be written, checked as a reader will check it. */
  private async takeExtra(): Promise<TailCheckpointExtra | undefined> {
    if (this.options.beforeSave === undefined) return undefined;
    const parsed = tailCheckpointExtra.safeParse(await this.options.beforeSave());
    // A caller's bug: a checkpoint it could not read back must not be written.
    if (!parsed.success) {
      throw new TypeError(
        'TailCursor: beforeSave must resolve to at most 32 keys matching ^[a-z][a-z0-9_]{0,63}$, each a string of at most 1024 characters, a finite number or null',
      );
    }
    return parsed.data;
  }

  /** Close the file; {@link TailCursor.file} still names it and its offset. */
  async close(): Promise<void> {
    await this.current?.handle.close();
  }

  private async read(file: TailedFile): Promise<LineBatch> {
    const prefetched = this.prefetched;
    const batch =
      prefetched?.file === file && prefetched.offset === file.offset
        ? await prefetched.batch
        : await this.readBatch(file.handle, file.offset);
    this.prefetched = undefined;
    if (batch.endOffset > file.offset && (batch.lines?.count ?? batch.rows.length) >= this.options.batchRows) {
      // A full batch: more rows are likely waiting. Read and parse them while this batch is
      // shipped (the parse is a fifth of the work; the insert waits on the server).
      const next = this.readBatch(file.handle, batch.endOffset);
      next.catch(() => undefined);
      this.prefetched = { file, offset: batch.endOffset, batch: next };
    }
    return batch;
  }

  private readBatch(handle: FileHandle, offset: number): Promise<LineBatch> {
    return this.options.classify === false ? this.reader.readLines(handle, offset) : this.reader.read(handle, offset);
  }

  private async switchTo(next: TailedFile | null, reason: string): Promise<void> {
    const previous = this.current;
    this.current = next;
    if (previous !== null && previous !== next) await previous.handle.close();
    if (next === null) return;
    if (previous !== null)
      this.options.logger.info(`[${this.options.logPrefix}.file] path=${next.name} offset=${next.offset} reason=${reason}`);
    this.dirty = true;
    await this.save(true);
  }

  /** Open a file of the chain if it is still the file `expected` names; null otherwise. */
  private async openTailed(expected: ChainFile, offset: number, fingerprint: FileFingerprint | null): Promise<TailedFile | null> {
    const opened = await openChainFile(this.options.path, expected.index, expected.identity);
    return opened === null ? null : { handle: opened.handle, identity: opened.identity, name: opened.path, offset, fingerprint };
  }

  /** The oldest file of the chain, from its start; null when there is no file yet. */
  private async openOldest(): Promise<TailedFile | null> {
    for (let tries = 0; tries < 5; tries += 1) {
      const chain = await listChain(this.options.path);
      const oldest = chain[chain.length - 1];
      if (oldest === undefined) return null;
      const opened = await this.openTailed(oldest, 0, null);
      if (opened !== null) return opened;
    }
    return null;
  }

  /** Find a copy of a file (copytruncate's, or one moved elsewhere) that holds its rows up to `offset`. */
  private async findCopy(fingerprint: FileFingerprint | null, offset: number, except: FileIdentity | undefined): Promise<ChainFile | null> {
    if (fingerprint === null) return null;
    for (const file of await listChain(this.options.path)) {
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
  }

  /** Where to start: the checkpoint's file and offset, found again however it was rotated. */
  private async resume(checkpoint: TailCheckpoint | null): Promise<TailedFile | null> {
    if (checkpoint === null) return this.openOldest();
    const same = await locateInChain(this.options.path, { dev: checkpoint.dev, ino: checkpoint.ino });
    if (same !== null && same.size >= checkpoint.offset) {
      const opened = await this.openTailed(same, checkpoint.offset, checkpoint.fingerprint);
      if (opened !== null && (checkpoint.fingerprint === null || (await matchesFingerprint(opened.handle, checkpoint.fingerprint))))
        return opened;
      await opened?.handle.close();
    }
    const copy = await this.findCopy(checkpoint.fingerprint, checkpoint.offset, undefined);
    if (copy !== null) {
      const opened = await this.openTailed(copy, checkpoint.offset, checkpoint.fingerprint);
      if (opened !== null) return opened;
    }
    if (same !== null) {
      this.options.logger.warn(
        `[${this.options.logPrefix}.truncated] path=${same.path} offset=${checkpoint.offset} ${this.verb} it from its start`,
      );
      const opened = await this.openTailed(same, 0, null);
      if (opened !== null) return opened;
    }
    this.options.logger.warn(
      `[${this.options.logPrefix}.checkpoint_file_gone] offset=${checkpoint.offset} ${this.verb} every file from the oldest; ${this.options.repeatNote}`,
    );
    return this.openOldest();
  }

  /** Whether the file still holds what was shipped from it: not truncated, same first bytes. */
  private async isIntact(file: TailedFile): Promise<boolean> {
    const { size } = await file.handle.stat();
    if (size < file.offset) return false;
    return file.fingerprint === null || matchesFingerprint(file.handle, file.fingerprint);
  }

  /** The file was truncated or rewritten in place: ship the rest from its copy, if one is found, else it again. */
  private async afterTruncation(file: TailedFile): Promise<void> {
    this.options.logger.warn(`[${this.options.logPrefix}.truncated] path=${file.name} offset=${file.offset}`);
    // What was read ahead is of the file before; it may stay the file being read.
    this.prefetched = undefined;
    const copy = await this.findCopy(file.fingerprint, file.offset, file.identity);
    const opened = copy === null ? null : await this.openTailed(copy, file.offset, file.fingerprint);
    if (opened !== null) {
      // The truncated file is newer than its copy: it comes next, from its start.
      await this.switchTo(opened, 'copy_of_truncated');
      return;
    }
    // No copy (truncated by hand, or the copy is gone): its rows since the checkpoint are
    // lost to every reader; what it holds now is shipped from its start.
    file.offset = 0;
    file.fingerprint = null;
    this.dirty = true;
    await this.save(true);
  }

  /**
   * The shipped file is no longer the live one and is read to its end: once it has been quiet
   * long enough, move to the next newer file.
   */
  private async advance(file: TailedFile): Promise<TailCursorStep> {
    const { mtimeMs } = await file.handle.stat();
    if (this.now() - mtimeMs < ROTATION_QUIET_MS) return QUIET;
    const located = await locateInChain(this.options.path, file.identity);
    if (located === null) {
      // Deleted or compressed after it was read: every plain file left is newer than it.
      await this.switchTo(await this.openOldest(), 'previous_file_gone');
      return this.current === null ? IDLE : MOVED;
    }
    if (located.index === 0) return MOVED;
    const next = await statChainFile(this.options.path, located.index - 1);
    // Checked again: had a rotation moved the files meanwhile, `next` could be the wrong one.
    const still = await statChainFile(this.options.path, located.index);
    if (still === null || !sameIdentity(still.identity, file.identity)) return MOVED;
    if (next === null) return IDLE;
    const opened = await this.openTailed(next, 0, null);
    if (opened === null) return MOVED;
    await this.switchTo(opened, 'rotated');
    return MOVED;
  }
}
