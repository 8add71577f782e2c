import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { lockStateFile, writeFileAtomically } from '@kora/audit-sink/files';
import type { StateFileLock } from '@kora/audit-sink/files';
import { ROTATION_QUIET_MS, readErrorCode } from '@kora/audit-sink/reader';
import { createTreeBuilder } from '../merkle/create-tree-builder.js';
import { restoreTreeBuilder } from '../merkle/restore-tree-builder.js';
import type { TreeBuilder } from '../merkle/create-tree-builder.js';
import { HASH_SIZE } from '../merkle/hash-leaf.js';
import { formatCheckpoint } from '../note/checkpoint.js';
import { noteKeyHash } from '../note/note-key-hash.js';
import { rawPublicKey } from '../note/seal-key.js';
import { signNote } from '../note/sign-note.js';
import type { NoteSigner } from '../note/sign-note.js';
import { formatKeyHash } from '../note/verifier-key.js';
import { ChainLeafReader } from './chain-leaf-reader.js';
import type { LeafPosition, LeafReadEnd } from './chain-leaf-reader.js';
import { formatCheckpointRecord, parseCheckpointRecord } from './checkpoint-record.js';
import type { CheckpointRecord } from './checkpoint-record.js';
import { newLogOrigin } from './log-origin.js';
import { SealError } from './seal-error.js';
import { sealPaths } from './seal-paths.js';
import { parseSealState } from './seal-state.js';
import type { SealState } from './seal-state.js';

/** Where the sealer's `[kora.seal.*]` lines go. */
export interface SealerLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Options of {@link openSealer}. */
export interface SealerOptions {
  /** The live audit file, an absolute path; its rotated files are `path.1`, `path.2`, … */
  readonly path: string;
  /** The key that signs checkpoints, and its name. */
  readonly signer: NoteSigner;
  /** The origin of a log sealed for the first time (default `kora-audit/<host>/<UUID>`); an existing log keeps its own. */
  readonly origin?: string | undefined;
  readonly logger?: SealerLogger | undefined;
  /** How long a rotated file must be unchanged before it is finished (default: the sink's rotation grace). */
  readonly quietMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** What one sealing pass did. */
export interface SealPass {
  /** Leaves added to the tree. */
  readonly leaves: number;
  /** The tree's size after it. */
  readonly size: number;
  /** The checkpoint it appended, or null when the tree did not grow. */
  readonly checkpoint: CheckpointRecord | null;
  /** `quiet`: a rotated file may still grow and was not finished; `idle`: everything readable is sealed. */
  readonly end: 'idle' | 'quiet';
}

/** Where sealing stands. */
export interface SealerStatus {
  readonly origin: string;
  /** The signing key as `NAME+KEYID`. */
  readonly key: string;
  /** Leaves in the tree. */
  readonly size: number;
  /** The newest checkpoint, this sealer's or an earlier one's. */
  readonly lastCheckpoint: CheckpointRecord | null;
  /**
   * Where the next line to seal starts: the file (its device and inode, and its index in the
   * chain when last seen, 0 for the live file) and the byte offset in it; null before a file
   * was found. Bytes of the chain past it are not sealed yet.
   */
  readonly position: SealerPosition | null;
}

/** A place in the audit file's chain, as {@link SealerStatus.position} gives it. */
export interface SealerPosition {
  readonly dev: string;
  readonly ino: string;
  readonly index: number;
  readonly offset: number;
}

/** A sealer holding its audit file's seal: one at a time per file. */
export interface Sealer {
  /** Read every new line into the tree and, if it grew, append a signed checkpoint. */
  seal(signal?: AbortSignal): Promise<SealPass>;
  status(): SealerStatus;
  /** Release the lock and close the files; the state is already saved. */
  close(): Promise<void>;
}

// A seal state holds at most 53 frontier hashes: a few KiB.
const MAX_STATE_BYTES = 64 * 1024;

// A torn last checkpoint line is shorter than a record; a record is a few hundred bytes.
const MAX_TORN_BYTES = 64 * 1024;
const MAX_RECORD_BYTES = 64 * 1024;
const TAIL_CHUNK = 16 * 1024;

// Leaf hashes buffered before they are written to the leaves file (2 MiB).
const LEAF_BUFFER = 65_536;

/**
 * Open the seal of the audit file `options.path`: take the sealer's lock (one sealer per file),
 * and carry on from the saved state, or rebuild the tree from the oldest file when the state is
 * missing or unusable or the leaves file is behind. Before it signs anything new, the tree is
 * brought to the size of the newest checkpoint and its root compared: a mismatch rejects with a
 * {@link SealError} (the file changed under the seal), and so does a checkpoint larger than
 * the chain. Each pass first checks that the last sealed line is still the one sealed, so a
 * sealed line of the file being read that was changed in length, removed, or is the last one
 * is refused too; a same-length change further back is found by a rebuild or by
 * `kora-audit verify`. A crash at any point loses no checkpoint and needs no repair: a torn last line of
 * the checkpoints file is cut off, and the leaves file is cut to the saved size.
 */
export async function openSealer(options: SealerOptions): Promise<Sealer> {
  const paths = sealPaths(options.path);
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const { signer } = options;
  const key = `${signer.name}+${formatKeyHash(noteKeyHash(signer.name, rawPublicKey(signer.privateKey)))}`;
  const lock: StateFileLock = await lockStateFile(paths.state, 'sealer');
  let leavesFile: FileHandle | undefined;
  let checkpointsFile: FileHandle | undefined;
  try {
    const lastCheckpoint = await readLastCheckpoint(paths.checkpoints, logger);
    const found = await readState(paths.state);
    const saved = typeof found === 'string' ? undefined : found;
    leavesFile = await openLeavesFile(paths.leaves);
    const storedLeaves = Math.floor((await leavesFile.stat()).size / HASH_SIZE);
    const origin = saved?.origin ?? lastCheckpoint?.origin ?? options.origin ?? newLogOrigin();
    if (options.origin !== undefined && options.origin !== origin) {
      throw new SealError(`the log is already sealed with origin ${origin}; an existing log keeps its origin`);
    }
    const restored = saved !== undefined && saved.origin === origin ? restoreTreeBuilder(saved.tree) : undefined;
    let builder: TreeBuilder;
    let position: LeafPosition | null;
    if (saved !== undefined && restored?.ok === true && storedLeaves >= restored.builder.size) {
      builder = restored.builder;
      position = saved.file === null ? null : { identity: { dev: saved.file.dev, ino: saved.file.ino }, ...saved.file };
    } else {
      if (lastCheckpoint !== null) {
        const reason = found === 'missing' ? 'no_state' : restored?.ok !== true ? 'bad_state' : 'leaves_behind';
        logger?.warn(`[kora.seal.rebuild] path=${options.path} reason=${reason} size=${lastCheckpoint.size}`);
      }
      builder = createTreeBuilder();
      position = null;
    }
    await leavesFile.truncate(builder.size * HASH_SIZE);
    const lastLeaf = builder.size === 0 ? null : await readLeafHash(leavesFile, builder.size - 1);
    checkpointsFile = await open(paths.checkpoints, 'a', 0o600);
    return new FileSealer({
      options: { ...options, quietMs: options.quietMs ?? ROTATION_QUIET_MS },
      origin,
      key,
      builder,
      position,
      lastCheckpoint,
      lastLeaf,
      leavesFile,
      checkpointsFile,
      lock,
      now,
    });
  } catch (error) {
    await leavesFile?.close();
    await checkpointsFile?.close();
    await lock.release();
    throw error;
  }
}

interface FileSealerParts {
  readonly options: SealerOptions & { readonly quietMs: number };
  readonly origin: string;
  readonly key: string;
  readonly builder: TreeBuilder;
  readonly position: LeafPosition | null;
  readonly lastCheckpoint: CheckpointRecord | null;
  /** The hash of the tree's last leaf, null for an empty tree. */
  readonly lastLeaf: Buffer | null;
  readonly leavesFile: FileHandle;
  readonly checkpointsFile: FileHandle;
  readonly lock: StateFileLock;
  readonly now: () => number;
}

class FileSealer implements Sealer {
  private readonly reader: ChainLeafReader;
  private lastCheckpoint: CheckpointRecord | null;
  // The newest checkpoint while the tree is still below its size: it must be matched first.
  private pending: CheckpointRecord | null;
  private leafBuffer = Buffer.allocUnsafe(LEAF_BUFFER * HASH_SIZE);
  private buffered = 0;
  private written: number;
  private running: Promise<SealPass> | undefined;
  private closed = false;
  private lastLeaf: Buffer | null;

  constructor(private readonly parts: FileSealerParts) {
    const { options, position, now, lastCheckpoint, builder } = parts;
    this.reader = new ChainLeafReader(options.path, options.quietMs, now, position);
    this.lastCheckpoint = lastCheckpoint;
    this.pending = lastCheckpoint !== null && lastCheckpoint.size >= builder.size ? lastCheckpoint : null;
    this.written = builder.size;
    this.lastLeaf = parts.lastLeaf;
    this.savedPosition = JSON.stringify(position);
  }

  seal(signal?: AbortSignal): Promise<SealPass> {
    if (this.closed) return Promise.reject(new Error('the sealer is closed'));
    // One pass at a time: a second caller waits for the running one, then runs its own.
    const previous = this.running ?? Promise.resolve(undefined);
    const pass = previous.then(
      () => this.pass(signal),
      () => this.pass(signal),
    );
    this.running = pass;
    return pass;
  }

  status(): SealerStatus {
    const { origin, key, builder } = this.parts;
    const at = this.reader.position();
    const position = at === null ? null : { dev: at.identity.dev, ino: at.identity.ino, index: at.index, offset: at.offset };
    return { origin, key, size: builder.size, lastCheckpoint: this.lastCheckpoint, position };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.running?.catch(() => undefined);
    await this.reader.close();
    await this.parts.leavesFile.close();
    await this.parts.checkpointsFile.close();
    await this.parts.lock.release();
  }

  private async pass(signal: AbortSignal | undefined): Promise<SealPass> {
    const { builder, options } = this.parts;
    const before = builder.size;
    // The line the seal ends at must still be the one sealed before anything is added after it.
    if (this.lastLeaf !== null) await this.reader.checkLastLeaf(this.lastLeaf);
    const take = (leafHash: Buffer): void => {
      builder.appendLeafHash(leafHash);
      this.lastLeaf = leafHash;
      leafHash.copy(this.leafBuffer, this.buffered * HASH_SIZE);
      this.buffered += 1;
      if (this.buffered === LEAF_BUFFER) this.flushSoon = true;
    };
    let end: LeafReadEnd;
    for (;;) {
      const pending = this.pending;
      const limit = Math.min(LEAF_BUFFER - this.buffered, pending === null ? Infinity : pending.size - builder.size);
      end = limit === 0 ? 'limit' : await this.reader.read(limit, take, signal);
      if (this.flushSoon || this.buffered === LEAF_BUFFER) await this.writeLeaves();
      if (pending !== null && builder.size === pending.size) {
        const root = builder.root().toString('base64');
        if (root !== pending.root) {
          throw new SealError(
            `the audit file no longer matches checkpoint ${pending.size} of ${sealPaths(options.path).checkpoints}: a line at or before line ${pending.size} of the chain changed; run kora-audit verify`,
          );
        }
        this.pending = null;
        continue;
      }
      if (end !== 'limit') break;
    }
    // An aborted pass may have stopped short of the newest checkpoint: the next one goes on.
    if (this.pending !== null && end === 'idle') {
      throw new SealError(
        `the audit file's chain holds ${builder.size} lines, fewer than the ${this.pending.size} of its newest checkpoint: lines were removed; run kora-audit verify`,
      );
    }
    await this.writeLeaves();
    let checkpoint: CheckpointRecord | null = null;
    if (this.pending === null && builder.size > (this.lastCheckpoint?.size ?? 0)) {
      checkpoint = await this.appendCheckpoint();
    }
    if (builder.size !== before || this.positionChanged()) await this.saveState();
    return { leaves: builder.size - before, size: builder.size, checkpoint, end: end === 'quiet' ? 'quiet' : 'idle' };
  }

  private flushSoon = false;
  private savedPosition: string | undefined;

  /** Whether the reader moved (to another file, past a torn tail) since the state was saved. */
  private positionChanged(): boolean {
    return JSON.stringify(this.reader.position()) !== this.savedPosition;
  }

  /** Append the buffered leaf hashes to the leaves file, at their place. */
  private async writeLeaves(): Promise<void> {
    this.flushSoon = false;
    if (this.buffered === 0) return;
    const bytes = this.buffered * HASH_SIZE;
    await this.parts.leavesFile.write(this.leafBuffer, 0, bytes, this.written * HASH_SIZE);
    this.written += this.buffered;
    this.buffered = 0;
  }

  /** Sign the tree's head and append it, durably, to the checkpoints file. */
  private async appendCheckpoint(): Promise<CheckpointRecord> {
    const { builder, origin, key, options, now, checkpointsFile, leavesFile } = this.parts;
    const root = builder.root();
    const note = signNote(formatCheckpoint({ origin, size: builder.size, root }), options.signer);
    const record: CheckpointRecord = {
      size: builder.size,
      root: root.toString('base64'),
      note,
      origin,
      key,
      sealed_at: new Date(now()).toISOString(),
    };
    // The leaves a proof needs are on disk before the checkpoint that covers them.
    await leavesFile.datasync();
    await checkpointsFile.write(`${formatCheckpointRecord(record)}\n`);
    await checkpointsFile.datasync();
    this.lastCheckpoint = record;
    return record;
  }

  private async saveState(): Promise<void> {
    const { builder, origin, now } = this.parts;
    const position = this.reader.position();
    const state: SealState = {
      v: 1,
      origin,
      tree: builder.saveState(),
      file:
        position === null
          ? null
          : {
              dev: position.identity.dev,
              ino: position.identity.ino,
              index: position.index,
              offset: position.offset,
              fingerprint: position.fingerprint,
            },
      updated_at: new Date(now()).toISOString(),
    };
    await writeFileAtomically(sealPaths(this.parts.options.path).state, `${JSON.stringify(state)}\n`);
    this.savedPosition = JSON.stringify(position);
  }
}

/** Leaf `index`'s hash from the leaves file. */
async function readLeafHash(leavesFile: FileHandle, index: number): Promise<Buffer> {
  const leafHash = Buffer.alloc(HASH_SIZE);
  const { bytesRead } = await leavesFile.read(leafHash, 0, HASH_SIZE, index * HASH_SIZE);
  if (bytesRead !== HASH_SIZE) throw new SealError('the leaves file shrank while it was read');
  return leafHash;
}

/** The saved state; `missing` when there is no state file, `unreadable` when it holds no state. */
async function readState(path: string): Promise<SealState | 'missing' | 'unreadable'> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const stats = await handle.stat();
    // A state is a few hundred bytes; anything else at its name is not read into memory.
    if (!stats.isFile() || stats.size > MAX_STATE_BYTES) return 'unreadable';
    return parseSealState(await handle.readFile('utf8')) ?? 'unreadable';
  } finally {
    await handle.close();
  }
}

/** The leaves file, created (0600) if missing, open for positional reads and writes. */
async function openLeavesFile(path: string): Promise<FileHandle> {
  await (await open(path, 'a', 0o600)).close();
  return open(path, 'r+');
}

/**
 * The newest record of the checkpoints file, or null when there is none, read from the file's
 * end: a sealer started from cron every minute must not read a year of checkpoints each time
 * (`kora-audit verify` reads them all). A torn last line (a sealer stopped while appending) is
 * cut off; a last line that is not a record, or a newest record smaller than the one before,
 * stops the sealer: someone else wrote there.
 */
async function readLastCheckpoint(path: string, logger: SealerLogger | undefined): Promise<CheckpointRecord | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    let size = (await handle.stat()).size;
    const kept = await bytesBeforeTornLine(handle);
    if (kept < size) {
      if (size - kept > MAX_TORN_BYTES) {
        throw new SealError(`${path}: its last ${size - kept} bytes have no newline: not a checkpoint cut short; run kora-audit verify`);
      }
      await handle.truncate(kept);
      await handle.datasync();
      logger?.warn(`[kora.seal.torn_checkpoint] path=${path} bytes=${size - kept}`);
      size = kept;
    }
    const [last, before] = await readLastLines(handle, size, 2);
    if (last === undefined) return null;
    const newest = parseCheckpointRecord(last);
    if (!newest.ok) throw new SealError(`${path}: its last line is not a checkpoint record (${newest.error}); run kora-audit verify`);
    const previous = before === undefined ? undefined : parseCheckpointRecord(before);
    if (previous?.ok === true && previous.value.size > newest.value.size) {
      throw new SealError(`${path}: its last checkpoint is smaller than the one before it; run kora-audit verify`);
    }
    return newest.value;
  } finally {
    await handle.close();
  }
}

/** The last `count` lines (without their newlines) of the first `size` bytes, which end with a newline; newest first. */
async function readLastLines(handle: FileHandle, size: number, count: number): Promise<string[]> {
  const lines: string[] = [];
  let end = size - 1; // the newline that ends the last line
  while (lines.length < count && end > 0) {
    let start = end;
    const chunks: Buffer[] = [];
    for (;;) {
      const from = Math.max(0, start - TAIL_CHUNK);
      const buffer = Buffer.allocUnsafe(start - from);
      await handle.read(buffer, 0, buffer.length, from);
      const newline = buffer.lastIndexOf(0x0a);
      if (newline >= 0) {
        chunks.unshift(buffer.subarray(newline + 1));
        start = from + newline + 1;
        break;
      }
      chunks.unshift(buffer);
      start = from;
      if (from === 0) break;
      if (end - start > MAX_RECORD_BYTES)
        throw new SealError('a line of the checkpoints file is too long to be a record; run kora-audit verify');
    }
    lines.push(Buffer.concat(chunks).toString('utf8', 0, end - start));
    end = start - 1;
  }
  return lines;
}

/** The file's size up to and including its last newline: what is left once a torn last line is cut off. */
async function bytesBeforeTornLine(handle: FileHandle): Promise<number> {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (let to = (await handle.stat()).size; to > 0;) {
    const from = Math.max(0, to - buffer.length);
    const { bytesRead } = await handle.read(buffer, 0, to - from, from);
    if (bytesRead < to - from) throw new SealError('the checkpoints file shrank while it was read');
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) return from + newline + 1;
    to = from;
  }
  return 0;
}
