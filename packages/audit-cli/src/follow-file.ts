import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROTATION_QUIET_MS, identityOf, readErrorCode, sameIdentity } from '@kora/audit-sink/reader';
import type { FileIdentity } from '@kora/audit-sink/reader';
import { DEFAULT_MAX_LINE_BYTES } from './read-lines-forward.js';

const READ_CHUNK_BYTES = 64 * 1024;

/** Options for {@link followFile}. */
export interface FollowFileOptions {
  /** Where to start in the file found at `path` now, if it is still the file `identity` names. */
  readonly start?: { readonly offset: number; readonly identity: FileIdentity } | undefined;
  /** How often the path is checked (default 250 ms). */
  readonly pollMs?: number | undefined;
  /** Lines longer than this are dropped (default 16 MiB). */
  readonly maxLineBytes?: number | undefined;
  /** Stops following. */
  readonly signal?: AbortSignal | undefined;
  /** Called with every complete line, in file order. */
  readonly onLine: (line: string) => Promise<void> | void;
}

/** A file's identity and size, or null when the path is missing. */
export async function fileIdentity(path: string): Promise<{ identity: FileIdentity; size: number } | null> {
  try {
    const stats = await stat(path, { bigint: true });
    return { identity: identityOf(stats), size: Number(stats.size) };
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** One open file being read forward, with the partial line at its end. */
class FollowedFile {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private oversized = false;
  private readonly buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  /** When to stop reading a file that was rotated away (undefined while it is current). */
  retireAt: number | undefined;

  constructor(
    readonly handle: FileHandle,
    readonly identity: FileIdentity,
    public position: number,
    private readonly maxLineBytes: number,
  ) {}

  /** Start over at the beginning (the file was truncated in place). */
  rewind(): void {
    this.position = 0;
    this.partial = [];
    this.partialBytes = 0;
    this.oversized = false;
  }

  /** Read everything appended since the last call and pass on each complete line. */
  async drain(onLine: (line: string) => Promise<void> | void, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted === true) return;
      const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      let from = 0;
      for (;;) {
        const newline = this.buffer.indexOf(0x0a, from);
        const end = newline === -1 || newline >= bytesRead ? bytesRead : newline;
        this.hold(this.buffer.subarray(from, end));
        if (end === bytesRead) break;
        const line = this.oversized ? null : Buffer.concat(this.partial, this.partialBytes).toString('utf8');
        this.partial = [];
        this.partialBytes = 0;
        this.oversized = false;
        if (line !== null) await onLine(line);
        from = end + 1;
      }
    }
  }

  private hold(bytes: Buffer): void {
    if (bytes.length === 0 || this.oversized) return;
    if (this.partialBytes + bytes.length > this.maxLineBytes) {
      this.oversized = true;
      this.partial = [];
      this.partialBytes = 0;
      return;
    }
    // Copy: the read buffer is reused.
    this.partial.push(Buffer.from(bytes));
    this.partialBytes += bytes.length;
  }
}

async function openFollowed(path: string, offset: (identity: FileIdentity) => number, maxLineBytes: number): Promise<FollowedFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EISDIR' });
    const identity = identityOf(stats);
    return new FollowedFile(handle, identity, Math.min(offset(identity), Number(stats.size)), maxLineBytes);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Follow `path` like `tail -F`: pass on every complete line appended to it until `signal`
 * aborts. The path is checked every `pollMs`; when it names a new file (rename rotation) the
 * old one is read to its end for a few more seconds and the new one from its start; when the
 * file shrinks (copytruncate) it is read again from its start. A missing path is waited for.
 * Only complete lines are passed on: a torn last line waits for its newline.
 */
export async function followFile(path: string, options: FollowFileOptions): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const { signal, onLine } = options;
  const start = options.start;
  let current = await openFollowed(
    path,
    (identity) => (start !== undefined && sameIdentity(start.identity, identity) ? start.offset : 0),
    maxLineBytes,
  );
  const retiring: FollowedFile[] = [];

  try {
    while (signal?.aborted !== true) {
      for (const old of [...retiring]) {
        await old.drain(onLine, signal);
        if (Date.now() >= (old.retireAt ?? 0)) {
          retiring.splice(retiring.indexOf(old), 1);
          await old.handle.close();
        }
      }
      if (current !== null) await current.drain(onLine, signal);

      const now = await fileIdentity(path);
      if (now !== null && (current === null || !sameIdentity(now.identity, current.identity))) {
        if (current !== null) {
          current.retireAt = Date.now() + ROTATION_QUIET_MS;
          retiring.push(current);
        }
        current = await openFollowed(path, () => 0, maxLineBytes);
        continue;
      }
      if (now !== null && current !== null && now.size < current.position) current.rewind();

      try {
        await sleep(pollMs, undefined, { signal });
      } catch {
        // Aborted: the loop condition ends it.
      }
    }
  } finally {
    for (const file of [...retiring, ...(current === null ? [] : [current])]) await file.handle.close();
  }
}
