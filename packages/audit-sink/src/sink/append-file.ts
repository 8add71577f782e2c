import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { readErrorCode } from '../format/read-error-code.js';

/** What a failed write left behind. */
export class AppendError extends Error {
  constructor(
    /** The errno code, e.g. `ENOSPC`, or `EUNKNOWN`. */
    readonly code: string,
    /** Bytes of the buffer that did reach the file before the failure. */
    readonly bytesWritten: number,
    options?: { cause?: unknown },
  ) {
    super(`append failed: ${code}`, options);
    this.name = 'AppendError';
  }
}

function errorCode(error: unknown): string {
  return readErrorCode(error) ?? 'EUNKNOWN';
}

// How often the path is stat'ed to notice that rotation renamed the file away.
const ROTATION_CHECK_INTERVAL_MS = 1000;

/**
 * One JSONL file opened with O_APPEND and kept open. Every `append` is whole lines in one
 * `write(2)`, so lines from many processes never interleave; a write torn by a full disk
 * is followed by a newline before the next line, so a torn line never swallows a good one.
 */
export class AppendFile {
  private fd: number | null = null;
  private inode = 0;
  private device = 0;
  private lastRotationCheck = 0;
  // The path was missing at the last check while the open file still had a name.
  private pathMissing = false;
  // True when the file's last byte is not a newline (a torn line or a crashed writer).
  private needsNewline = false;
  /** Times the file was (re)opened after the first open. */
  reopens = 0;
  private opened = false;

  constructor(
    readonly path: string,
    private readonly now: () => number,
  ) {}

  /** Append `text` (whole lines ending in `\n`). Throws {@link AppendError}. */
  append(text: string): void {
    this.checkRotation();
    const fd = this.ensureOpen();
    const payload = this.needsNewline ? `\n${text}` : text;
    const prefix = this.needsNewline ? 1 : 0;
    let offset = 0;
    try {
      // The string goes to write(2) as it is, without a Buffer made for it first. Only a short
      // write (a full disk, a file size limit) needs the bytes, to continue where it stopped.
      offset = writeSync(fd, payload);
      const size = Buffer.byteLength(payload, 'utf8');
      if (offset < size) {
        const bytes = Buffer.from(payload, 'utf8');
        while (offset < size) offset += writeSync(fd, bytes, offset, size - offset);
      }
    } catch (error) {
      if (offset > 0) this.needsNewline = true;
      const code = errorCode(error);
      // The descriptor itself may be bad (file replaced, volume gone): reopen next time.
      if (code === 'EBADF' || code === 'EIO' || code === 'ESTALE') this.closeQuietly();
      throw new AppendError(code, Math.max(0, offset - prefix), { cause: error });
    }
    this.needsNewline = false;
  }

  /** Close now; the next append opens the path again. */
  reopen(): void {
    this.closeQuietly();
  }

  close(): void {
    this.closeQuietly();
  }

  private ensureOpen(): number {
    if (this.fd !== null) return this.fd;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      // Read-write so the last byte can be checked; O_APPEND makes every write land at the end.
      const fd = openSync(this.path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
      const stat = fstatSync(fd);
      if (!stat.isFile()) {
        closeSync(fd);
        // A FIFO, a device or a socket (a directory fails to open with EISDIR itself). EFTYPE is
        // libuv's "inappropriate file type", which says what is wrong where EISDIR would not.
        throw Object.assign(new Error('not a regular file'), { code: 'EFTYPE' });
      }
      this.needsNewline = stat.size > 0 && lastLineIsTorn(fd, stat.size);
      this.fd = fd;
      this.inode = stat.ino;
      this.device = stat.dev;
      this.lastRotationCheck = this.now();
      this.pathMissing = false;
      if (this.opened) this.reopens += 1;
      this.opened = true;
      return fd;
    } catch (error) {
      if (error instanceof AppendError) throw error;
      throw new AppendError(errorCode(error), 0, { cause: error });
    }
  }

  private checkRotation(): void {
    if (this.fd === null) return;
    const now = this.now();
    const elapsed = now - this.lastRotationCheck;
    // A clock set back must not postpone the check by the size of the jump.
    if (elapsed >= 0 && elapsed < ROTATION_CHECK_INTERVAL_MS) return;
    this.lastRotationCheck = now;
    const stat = statPath(this.path);
    if (stat === undefined) {
      // Renamed away and not yet recreated: logrotate's `create` is about to make the new
      // file, and creating it first would make logrotate move ours aside. Rows keep going to
      // the renamed file (nothing is lost) until the next check; a deleted file is left now.
      if (!this.pathMissing && this.openFileHasName()) {
        this.pathMissing = true;
        return;
      }
      this.closeQuietly();
      return;
    }
    this.pathMissing = false;
    if (stat.ino !== this.inode || stat.dev !== this.device) this.closeQuietly();
  }

  private openFileHasName(): boolean {
    try {
      return this.fd !== null && fstatSync(this.fd).nlink > 0;
    } catch {
      return false;
    }
  }

  private closeQuietly(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed or invalid; nothing left to release.
    }
    this.fd = null;
  }
}

function statPath(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    // Missing, or unreachable for now: either way the path does not name the open file.
    return undefined;
  }
}

// How long a file that does not end in a newline is watched before its last line is taken
// for torn, in 1 ms steps: a quarter of a second. On a busy host a writer can be taken off the
// CPU in the middle of its append for tens of milliseconds; 50 ms proved too short.
const SETTLE_STEPS = 250;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Whether the file's last line lacks its newline for good (a writer crashed mid-row), not
 * just for now: another process may be in the middle of a long append, whose visible end is
 * inside a row until its write(2) returns. Taking that for torn would put a blank line into
 * a busy file, so the end is given a moment to settle. Only a file that does not end in a
 * newline waits, and only when it is opened.
 */
function lastLineIsTorn(fd: number, size: number): boolean {
  let current = size;
  for (let step = 0; ; step += 1) {
    if (current === 0 || endsWithNewline(fd, current)) return false;
    if (step === SETTLE_STEPS) return true;
    // A synchronous sleep: appends are synchronous, and this happens once per open at most.
    Atomics.wait(pause, 0, 0, 1);
    try {
      current = fstatSync(fd).size;
    } catch {
      return true;
    }
  }
}

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  try {
    return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
  } catch {
    return true;
  }
}
