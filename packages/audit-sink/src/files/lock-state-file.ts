import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { readErrorCode } from '../format/read-error-code.js';

/** A held state-file lock. */
export interface StateFileLock {
  /** Give the lock up (remove the lock file, if it is still this holder's). */
  release(): Promise<void>;
}

// A lock file with nothing readable in it was left by an older holder caught between creating
// and writing it, unless it is younger than this: then that holder may still write it.
const UNREADABLE_LOCK_GRACE_MS = 10_000;
// Takers that lose a race wait this long, then look again: the winner needs a few file calls.
const CONTENDED_WAIT_MS = 20;
const MAX_ATTEMPTS = 50;
// A chain of takeover guards, each left by a taker that crashed while taking over the one
// before: deeper than this is not a crash, it is something else writing files here.
const MAX_GUARD_DEPTH = 8;

/** A lock (or guard) file as read: its bytes and inode, which together name one holding of it. */
interface LockFile {
  readonly text: string;
  readonly ino: number;
  readonly mtimeMs: number;
}

type Holder = { readonly pid: number; readonly host: string };
type Self = Holder & { readonly nonce: string };

/**
 * Take `<state>.lock`, so that one process at a time (one shipper, one sealer) keeps a state
 * file: a second would race the first's writes and could move the position back. `role` names
 * such a process in messages ("shipper", "sealer"). The file holds the holder's pid and host
 * name. A lock whose process on this host is gone (a crash, SIGKILL) is taken over, by one
 * taker only however many try at once. Rejects, with what to do, while another live holder
 * has it, or one on another host, whose process cannot be checked from here.
 */
export async function lockStateFile(statePath: string, role: string): Promise<StateFileLock> {
  const lockPath = `${statePath}.lock`;
  const self: Self = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex') };
  const selfText = `${JSON.stringify(self)}\n`;
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (await createExclusive(lockPath, selfText)) return { release: () => releaseIfHeld(lockPath, selfText) };
    const found = await readLockFile(lockPath);
    if (found === undefined) continue; // Gone meanwhile: try again.
    const holder = parseHolder(found.text);
    if (holder === null) {
      if (Date.now() - found.mtimeMs < UNREADABLE_LOCK_GRACE_MS) throw inUse(statePath, role, `another ${role} that is just starting`);
    } else if (holder.host !== self.host) {
      throw new Error(
        `${statePath} is in use by a ${role} on ${describeHost(holder.host)} (pid ${holder.pid}); if none runs there, delete ${lockPath}`,
      );
    } else if (isAlive(holder.pid)) {
      throw inUse(statePath, role, `another ${role} (pid ${holder.pid})`);
    }
    // Left by a process that is gone: remove it (or let the taker that is already doing so
    // finish), then race for the lock again with O_EXCL semantics.
    await removeStale(lockPath, found, selfText, 0);
  }
  throw inUse(statePath, role, `${role}s starting at the same moment`);
}

/**
 * The guard whose exclusive creation gives the right to remove one holding of `path`: the
 * holding is named by the file's bytes and inode, so a guard never covers a later lock made
 * at the same path (the race where one taker unlinks the fresh lock another just made).
 */
export function takeoverGuardPath(path: string, text: string, ino: number): string {
  const holding = createHash('sha256').update(`${ino}:${text}`).digest('hex').slice(0, 16);
  return `${path}.takeover-${holding}`;
}

/**
 * Remove `path` if it still is the stale holding `found`. Only the taker that creates the
 * holding's guard may unlink it, and it checks under the guard that the holding is still
 * there: nobody else can remove that holding meanwhile, and its dead holder never will. A
 * guard whose taker died is itself a stale holding, removed the same way one level down.
 */
async function removeStale(path: string, found: LockFile, selfText: string, depth: number): Promise<void> {
  const guard = takeoverGuardPath(path, found.text, found.ino);
  if (!(await createExclusive(guard, selfText))) {
    const guardFile = await readLockFile(guard);
    if (guardFile === undefined) return; // Its taker finished: look at the lock again.
    if (depth < MAX_GUARD_DEPTH && isStale(guardFile)) await removeStale(guard, guardFile, selfText, depth + 1);
    else await sleep(CONTENDED_WAIT_MS);
    return;
  }
  try {
    const now = await readLockFile(path);
    if (now !== undefined && now.ino === found.ino && now.text === found.text) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Whether a guard's taker is gone: a process of this host that no longer runs, or unreadable and old. */
function isStale(file: LockFile): boolean {
  const holder = parseHolder(file.text);
  if (holder === null) return Date.now() - file.mtimeMs >= UNREADABLE_LOCK_GRACE_MS;
  return holder.host === hostname() && !isAlive(holder.pid);
}

/**
 * Create `path` holding `text`, only if it does not exist. The text is written to a file of
 * its own first and then hard-linked into place, so the file is never seen empty.
 */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { flag: 'wx', mode: 0o600 });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = readErrorCode(error);
    if (code === 'EEXIST') return false;
    if (code !== undefined && NO_HARD_LINKS.has(code)) return createExclusiveInPlace(path, text);
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

// What a file system without hard links answers to link().
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** O_EXCL create, then write: for a file system without hard links (the file is empty for a moment). */
async function createExclusiveInPlace(path: string, text: string): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx', 0o600);
  } catch (error) {
    if (readErrorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
  return true;
}

/** Remove the lock on release, unless it is no longer ours (removed by hand, then taken by another). */
async function releaseIfHeld(lockPath: string, selfText: string): Promise<void> {
  const now = await readLockFile(lockPath);
  if (now?.text === selfText) await unlink(lockPath).catch(() => undefined);
}

function inUse(statePath: string, role: string, by: string): Error {
  return new Error(`${statePath} is in use by ${by}: run one ${role} per audit file`);
}

/** A lock file's bytes, inode and age, read through one descriptor; undefined when it is gone. */
async function readLockFile(path: string): Promise<LockFile | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const [text, stats] = await Promise.all([file.readFile('utf8'), file.stat()]);
    return { text, ino: stats.ino, mtimeMs: stats.mtimeMs };
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

/**
 * The lock's holder, or null when the file holds nothing readable. A pid of 0 or below names
 * no process (signalled, it would reach a process group), so it reads as nothing.
 */
function parseHolder(text: string): Holder | null {
  try {
    const value = JSON.parse(text) as { pid?: unknown; host?: unknown } | null;
    if (value === null || typeof value !== 'object') return null;
    const { pid, host } = value;
    return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 && typeof host === 'string' ? { pid, host } : null;
  } catch {
    return null;
  }
}

const PLAIN_HOST = /^[A-Za-z0-9._-]{1,253}$/;

/** A host name from the lock file for a message: as it is when plain, else quoted with every other character escaped. */
function describeHost(host: string): string {
  if (PLAIN_HOST.test(host)) return host;
  const shown = [...host.slice(0, 253)]
    .map((character) =>
      /^[\x20-\x7e]$/.test(character) && character !== '"' && character !== '\\'
        ? character
        : `\\u{${character.codePointAt(0)?.toString(16)}}`,
    )
    .join('');
  return `"${shown}"`;
}

/** Whether a process of this host with this pid exists (one we may not signal exists too). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return readErrorCode(error) === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
