import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { AuditLogger } from '@kora/audit-sink';
import { matchesFingerprint, takeFingerprint, writeFileAtomically } from '@kora/audit-sink/files';
import type { FileFingerprint } from '@kora/audit-sink/files';
import { ROTATION_QUIET_MS, listChain, locateInChain, openChainFile, sameIdentity, statChainFile } from '@kora/audit-sink/reader';
import type { ChainFile, FileIdentity } from '@kora/audit-sink/reader';
import { LineBatchReader } from './read-line-batch.js';
import type { LineBatch } from './read-line-batch.js';
import type { ShipCheckpoint } from './ship-checkpoint.js';

// A batch's JSON travels as one parameter; this keeps it far below the server's 1 GB limit.
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
// The sink accepts rows up to 16 MiB; a longer line is not a row.
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const CHECKPOINT_INTERVAL_MS = 200;

/** The file being shipped. */
export interface ShippedFile {
  readonly handle: FileHandle;
  readonly identity: FileIdentity;
  /** Its name when opened: `path` or `path.N`. */
  readonly name: string;
  /** Bytes of it whose rows are shipped. */
  offset: number;
  /** Of its first bytes, taken once a row of it is shipped; null before. */
  fingerprint: FileFingerprint | null;
}

/** Options of {@link ShipCursor}. */
export interface ShipCursorOptions {
  /** The live audit file, an absolute path; its rotated files are `path.1`, `path.2`, … */
  readonly path: string;
  /** Where the position is kept. */
  readonly checkpointPath: string;
  /** Rows per batch at most. */
  readonly batchRows: number;
  /** Where `[kora.ship.file]`, `[kora.ship.truncated]` and `[kora.ship.checkpoint_file_gone]` lines go. */
  readonly logger: AuditLogger;
  /** The clock, for the checkpoint interval and the quiet time after a rotation (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

/**
 * What the cursor found: a batch of whole lines to ship, or why there is none. `moved`: it is
 * at another file or position now, look again at once; `quiet`: the file read to its end was
 * rotated away and may still grow, look again shortly; `idle`: every whole line is read, look
 * again when a file changes.
 */
export type ShipCursorStep =
  | { readonly kind: 'batch'; readonly file: ShippedFile; readonly batch: LineBatch }
  | { readonly kind: 'moved' }
  | { readonly kind: 'quiet' }
  | { readonly kind: 'idle' };

const MOVED: ShipCursorStep = { kind: 'moved' };
const QUIET: ShipCursorStep = { kind: 'quiet' };
const IDLE: ShipCursorStep = { kind: 'idle' };

/**
 * Where shipping stands in the audit file and its rotated files, and the reading from there.
 * It resumes from a checkpoint however the file was rotated since (found by device and inode,
 * checked by fingerprint because inodes are reused), finds copytruncate's copy of a truncated
 * file, and moves along the chain to the next newer file once one is read to its end and
 * quiet. The checkpoint it writes names a position only after the caller says the rows before
 * it are shipped ({@link ShipCursor.shipped}). It needs no database.
 */
export class ShipCursor {
  private current: ShippedFile | null = null;
  private dirty = false;
  private lastSavedAt = 0;
  // The next batch of the file being shipped, read while the caller ships the current one.
  private prefetched: { readonly file: ShippedFile; readonly offset: number; readonly batch: Promise<LineBatch> } | undefined;
  private readonly reader: LineBatchReader;
  private readonly now: () => number;

  constructor(private readonly options: ShipCursorOptions) {
    this.reader = new LineBatchReader({ maxRows: options.batchRows, maxBytes: MAX_BATCH_BYTES, maxLineBytes: MAX_LINE_BYTES });
    this.now = options.now ?? Date.now;
  }

  /** The file being shipped, null while there is none. */
  get file(): ShippedFile | null {
    return this.current;
  }

  /** Open the checkpoint's file at its offset (null: the oldest file from its start) and write the checkpoint. */
  async start(checkpoint: ShipCheckpoint | null): Promise<void> {
    await this.switchTo(await this.resume(checkpoint), 'start');
  }

  /** The next batch of whole lines, or why there is none. */
  async next(): Promise<ShipCursorStep> {
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
    // Every whole line of this file is shipped.
    await this.save(true);
    const live = await statChainFile(this.options.path, 0);
    if (live !== null && sameIdentity(live.identity, file.identity)) return IDLE;
    return this.advance(file);
  }

  /** The rows of the file being shipped up to `offset` are shipped: move there, and checkpoint at most once per interval. */
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
   * much, which the database absorbs.
   */
  async save(force: boolean): Promise<void> {
    const file = this.current;
    if (file === null || !this.dirty) return;
    if (!force && this.now() - this.lastSavedAt < CHECKPOINT_INTERVAL_MS) return;
    const checkpoint: ShipCheckpoint = {
      v: 1,
      path: this.options.path,
      dev: file.identity.dev,
      ino: file.identity.ino,
      offset: file.offset,
      fingerprint: file.fingerprint,
      updated_at: new Date(this.now()).toISOString(),
    };
    await writeFileAtomically(this.options.checkpointPath, `${JSON.stringify(checkpoint)}\n`);
    this.dirty = false;
    this.lastSavedAt = this.now();
  }

  /** Close the file; {@link ShipCursor.file} still names it and its offset. */
  async close(): Promise<void> {
    await this.current?.handle.close();
  }

  private async read(file: ShippedFile): Promise<LineBatch> {
    const prefetched = this.prefetched;
    const batch =
      prefetched?.file === file && prefetched.offset === file.offset
        ? await prefetched.batch
        : await this.reader.read(file.handle, file.offset);
    this.prefetched = undefined;
    if (batch.endOffset > file.offset && batch.rows.length >= this.options.batchRows) {
      // A full batch: more rows are likely waiting. Read and parse them while this batch is
      // shipped (the parse is a fifth of the work; the insert waits on the server).
      const next = this.reader.read(file.handle, batch.endOffset);
      next.catch(() => undefined);
      this.prefetched = { file, offset: batch.endOffset, batch: next };
    }
    return batch;
  }

  private async switchTo(next: ShippedFile | null, reason: string): Promise<void> {
    const previous = this.current;
    this.current = next;
    if (previous !== null && previous !== next) await previous.handle.close();
    if (next === null) return;
    if (previous !== null) this.options.logger.info(`[kora.ship.file] path=${next.name} offset=${next.offset} reason=${reason}`);
    this.dirty = true;
    await this.save(true);
  }

  /** Open a file of the chain if it is still the file `expected` names; null otherwise. */
  private async openShipped(expected: ChainFile, offset: number, fingerprint: FileFingerprint | null): Promise<ShippedFile | null> {
    const opened = await openChainFile(this.options.path, expected.index, expected.identity);
    return opened === null ? null : { handle: opened.handle, identity: opened.identity, name: opened.path, offset, fingerprint };
  }

  /** The oldest file of the chain, from its start; null when there is no file yet. */
  private async openOldest(): Promise<ShippedFile | null> {
    for (let tries = 0; tries < 5; tries += 1) {
      const chain = await listChain(this.options.path);
      const oldest = chain[chain.length - 1];
      if (oldest === undefined) return null;
      const opened = await this.openShipped(oldest, 0, null);
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
  private async resume(checkpoint: ShipCheckpoint | null): Promise<ShippedFile | null> {
    if (checkpoint === null) return this.openOldest();
    const same = await locateInChain(this.options.path, { dev: checkpoint.dev, ino: checkpoint.ino });
    if (same !== null && same.size >= checkpoint.offset) {
      const opened = await this.openShipped(same, checkpoint.offset, checkpoint.fingerprint);
      if (opened !== null && (checkpoint.fingerprint === null || (await matchesFingerprint(opened.handle, checkpoint.fingerprint))))
        return opened;
      await opened?.handle.close();
    }
    const copy = await this.findCopy(checkpoint.fingerprint, checkpoint.offset, undefined);
    if (copy !== null) {
      const opened = await this.openShipped(copy, checkpoint.offset, checkpoint.fingerprint);
      if (opened !== null) return opened;
    }
    if (same !== null) {
      this.options.logger.warn(`[kora.ship.truncated] path=${same.path} offset=${checkpoint.offset} shipping it from its start`);
      const opened = await this.openShipped(same, 0, null);
      if (opened !== null) return opened;
    }
    this.options.logger.warn(
      `[kora.ship.checkpoint_file_gone] offset=${checkpoint.offset} shipping every file from the oldest; rows already in the table are skipped`,
    );
    return this.openOldest();
  }

  /** Whether the file still holds what was shipped from it: not truncated, same first bytes. */
  private async isIntact(file: ShippedFile): Promise<boolean> {
    const { size } = await file.handle.stat();
    if (size < file.offset) return false;
    return file.fingerprint === null || matchesFingerprint(file.handle, file.fingerprint);
  }

  /** The file was truncated or rewritten in place: ship the rest from its copy, if one is found, else it again. */
  private async afterTruncation(file: ShippedFile): Promise<void> {
    this.options.logger.warn(`[kora.ship.truncated] path=${file.name} offset=${file.offset}`);
    const copy = await this.findCopy(file.fingerprint, file.offset, file.identity);
    const opened = copy === null ? null : await this.openShipped(copy, file.offset, file.fingerprint);
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
  private async advance(file: ShippedFile): Promise<ShipCursorStep> {
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
    const opened = await this.openShipped(next, 0, null);
    if (opened === null) return MOVED;
    await this.switchTo(opened, 'rotated');
    return MOVED;
  }
}
