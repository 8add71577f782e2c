import { chmodSync, closeSync, constants, fchmodSync, mkdirSync, openSync } from 'node:fs';

/**
 * Make `path` a directory only its owner can enter (0700), creating it and its missing parents
 * as such. An existing directory is chmod-ed too: a mode given to `mkdir` applies only to what
 * it creates, and only after the umask.
 */
export function ensurePrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}

/**
 * Make `path` a file only its owner can read (0600), creating it empty if it is missing and
 * keeping what it holds. The mode is set on the open descriptor, so neither the umask nor an
 * older, wider mode survives.
 */
export function ensurePrivateFile(path: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}
