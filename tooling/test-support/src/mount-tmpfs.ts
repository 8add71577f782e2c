import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small tmpfs mounted for a test, so that a disk can really be full or read-only. */
export interface Tmpfs {
  /** The mount point: an empty directory on the new filesystem. */
  readonly dir: string;
  /**
   * Write a filler file until the filesystem refuses even one more byte (ENOSPC). tmpfs
   * hands out whole pages, so a file already on it can still take the unused rest of its
   * last page; a file created after `fill()` cannot take a byte.
   */
  fill(): void;
  /** Delete the filler: there is room again. */
  free(): void;
  /**
   * Remount read-only (every write and create fails with EROFS, for root too) or read-write.
   * The kernel refuses (EBUSY) while a file on it is open for writing.
   */
  setReadOnly(readOnly: boolean): void;
  /** Unmount and remove the mount point; safe to call twice. */
  unmount(): void;
}

const DEFAULT_SIZE_BYTES = 64 * 1024;
const FILLER_NAME = 'filler.bin';

/**
 * Why this process cannot mount a tmpfs (not Linux, not root, `mount` refused), or null when
 * it can. Tries a real mount, so call it once per test file, where `it.skipIf` needs it.
 */
export function tmpfsUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `tmpfs needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    mountTmpfs().unmount();
    return null;
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return `mount -t tmpfs failed: ${message}`;
  }
}

/**
 * Mount a tmpfs of `sizeBytes` (default 64 KiB) on a fresh temp directory. Needs root on
 * Linux; throws when `mount` fails. Unmount it in `afterEach`/`afterAll`.
 */
export function mountTmpfs(options: { readonly sizeBytes?: number } = {}): Tmpfs {
  const sizeBytes = options.sizeBytes ?? DEFAULT_SIZE_BYTES;
  const dir = mkdtempSync(join(tmpdir(), 'kora-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmdirSync(dir);
    throw error;
  }
  const filler = join(dir, FILLER_NAME);
  let mounted = true;
  const remount = (flags: string): void => {
    execFileSync('mount', ['-o', `remount,${flags}`, dir], { stdio: 'pipe' });
  };
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      try {
        // Pages first, then single bytes, so that not one byte is left over.
        for (const size of [4096, 1]) writeUntilFull(fd, Buffer.alloc(size));
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    setReadOnly(readOnly) {
      remount(readOnly ? 'ro' : 'rw');
    },
    unmount() {
      if (!mounted) return;
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        // Something still holds a file open (a test that failed half-way): detach it anyway.
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      mounted = false;
      rmdirSync(dir);
    },
  };
}

function writeUntilFull(fd: number, chunk: Buffer): void {
  for (;;) {
    try {
      writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC') return;
      throw error;
    }
  }
}
