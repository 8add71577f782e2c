import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** A held checkpoint lock. */
export interface ShipCheckpointLock {
  /** Give the lock up (remove the lock file). */
  release(): Promise<void>;
}

// A lock file with nothing readable in it is another shipper's, caught between creating and
// writing it, unless it is older than this: then its writer died in between.
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/**
 * Take `<checkpoint>.lock`, so that one shipper at a time uses a checkpoint: a second would
 * race the first's checkpoint writes and could move the position back. The file holds the
 * holder's pid and host name. A lock whose process on this host is gone (a crash, SIGKILL) is
 * taken over. Rejects, with what to do, while another live shipper holds it, or one on
 * another host, whose process cannot be checked from here.
 */
export async function lockShipCheckpoint(checkpointPath: string): Promise<ShipCheckpointLock> {
  const lockPath = `${checkpointPath}.lock`;
  const self = { pid: process.pid, host: hostname() };
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      const file = await open(lockPath, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(self)}\n`);
      } finally {
        await file.close();
      }
      return { release: () => unlink(lockPath).catch(() => undefined) };
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(lockPath);
    if (holder === undefined) continue; // Gone meanwhile: try again.
    if (holder === null) {
      const age = await stat(lockPath).then(
        (stats) => Date.now() - stats.mtimeMs,
        () => Number.POSITIVE_INFINITY,
      );
      if (age < UNREADABLE_LOCK_GRACE_MS) throw inUse(checkpointPath, 'another shipper that is just starting');
    } else if (holder.host !== self.host) {
      throw new Error(`the checkpoint ${checkpointPath} is in use by a shipper on ${holder.host} (pid ${holder.pid}); if none runs there, delete ${lockPath}`);
    } else if (isAlive(holder.pid)) {
      throw inUse(checkpointPath, `another shipper (pid ${holder.pid})`);
    }
    // Left by a process that is gone: take it over.
    await unlink(lockPath).catch(() => undefined);
  }
  throw inUse(checkpointPath, 'shippers starting at the same moment');
}

function inUse(checkpointPath: string, by: string): Error {
  return new Error(`the checkpoint ${checkpointPath} is in use by ${by}: run one shipper per audit file`);
}

/** The lock's holder; null when the file holds nothing readable, undefined when it is gone. */
async function readHolder(lockPath: string): Promise<{ pid: number; host: string } | null | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as { pid?: unknown; host?: unknown };
    return Number.isSafeInteger(value.pid) && typeof value.host === 'string' ? { pid: value.pid as number, host: value.host } : null;
  } catch {
    return null;
  }
}

/** Whether a process of this host with this pid exists (one we may not signal exists too). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown } | null)?.code === 'EPERM';
  }
}
