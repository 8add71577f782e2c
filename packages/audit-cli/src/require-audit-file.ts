import { lstat } from 'node:fs/promises';
import { readErrorCode } from '@kora/audit-sink/reader';
import { UsageError } from './usage-error.js';

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    // Anything but absence (a directory in the way, no permission) is the reader's to report.
    return readErrorCode(error) !== 'ENOENT';
  }
}

/**
 * Throw a usage error when the audit file `path` is not there, nor its newest rotated file
 * (`path.1`, which a reader still reads in the moment between rename and the next write): a
 * mistyped path or a writer that never started, said rather than read as an empty file.
 */
export async function requireAuditFile(path: string): Promise<void> {
  if ((await exists(path)) || (await exists(`${path}.1`))) return;
  throw new UsageError(`${path}: no such file`);
}
