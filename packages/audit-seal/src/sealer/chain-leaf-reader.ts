import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { matchesFingerprint, takeFingerprint } from '@kora/audit-sink/files';
import type { FileFingerprint } from '@kora/audit-sink/files';
import { listChain, locateInChain, openChainFile, sameIdentity, siblingPath, statChainFile } from '@kora/audit-sink/reader';
import type { FileIdentity } from '@kora/audit-sink/reader';
import { sha256 } from '../merkle/sha256.js';
import { SealError } from './seal-error.js';

const CHUNK = 1024 * 1024;
// Looking back for the start of the last sealed line: most lines are well under this.
const BACKWARD_CHUNK = 64 * 1024;
const LEAF_PREFIX_BYTE = 0x00;
const LEAF_PREFIX = Buffer.from([LEAF_PREFIX_BYTE]);

/** The file leaves are read from, and how far. */
export interface LeafPosition {
  readonly identity: FileIdentity;
  /** Where it was in the chain when last seen (0 is the live file). */
  readonly index: number;
  /** Bytes of it whose lines are leaves. */
  readonly offset: number;
  readonly fingerprint: FileFingerprint | null;
}

/**
 * Why a read stopped: `limit` reached, `idle` (every whole line read), `quiet` (a rotated file
 * may still grow), `aborted` (the signal aborted: there may be more to read).
 */
export type LeafReadEnd = 'limit' | 'idle' | 'quiet' | 'aborted';

interface OpenFile {
  readonly handle: FileHandle;
  readonly identity: FileIdentity;
  index: number;
  offset: number;
  fingerprint: FileFingerprint | null;
}

/**
 * Reads the audit file's chain as leaves, in the tree's order: the rotated files oldest first,
 * then the live file; each line without its newline is one leaf. It follows rotation by rename
 * (a file is finished, once it has been quiet for `quietMs`, before the next newer one is
 * begun; its last line is a leaf even without a newline, for nothing more will be appended)
 * and finds copytruncate's copy of a truncated file by its fingerprint. In the live file only
 * lines with their newline are leaves: the rest may still be being written.
 */
export class ChainLeafReader {
  private current: OpenFile | null = null;

  constructor(
    private readonly path: string,
    private readonly quietMs: number,
    private readonly now: () => number,
    start: LeafPosition | null,
  ) {
    this.start = start;
  }

  private start: LeafPosition | null;

  /** Where the next leaf starts; null before any file was found. */
  position(): LeafPosition | null {
    const file = this.current;
    if (file === null) return this.start;
    return { identity: file.identity, index: file.index, offset: file.offset, fingerprint: file.fingerprint };
  }

  /**
   * Read leaves until `limit` of them or the end of what can be read now, giving each leaf's
   * hash to `take`. Rejects with a {@link SealError} when the chain no longer holds what was
   * read (a file truncated with no copy, a file removed before it was finished).
   */
  async read(limit: number, take: (leafHash: Buffer) => void, signal?: AbortSignal): Promise<LeafReadEnd> {
    let taken = 0;
    const counted = (leafHash: Buffer): void => {
      taken += 1;
      take(leafHash);
    };
    for (;;) {
      if (signal?.aborted === true) return 'aborted';
      const file = await this.openCurrent();
      if (file === null) return 'idle';
      const size = (await file.handle.stat()).size;
      if (size < file.offset || (file.fingerprint !== null && !(await matchesFingerprint(file.handle, file.fingerprint)))) {
        await this.followCopy(file);
        continue;
      }
      const wholeLines = await this.readLines(file, size, limit - taken, counted);
      if (file.fingerprint === null && file.offset > 0) file.fingerprint = await takeFingerprint(file.handle, file.offset);
      if (!wholeLines || taken >= limit) return 'limit';
      const live = await statChainFile(this.path, 0);
      if (live !== null && sameIdentity(live.identity, file.identity)) return 'idle';
      const located = await locateInChain(this.path, file.identity, file.index);
      if (located === null) {
        throw new SealError(
          `a rotated audit file was removed before it was sealed to its end (device ${file.identity.dev}, inode ${file.identity.ino})`,
        );
      }
      file.index = located.index;
      if (this.now() - located.mtimeMs < this.quietMs || located.size !== size) return 'quiet';
      if (file.offset < size) {
        // The last line of a finished file, without its newline: a write cut short. Still a leaf.
        counted(await this.hashRange(file.handle, file.offset, size));
        file.offset = size;
        if (file.fingerprint === null) file.fingerprint = await takeFingerprint(file.handle, file.offset);
      }
      if (located.index === 0) return 'idle';
      const next = await openChainFile(this.path, located.index - 1);
      if (next === null) return 'idle';
      await file.handle.close();
      this.current = { handle: next.handle, identity: next.identity, index: next.index, offset: 0, fingerprint: null };
    }
  }

  /**
   * Reject with a {@link SealError} when the line that ends at the position, the last leaf
   * read, no longer hashes to `leafHash`: a sealed line of the file was changed, removed or
   * shortened, or one was inserted, and the lines after the position are no longer the ones
   * that follow the seal. A file truncated below the position, or replaced, is left to
   * {@link read}, which looks for its copy.
   */
  async checkLastLeaf(leafHash: Uint8Array): Promise<void> {
    const file = await this.openCurrent();
    if (file === null || file.offset === 0) return;
    const size = (await file.handle.stat()).size;
    if (size < file.offset || (file.fingerprint !== null && !(await matchesFingerprint(file.handle, file.fingerprint)))) return;
    const last = Buffer.alloc(1);
    await file.handle.read(last, 0, 1, file.offset - 1);
    let lineEnd = file.offset - 1;
    if (last[0] !== 0x0a) {
      // Only a finished file's last line is a leaf without its newline: nothing follows it,
      // and the file is no longer the live one. Anything else is a line moved by an edit.
      const live = await statChainFile(this.path, 0);
      if (size !== file.offset || (live !== null && sameIdentity(live.identity, file.identity))) throw this.changed(file);
      lineEnd = file.offset;
    }
    const lineStart = await this.lineStartBefore(file.handle, lineEnd);
    if (!(await this.hashRange(file.handle, lineStart, lineEnd)).equals(leafHash)) throw this.changed(file);
  }

  private changed(file: OpenFile): SealError {
    return new SealError(
      `the last sealed line of ${siblingPath(this.path, file.index)} (ending at byte ${file.offset}) changed, or sealed lines before it were changed or removed: the file no longer matches its seal; run kora-audit verify`,
    );
  }

  /** Close the open file. */
  async close(): Promise<void> {
    const file = this.current;
    this.current = null;
    if (file !== null) this.start = { identity: file.identity, index: file.index, offset: file.offset, fingerprint: file.fingerprint };
    await file?.handle.close();
  }

  /** The file to read: the saved position's, or the oldest of the chain from its start. */
  private async openCurrent(): Promise<OpenFile | null> {
    if (this.current !== null) return this.current;
    const start = this.start;
    if (start === null) {
      const chain = await listChain(this.path);
      const oldest = chain[chain.length - 1];
      if (oldest === undefined) return null;
      const opened = await openChainFile(this.path, oldest.index, oldest.identity);
      if (opened === null) return null;
      this.current = { handle: opened.handle, identity: opened.identity, index: opened.index, offset: 0, fingerprint: null };
      return this.current;
    }
    const located = await locateInChain(this.path, start.identity, start.index);
    const opened = located === null ? null : await openChainFile(this.path, located.index, located.identity);
    if (opened === null || (start.fingerprint !== null && !(await matchesFingerprint(opened.handle, start.fingerprint)))) {
      await opened?.handle.close();
      const copy = await this.findCopy(start.fingerprint, start.offset, undefined);
      if (copy === null) {
        throw new SealError(
          opened === null
            ? `the audit file the sealer stopped in (device ${start.identity.dev}, inode ${start.identity.ino}) is gone from the chain, and no copy holds what was sealed of it`
            : `${siblingPath(this.path, opened.index)} was truncated, replaced or changed within the ${start.offset} bytes already sealed, and no copy of it holds them; run kora-audit verify`,
        );
      }
      this.current = { ...copy, offset: start.offset, fingerprint: start.fingerprint };
      return this.current;
    }
    this.current = {
      handle: opened.handle,
      identity: opened.identity,
      index: opened.index,
      offset: start.offset,
      fingerprint: start.fingerprint,
    };
    return this.current;
  }

  /** The file was truncated (copytruncate) or replaced at its inode: carry on in a copy of it, or fail. */
  private async followCopy(file: OpenFile): Promise<void> {
    const copy = await this.findCopy(file.fingerprint, file.offset, file.identity);
    if (copy === null) {
      throw new SealError(
        `${siblingPath(this.path, file.index)} was truncated, replaced or changed within the ${file.offset} bytes already sealed, and no copy of it holds them; run kora-audit verify`,
      );
    }
    await file.handle.close();
    this.current = { ...copy, offset: file.offset, fingerprint: file.fingerprint };
  }

  /** A file of the chain, other than `except`, that begins with the fingerprinted bytes and holds `offset` bytes. */
  private async findCopy(
    fingerprint: FileFingerprint | null,
    offset: number,
    except: FileIdentity | undefined,
  ): Promise<{ handle: FileHandle; identity: FileIdentity; index: number } | null> {
    if (fingerprint === null) return null;
    for (const candidate of await listChain(this.path)) {
      if (except !== undefined && sameIdentity(candidate.identity, except)) continue;
      if (candidate.size < offset) continue;
      const opened = await openChainFile(this.path, candidate.index, candidate.identity);
      if (opened === null) continue;
      if (await matchesFingerprint(opened.handle, fingerprint))
        return { handle: opened.handle, identity: opened.identity, index: opened.index };
      await opened.handle.close();
    }
    return null;
  }

  /**
   * Hash the whole lines of `file` from its offset up to `size`, at most `limit` of them,
   * moving the offset past each. False when the limit stopped it.
   */
  private async readLines(file: OpenFile, size: number, limit: number, take: (leafHash: Buffer) => void): Promise<boolean> {
    if (limit <= 0) return false;
    // Byte 0 is not the file's: it holds the leaf prefix of a line that starts the chunk, so
    // each line is hashed where it was read, its prefix written over the newline before it.
    const buffer = Buffer.allocUnsafe(CHUNK + 1);
    let taken = 0;
    let chunkStart = file.offset;
    // A line longer than a chunk is hashed as it streams by.
    let longLine: ReturnType<typeof createHash> | null = null;
    while (chunkStart < size) {
      const { bytesRead } = await file.handle.read(buffer, 1, Math.min(CHUNK, size - chunkStart), chunkStart);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(1, 1 + bytesRead);
      let lineStart = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, lineStart);
        if (newline < 0) break;
        let leafHash: Buffer;
        if (longLine === null) {
          buffer[lineStart] = LEAF_PREFIX_BYTE;
          leafHash = sha256(buffer.subarray(lineStart, newline + 1));
        } else {
          leafHash = longLine.update(chunk.subarray(lineStart, newline)).digest();
          longLine = null;
        }
        take(leafHash);
        taken += 1;
        lineStart = newline + 1;
        file.offset = chunkStart + lineStart;
        if (taken >= limit) return false;
      }
      if (lineStart < bytesRead) {
        if (lineStart === 0 || longLine !== null) {
          // No newline in the rest of this chunk: the line goes on into the next.
          longLine ??= createHash('sha256').update(LEAF_PREFIX);
          longLine.update(chunk.subarray(lineStart));
          chunkStart += bytesRead;
          continue;
        }
        chunkStart += lineStart;
        continue;
      }
      chunkStart += bytesRead;
    }
    return true;
  }

  /** Where the line that ends at `end` begins: after the newline before it, or at 0. */
  private async lineStartBefore(handle: FileHandle, end: number): Promise<number> {
    const buffer = Buffer.allocUnsafe(Math.min(BACKWARD_CHUNK, end));
    for (let to = end; to > 0;) {
      const from = Math.max(0, to - buffer.length);
      const { bytesRead } = await handle.read(buffer, 0, to - from, from);
      if (bytesRead < to - from) throw new SealError('an audit file shrank while it was read');
      const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) return from + newline + 1;
      to = from;
    }
    return 0;
  }

  /** The leaf hash of the bytes from `from` to `to`, read in chunks. */
  private async hashRange(handle: FileHandle, from: number, to: number): Promise<Buffer> {
    const hash = createHash('sha256').update(LEAF_PREFIX);
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, to - from));
    for (let position = from; position < to;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, to - position), position);
      if (bytesRead === 0) throw new SealError('an audit file shrank while it was read');
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return hash.digest();
  }
}
