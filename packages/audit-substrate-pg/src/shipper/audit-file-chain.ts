import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { FileFingerprint } from './ship-checkpoint.js';

// How far `path.N` is searched; the first missing index after 1 ends the chain, as for the reader.
const MAX_SIBLINGS = 1_000;
/** Bytes a fingerprint covers once the file has them: enough to hold the first row's id. */
const FINGERPRINT_BYTES = 1024;

/** A file's device and inode, decimal. */
export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
}

/** One file of the chain as found on disk now. */
export interface ChainFile {
  /** 0 is the live file `path`, N is `path.N`. */
  readonly index: number;
  readonly path: string;
  readonly identity: FileIdentity;
  readonly size: number;
  readonly mtimeMs: number;
}

/** `path` for index 0, else `path.N`. */
export function siblingPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

/** Whether two identities name the same file. */
export function sameIdentity(left: FileIdentity, right: FileIdentity): boolean {
  return left.dev === right.dev && left.ino === right.ino;
}

/** Stat one file of the chain: null when missing or not a regular file (a `.gz`, a directory). */
export async function statChainFile(path: string, index: number): Promise<ChainFile | null> {
  const file = siblingPath(path, index);
  try {
    const stats = await stat(file, { bigint: true });
    if (!stats.isFile()) return null;
    return { index, path: file, identity: { dev: String(stats.dev), ino: String(stats.ino) }, size: Number(stats.size), mtimeMs: Number(stats.mtimeMs) };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The files of the chain now, newest (`path`) first. The live file may be missing (between a
 * rename and the next write); after it, the first missing `path.N` ends the chain.
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

/** Where the file `identity` is in the chain now, or null. */
export async function locateInChain(path: string, identity: FileIdentity): Promise<ChainFile | null> {
  return (await listChain(path)).find((file) => sameIdentity(file.identity, identity)) ?? null;
}

/** The fingerprint of an open file of at least one byte, over its first bytes (at most 1 KiB). */
export async function takeFingerprint(handle: FileHandle, size: number): Promise<FileFingerprint | null> {
  const bytes = Math.min(size, FINGERPRINT_BYTES);
  if (bytes < 1) return null;
  const hash = await hashHead(handle, bytes);
  return hash === null ? null : { bytes, sha256: hash };
}

/** Whether an open file still begins with the bytes a fingerprint was taken of. */
export async function matchesFingerprint(handle: FileHandle, fingerprint: FileFingerprint): Promise<boolean> {
  return (await hashHead(handle, fingerprint.bytes)) === fingerprint.sha256;
}

/** Whether the file at `path` begins with the fingerprinted bytes; false when it cannot be read. */
export async function fileMatchesFingerprint(path: string, fingerprint: FileFingerprint): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    return await matchesFingerprint(handle, fingerprint);
  } finally {
    await handle.close();
  }
}

async function hashHead(handle: FileHandle, bytes: number): Promise<string | null> {
  const head = Buffer.alloc(bytes);
  const { bytesRead } = await handle.read(head, 0, bytes, 0);
  if (bytesRead < bytes) return null;
  return createHash('sha256').update(head).digest('hex');
}
