import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
/** A file's fingerprint: the SHA-256 (hex) of its first `bytes` bytes. */
export interface FileFingerprint {
  readonly bytes: number;
  readonly sha256: string;
}

/** Bytes a fingerprint covers once the file has them: enough to hold the first row's id. */
const FINGERPRINT_BYTES = 1024;

// Inodes are reused: a file found by device and inode is the one shipped from only if it
// still begins with the same bytes.

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
