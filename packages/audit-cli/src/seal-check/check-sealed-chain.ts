import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { loadSealVerifier, readCheckpointLines } from '@kora/audit-seal';
import { readLineBytesForward } from '../read-line-bytes-forward.js';
import { SealChecker } from './seal-checker.js';
import type { CheckpointSource, InvalidCheckpoint, SealReport } from './seal-checker.js';

/** A file of the chain as the seal check reads it: an open descriptor, which a rotation cannot move. */
export interface SealedChainFile {
  readonly fd: number;
  readonly path: string;
  /** Bytes to read: the file's size when verify opened it. */
  readonly size: number;
  /** A rotated file, finished: its unterminated last line is a leaf. In the live file it is not, yet. */
  readonly finished: boolean;
}

/** What the seal check needs; plain data, so that it can be sent to a thread. */
export interface SealCheckRequest {
  readonly files: readonly SealedChainFile[];
  readonly checkpointsPath: string;
  /** The sealed leaf hashes, to name the first bad line; null when not to be used. */
  readonly leavesPath: string | null;
  /** Key files; empty to check roots only. */
  readonly publicKeyPaths: readonly string[];
  readonly listLimit: number;
}

const readAt = promisify(read);

/** Read the chain's lines as leaves and check them against every checkpoint. */
export async function checkSealedChain(request: SealCheckRequest): Promise<SealReport> {
  const verifier = request.publicKeyPaths.length === 0 ? null : await loadSealVerifier(request.publicKeyPaths);
  const checker = new SealChecker({
    checkpoints: fileCheckpoints(request.checkpointsPath),
    verifier,
    leavesPath: request.leavesPath,
    listLimit: request.listLimit,
  });
  await checker.start();
  for (const file of request.files) {
    // The descriptor is the caller's: read through it, never closed here.
    const handle = {
      read: (buffer: Buffer, offset: number, length: number, position: number) => readAt(file.fd, buffer, offset, length, position),
    } as unknown as FileHandle;
    await readLineBytesForward(
      handle,
      (bytes, from, to, line, terminated) =>
        terminated || file.finished ? checker.leaf(bytes, from, to, { file: file.path, line }) : undefined,
      { end: file.size },
    );
  }
  return checker.finish();
}

/** The checkpoints file's records in order, and its lines that are none. */
async function* fileCheckpoints(path: string): AsyncGenerator<CheckpointSource | InvalidCheckpoint> {
  for await (const line of readCheckpointLines(path)) {
    const place = { file: path, line: line.line };
    yield line.ok ? { place, record: line.record } : { place, invalid: line.error, torn: line.torn };
  }
}
