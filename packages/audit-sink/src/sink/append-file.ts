import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

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
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
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
    const payload = Buffer.from(this.needsNewline ? `\n${text}` : text, 'utf8');
    const prefix = this.needsNewline ? 1 : 0;
    let offset = 0;
    try {
      while (offset < payload.length) {
        offset += writeSync(fd, payload, offset, payload.length - offset);
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
        throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      }
      this.needsNewline = stat.size > 0 && !endsWithNewline(fd, stat.size);
      this.fd = fd;
      this.inode = stat.ino;
      this.device = stat.dev;
      this.lastRotationCheck = this.now();
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
    if (now - this.lastRotationCheck < ROTATION_CHECK_INTERVAL_MS) return;
    this.lastRotationCheck = now;
    try {
      const stat = statSync(this.path);
      if (stat.ino !== this.inode || stat.dev !== this.device) this.closeQuietly();
    } catch {
      // The path is gone (renamed away and not yet recreated): start a new file.
      this.closeQuietly();
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

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  try {
    return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
  } catch {
    return true;
  }
}
