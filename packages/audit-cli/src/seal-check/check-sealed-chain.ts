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
  /** Checkpoints anchored in PostgreSQL, checked with the file's: the table and the log's origin. */
  readonly database?: { readonly url: string; readonly table: string; readonly origin: string } | undefined;
}

const readAt = promisify(read);

/** Read the chain's lines as leaves and check them against every checkpoint. */
export async function checkSealedChain(request: SealCheckRequest): Promise<SealReport> {
  const verifier = request.publicKeyPaths.length === 0 ? null : await loadSealVerifier(request.publicKeyPaths);
  const database = request.database === undefined ? undefined : await openDatabaseCheckpoints(request.database);
  const checker = new SealChecker({
    checkpoints:
      database === undefined
        ? fileCheckpoints(request.checkpointsPath)
        : mergeBySize(fileCheckpoints(request.checkpointsPath), database.checkpoints),
    verifier,
    anchoredOrigin: request.database?.origin,
    leavesPath: request.leavesPath,
    listLimit: request.listLimit,
  });
  try {
    await checker.start(await readFirstLine(request.files[0]));
    await readLeaves(request, checker);
    return await checker.finish();
  } finally {
    await database?.close();
  }
}

async function readLeaves(request: SealCheckRequest, checker: SealChecker): Promise<void> {
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
}

/** The checkpoints file's records in order, and its lines that are none. */
async function* fileCheckpoints(path: string): AsyncGenerator<CheckpointSource | InvalidCheckpoint> {
  for await (const line of readCheckpointLines(path)) {
    const place = { file: path, line: line.line };
    yield line.ok ? { place, record: line.record } : { place, invalid: line.error, torn: line.torn };
  }
}

/** A checkpoint's sort key: its size; of equal sizes, the file's first. Lines that are no checkpoint keep their place. */
function sizeOf(entry: CheckpointSource | InvalidCheckpoint): number {
  return 'record' in entry ? entry.record.size : -1;
}

/** Two streams of checkpoints, each in size order, as one in size order. */
async function* mergeBySize(
  left: AsyncGenerator<CheckpointSource | InvalidCheckpoint>,
  right: AsyncGenerator<CheckpointSource>,
): AsyncGenerator<CheckpointSource | InvalidCheckpoint> {
  let a = await left.next();
  let b = await right.next();
  while (a.done !== true || b.done !== true) {
    if (b.done === true || (a.done !== true && sizeOf(a.value) <= b.value.record.size)) {
      yield a.value as CheckpointSource | InvalidCheckpoint;
      a = await left.next();
    } else {
      yield b.value;
      b = await right.next();
    }
  }
}

/** The anchored checkpoints of one log, read a page at a time in size order. */
async function openDatabaseCheckpoints(target: NonNullable<SealCheckRequest['database']>): Promise<{
  readonly checkpoints: AsyncGenerator<CheckpointSource>;
  close(): Promise<void>;
}> {
  const { createSubstratePool, readCheckpoints, readDatabaseErrorCode, redactDatabaseUrl, readDatabasePassword } =
    await import('@kora/audit-substrate-pg');
  const pool = createSubstratePool({ connectionString: target.url, max: 1, applicationName: 'kora-audit-verify' });
  const file = `database:${target.table}_checkpoints`;
  // The driver's message may quote the connection string: the password never goes out.
  const describe = (error: unknown): Error => {
    const password = readDatabasePassword(target.url);
    let message = error instanceof Error ? error.message : String(error);
    if (password !== undefined && password !== '') message = message.split(password).join('***');
    return new Error(
      `cannot read ${target.table}_checkpoints at ${redactDatabaseUrl(target.url)}: code=${readDatabaseErrorCode(error)} ${message}`,
    );
  };
  async function* pages(): AsyncGenerator<CheckpointSource> {
    let afterSize: number | undefined;
    for (;;) {
      let page;
      try {
        page = await readCheckpoints(pool, target.table, target.origin, { afterSize, limit: 1_000 });
      } catch (error) {
        throw describe(error);
      }
      for (const stored of page) {
        const { origin, size, root, note } = stored;
        yield { place: { file, line: size }, record: { origin, size, root, note, key: '', sealed_at: stored.receivedAt.toISOString() } };
      }
      if (page.length < 1_000) return;
      afterSize = page.at(-1)!.size;
    }
  }
  return { checkpoints: pages(), close: () => pool.end() };
}

// The sink writes no row longer than this: a longer first line is not searched for.
const MAX_FIRST_LINE = 16 * 1024 * 1024;

/** The chain's first line, without its newline; undefined when there is none whole. */
async function readFirstLine(file: SealedChainFile | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  const chunks: Buffer[] = [];
  for (let position = 0; position < Math.min(file.size, MAX_FIRST_LINE);) {
    const buffer = Buffer.allocUnsafe(Math.min(64 * 1024, file.size - position));
    const { bytesRead } = await readAt(file.fd, buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (newline !== -1) return Buffer.concat([...chunks, buffer.subarray(0, newline)]);
    chunks.push(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return undefined;
}
