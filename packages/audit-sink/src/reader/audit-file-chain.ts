import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { readErrorCode } from '../format/read-error-code.js';

// The audit file and its rotated files, as every reader of them finds them: `path` is the
// live file, `path.1` the newest rotated one, `path.2` the one before, and so on.

/** How far `path.N` is searched for rotated files; the first missing one after `path.1` ends the search. */
export const MAX_SIBLINGS = 1_000;

/**
 * How long a file renamed away by rotation may still grow: the sink notices a rename within a
 * second and appends to the old file until then, and a batched sink may flush into it once
 * more. A reader that follows the file keeps reading the old one this long after it saw the
 * rename (`kora-audit tail -f`), or until it has not changed for this long (the shipper).
 */
export const ROTATION_QUIET_MS = 3_000;

/** A file's device and inode, decimal: what names it across renames. */
export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
}

/** One file of the chain as found on disk. */
export interface ChainFile {
  /** 0 is the live file `path`, N is `path.N`. */
  readonly index: number;
  /** Its name: `path` or `path.N`. */
  readonly path: string;
  readonly identity: FileIdentity;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A file of the chain, open for reading; the handle's own identity is the one given. */
export interface OpenChainFile extends ChainFile {
  readonly handle: FileHandle;
}

/** `path` for index 0, else `path.N`. */
export function siblingPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

/** Whether two identities name the same file. */
export function sameIdentity(left: FileIdentity, right: FileIdentity): boolean {
  return left.dev === right.dev && left.ino === right.ino;
}

/** The identity in a `stat` taken with `{ bigint: true }` (a number cannot hold every inode). */
export function identityOf(stats: { readonly dev: bigint; readonly ino: bigint }): FileIdentity {
  return { dev: String(stats.dev), ino: String(stats.ino) };
}

/**
 * Stat one file of the chain: null when it is missing. Rejects when the name is taken by
 * something else than a regular file (a directory), or cannot be read: neither is an audit
 * file, and skipping it would hide the rows beyond it.
 */
export async function statChainFile(path: string, index: number): Promise<ChainFile | null> {
  const name = siblingPath(path, index);
  let stats;
  try {
    stats = await stat(name, { bigint: true });
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return null;
    throw new Error(`cannot read ${name}: ${describeError(error)}`, { cause: error });
  }
  if (!stats.isFile()) throw notAuditFile(name, stats.isDirectory());
  return { index, path: name, identity: identityOf(stats), size: Number(stats.size), mtimeMs: Number(stats.mtimeMs) };
}

/**
 * The files of the chain now, newest (`path`) first. The live file may be missing (between a
 * rename and the next write); after it, the first missing `path.N` ends the chain. Rejects as
 * {@link statChainFile} does.
 */
export async function listChain(path: string): Promise<ChainFile[]> {
  const files: ChainFile[] = [];
  for (let index = 0; index <= MAX_SIBLINGS; index += 1) {
    const file = await statChainFile(path, index);
    if (file === null) {
      if (index === 0) continue;
      break;
    }
    files.push(file);
  }
  return files;
}

/**
 * Where the file `identity` is in the chain now (a rotation renames it), or null when it is
 * gone. `hint`, its index when last seen, is tried first.
 */
export async function locateInChain(path: string, identity: FileIdentity, hint?: number): Promise<ChainFile | null> {
  if (hint !== undefined && hint >= 0 && hint <= MAX_SIBLINGS) {
    const atHint = await statChainFile(path, hint);
    if (atHint !== null && sameIdentity(atHint.identity, identity)) return atHint;
  }
  for (let index = 0; index <= MAX_SIBLINGS; index += 1) {
    if (index === hint) continue;
    const found = await statChainFile(path, index);
    if (found === null) {
      if (index === 0) continue;
      break;
    }
    if (sameIdentity(found.identity, identity)) return found;
  }
  return null;
}

/**
 * Open one file of the chain: null when it is missing, or when `expected` is given and the
 * name now holds another file. The identity is the open handle's own, so what is read from
 * the handle is that file's even if a rotation renames it meanwhile. Rejects as
 * {@link statChainFile} does.
 */
export async function openChainFile(path: string, index: number, expected?: FileIdentity): Promise<OpenChainFile | null> {
  // Stat first: opening a FIFO would block and opening a directory would succeed.
  if ((await statChainFile(path, index)) === null) return null;
  const name = siblingPath(path, index);
  let handle: FileHandle;
  try {
    handle = await open(name, 'r');
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return null;
    throw new Error(`cannot read ${name}: ${describeError(error)}`, { cause: error });
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw notAuditFile(name, stats.isDirectory());
    const identity = identityOf(stats);
    if (expected !== undefined && !sameIdentity(identity, expected)) {
      await handle.close();
      return null;
    }
    return { index, path: name, identity, size: Number(stats.size), mtimeMs: Number(stats.mtimeMs), handle };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function notAuditFile(name: string, directory: boolean): Error {
  return new Error(`${name} is ${directory ? 'a directory' : 'not a regular file'}, not an audit log file`);
}

function describeError(error: unknown): string {
  return readErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
}
