import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { envelope, idOf, line } from '../__fixtures__/reader-rows.js';
import { readAuditEntries } from './read-audit-entries.js';
import type { ReadSkipCounts } from './read-audit-entries.js';

// A rotation at a chosen moment: the next time the reader opens `renameBeforeOpen.path` by
// that name, the file is renamed to `path.1` and a new live file written, just before the open.
const renameBeforeOpen = vi.hoisted(() => ({ path: undefined as string | undefined, newLive: '' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const { renameSync: rename, writeFileSync: write } = await import('node:fs');
  return {
    ...real,
    open: (async (file: Parameters<typeof real.open>[0], ...rest: unknown[]) => {
      if (renameBeforeOpen.path !== undefined && file === renameBeforeOpen.path) {
        rename(file, `${file}.1`);
        write(file, renameBeforeOpen.newLive);
        renameBeforeOpen.path = undefined;
      }
      return (real.open as (...args: unknown[]) => ReturnType<typeof real.open>)(file, ...rest);
    }) as typeof real.open,
  };
});

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kora-cursor-'));
  path = join(dir, 'kora_audit_log.jsonl');
});
afterEach(() => {
  renameBeforeOpen.path = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Every page from the top, each of `limit` rows: all ids in order, and the lines skipped. */
async function readAllPages(limit: number, beforePage?: (page: number) => void): Promise<{ ids: string[]; skipped: ReadSkipCounts }> {
  const ids: string[] = [];
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let cursor: string | null = null;
  for (let page = 0; page === 0 || cursor !== null; page += 1) {
    if (page > 100) throw new Error('paging does not end');
    beforePage?.(page);
    const result = await readAuditEntries({ path, limit, cursor });
    ids.push(...result.entries.map((entry) => entry.id));
    for (const kind of ['blank', 'malformed', 'torn', 'invalid'] as const) skipped[kind] += result.skipped[kind];
    cursor = result.cursor;
  }
  return { ids, skipped };
}

// Two writers interleave, so file order is not time order: row 30 is written before row 20.
const A = envelope(0);
const B = envelope(30);
const C = envelope(20);
const D = envelope(40);

describe('paging while writers append, die and rotate the file', () => {
  it('continues right before a row glued after a long torn head, not from a time', async () => {
    // A writer died 5 KiB into a row; another writer's row C follows on the same line.
    const tornHead = JSON.stringify(envelope(99, { details: { padding: 'x'.repeat(8_000) } })).slice(0, 5_000);
    writeFileSync(path, `${line(A)}${line(B)}${tornHead}${line(C)}${line(D)}`);
    const { ids, skipped } = await readAllPages(2);
    expect(ids).toEqual([D.id, C.id, B.id, A.id]);
    expect(skipped.malformed).toBe(1);
  });

  it('checks the cursor’s row in the file it found, when a rotation renames it in between', async () => {
    writeFileSync(path, `${line(A)}${line(B)}${line(C)}${line(D)}`);
    const { ids } = await readAllPages(2, (page) => {
      // Just as the second page looks for the cursor's file by its name, it is rotated away.
      if (page === 1) Object.assign(renameBeforeOpen, { path, newLive: line(envelope(50)) });
    });
    expect(ids).toEqual([D.id, C.id, B.id, A.id]);
    expect(ids).not.toContain(idOf(50));
  });

  it('says where the rows it did not read begin in the live file: before a torn last line', async () => {
    const torn = JSON.stringify(envelope(5)).slice(0, 40);
    writeFileSync(path, `${line(A)}${line(B)}${torn}`);
    const page = await readAuditEntries({ path, limit: 1, withLiveEnd: true });
    expect(page.entries.map((entry) => entry.id)).toEqual([B.id]);
    expect(page.liveEnd?.offset).toBe(Buffer.byteLength(`${line(A)}${line(B)}`));
    expect((await readAuditEntries({ path, limit: 1, cursor: page.cursor, withLiveEnd: true })).liveEnd).toBeNull();
    expect(await readAuditEntries({ path, limit: 1 })).not.toHaveProperty('liveEnd');
  });
});
