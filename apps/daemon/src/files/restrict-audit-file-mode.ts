import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditLogger } from '@kora/audit-sink';

// Any permission for the group or for others.
const SHARED_BITS = 0o077;

/**
 * At start: an existing audit file readable or writable by anyone but its owner (made by an
 * older version, a copy, a restore) is set to 0600, and said so. The sink creates a missing
 * file 0600 and a missing directory 0700 itself. An existing directory that others may enter
 * is only reported, not changed: it is the operator's (it may be shared, such as /var/log).
 * The lines name the file's role and modes, never its path.
 */
export function restrictAuditFileMode(path: string, logger: AuditLogger): void {
  const file = modeOf(path);
  if (file !== undefined && (file & SHARED_BITS) !== 0) {
    try {
      chmodSync(path, 0o600);
      logger.warn(`[kora.daemon.file_mode] file=audit_log mode=${octal(file)} action=chmod_600`);
    } catch (error) {
      logger.warn(
        `[kora.daemon.file_mode] file=audit_log mode=${octal(file)} action=none error=${(error as NodeJS.ErrnoException).code ?? 'Error'}`,
      );
    }
  }
  const directory = modeOf(dirname(path));
  if (directory !== undefined && (directory & SHARED_BITS) !== 0) {
    logger.warn(
      `[kora.daemon.file_mode] file=audit_dir mode=${octal(directory)} action=none (other users can enter the audit file's directory: chmod 700 it)`,
    );
  }
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    // Missing: the sink creates it private.
    return undefined;
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
