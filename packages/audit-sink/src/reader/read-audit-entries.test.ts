import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as FsPromises from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SeamName } from '../envelope/seam-names.js';
import { BASE_MS, envelope, idOf, line, newestFirst, rows } from '../__fixtures__/reader-rows.js';
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

/** Read every page, returning all ids in order and the number of pages. */
async function readAllPages(path: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await readAuditEntries({ path, limit, cursor });
    ids.push(...page.entries.map((entry) => entry.id));
    cursor = page.cursor;
    pages += 1;
    if (pages > 1000) throw new Error('paging does not end');
  } while (cursor !== null);
  return { ids, pages };
}

/** Every page from the top, each of `limit` rows: all ids in order, and the lines skipped. */
async function readAllPagesCounting(
  limit: number,
  beforePage?: (page: number) => void,
): Promise<{ ids: string[]; skipped: ReadSkipCounts }> {
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

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kora-reader-'));
  path = join(dir, 'kora_audit_log.jsonl');
});

afterEach(() => {
  renameBeforeOpen.path = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('readAuditEntries', () => {
  it('returns an empty page for a missing file and for an empty file', async () => {
    const empty = { entries: [], cursor: null, skipped: { blank: 0, malformed: 0, torn: 0, invalid: 0 } };
    await expect(readAuditEntries({ path })).resolves.toEqual(empty);
    writeFileSync(path, '');
    await expect(readAuditEntries({ path })).resolves.toEqual(empty);
  });

  it('rejects a directory and a bad cursor with a clear message', async () => {
    mkdirSync(path);
    await expect(readAuditEntries({ path })).rejects.toThrow(/is a directory/);
    rmSync(path, { recursive: true });
    writeFileSync(path, rows(0, 3));
    await expect(readAuditEntries({ path, cursor: 'not-a-cursor' })).rejects.toThrow(/invalid cursor/);
  });

  it('rejects a path it cannot reach', async () => {
    writeFileSync(path, rows(0, 3));
    await expect(readAuditEntries({ path: join(path, 'nested.jsonl') })).rejects.toThrow(/cannot read .*ENOTDIR/);
  });

  it.skipIf(process.getuid?.() === 0)('rejects a file it may not read', async () => {
    writeFileSync(path, rows(0, 3), { mode: 0o000 });
    await expect(readAuditEntries({ path })).rejects.toThrow(/cannot read .*EACCES/);
  });

  it('rejects bad options', async () => {
    writeFileSync(path, rows(0, 3));
    await expect(readAuditEntries({ path, limit: 0 })).rejects.toThrow(/limit/);
    await expect(readAuditEntries({ path, limit: 10_001 })).rejects.toThrow(/limit/);
    await expect(readAuditEntries({ path, seams: ['mcp.tool_deleted' as SeamName] })).rejects.toThrow(/unknown seam/);
    await expect(readAuditEntries({ path, since: 'yesterday-ish' })).rejects.toThrow(/since/);
  });

  it('returns rows newest first, with the default limit of 100', async () => {
    writeFileSync(path, rows(0, 150));
    const page = await readAuditEntries({ path });
    expect(page.entries.map((entry) => entry.id)).toEqual(newestFirst(50, 150));
    expect(page.entries[0]).toEqual(envelope(149));
    expect(page.cursor).not.toBeNull();
  });

  it('filters by seam', async () => {
    writeFileSync(path, rows(0, 40));
    const page = await readAuditEntries({ path, seams: ['webhook.dead_letter', 'reasoning.tool_called'] });
    expect(page.entries).toHaveLength(20);
    expect(new Set(page.entries.map((entry) => entry.seam))).toEqual(new Set(['webhook.dead_letter', 'reasoning.tool_called']));
    expect(page.entries[0]?.id).toBe(idOf(39));
  });

  it('filters by since (inclusive) and until (exclusive) in every accepted form', async () => {
    writeFileSync(path, rows(0, 100));
    const at = (n: number): string => envelope(n).emitted_at;
    const expected = newestFirst(20, 30);
    for (const [since, until] of [
      [at(20), at(30)],
      [new Date(at(20)), new Date(at(30))],
      [Date.parse(at(20)), Date.parse(at(30))],
    ] as const) {
      const page = await readAuditEntries({ path, since, until });
      expect(page.entries.map((entry) => entry.id)).toEqual(expected);
      expect(page.cursor).toBeNull();
    }
  });

  it('applies the limit and pages with the cursor', async () => {
    writeFileSync(path, rows(0, 25));
    const first = await readAuditEntries({ path, limit: 10 });
    expect(first.entries.map((entry) => entry.id)).toEqual(newestFirst(15, 25));
    const second = await readAuditEntries({ path, limit: 10, cursor: first.cursor });
    expect(second.entries.map((entry) => entry.id)).toEqual(newestFirst(5, 15));
    const third = await readAuditEntries({ path, limit: 10, cursor: second.cursor });
    expect(third.entries.map((entry) => entry.id)).toEqual(newestFirst(0, 5));
    expect(third.cursor).toBeNull();
  });

  it('skips and counts blank, malformed, non-object, schema-invalid and torn lines', async () => {
    const text = [
      line(envelope(0)),
      '\n',
      '   \n',
      '{"v":1,"id":\n',
      'not json at all\n',
      '[1,2,3]\n',
      '"a string"\n',
      'null\n',
      line({ ...envelope(1), extra: 'unknown top-level key' }),
      line({ ...envelope(2), seam: 'mcp.tool_deleted' }),
      line({ ...envelope(3), emitted_at: '2026-11-26T17:00:03Z' }),
      line(envelope(4)),
      JSON.stringify(envelope(5)).slice(0, 40),
    ].join('');
    writeFileSync(path, text);
    const page = await readAuditEntries({ path });
    expect(page.entries.map((entry) => entry.id)).toEqual([idOf(4), idOf(0)]);
    expect(page.skipped).toEqual({ blank: 2, malformed: 5, torn: 1, invalid: 3 });
  });

  it('finds rows of a wanted seam and time however their JSON is spelled', async () => {
    const escaped = JSON.stringify(envelope(4)).replace('"seam":"mcp.tool_called"', '"seam":"mcp\\u002etool_called"');
    const spaced = JSON.stringify(envelope(8)).replaceAll('":', '": ').replaceAll(',"', ', "');
    const { seam, ...rest } = envelope(12);
    const reordered = JSON.stringify({ seam, ...rest });
    writeFileSync(path, `${rows(0, 4)}${escaped}\n${rows(5, 8)}${spaced}\n${rows(9, 12)}${reordered}\n${rows(13, 16)}`);
    const page = await readAuditEntries({
      path,
      seams: ['mcp.tool_called'],
      since: envelope(1).emitted_at,
      until: envelope(13).emitted_at,
    });
    expect(page.entries.map((entry) => entry.id)).toEqual([idOf(12), idOf(8), idOf(4)]);
    expect(page.skipped).toEqual({ blank: 0, malformed: 0, torn: 0, invalid: 0 });
  });

  it("keeps a row after a dead writer's torn head even when the head's seam is not wanted", async () => {
    const tornHead = JSON.stringify(envelope(1)).slice(0, 130);
    writeFileSync(path, `${line(envelope(0))}${tornHead}${line(envelope(4))}${line(envelope(5))}`);
    const page = await readAuditEntries({ path, seams: ['mcp.tool_called'] });
    expect(page.entries.map((entry) => entry.id)).toEqual([idOf(4), idOf(0)]);
    expect(page.skipped).toEqual({ blank: 0, malformed: 1, torn: 0, invalid: 0 });
  });

  it("keeps a row another writer appended right after a dead writer's torn head", async () => {
    const tornHead = JSON.stringify(envelope(1)).slice(0, 57);
    writeFileSync(path, `${line(envelope(0))}${tornHead}${line(envelope(2))}${line(envelope(3))}`);
    const page = await readAuditEntries({ path });
    expect(page.entries.map((entry) => entry.id)).toEqual([idOf(3), idOf(2), idOf(0)]);
    expect(page.skipped).toEqual({ blank: 0, malformed: 1, torn: 0, invalid: 0 });
  });

  it('returns with withLines the text each entry was parsed from, without a torn head before it', async () => {
    const tornHead = JSON.stringify(envelope(1)).slice(0, 57);
    const spaced = ` ${JSON.stringify(envelope(3), null, 1).replace(/\n/g, ' ')}`;
    writeFileSync(path, `${line(envelope(0))}${tornHead}${line(envelope(2))}${spaced}\n`);
    const page = await readAuditEntries({ path, withLines: true });
    expect(page.lines).toEqual([spaced, JSON.stringify(envelope(2)), JSON.stringify(envelope(0))]);
    expect(page.lines?.map((text) => JSON.parse(text) as unknown)).toEqual(page.entries);
    expect((await readAuditEntries({ path })).lines).toBeUndefined();
  });

  it('counts a complete last row without its newline as torn: a writer may still be writing it', async () => {
    writeFileSync(path, rows(0, 3) + JSON.stringify(envelope(3)));
    const page = await readAuditEntries({ path });
    expect(page.entries.map((entry) => entry.id)).toEqual(newestFirst(0, 3));
    expect(page.skipped.torn).toBe(1);
  });

  it('reads lines that span chunks and skips lines over maxLineBytes as malformed', async () => {
    const big = envelope(1, { details: { blob: 'x'.repeat(300_000) } });
    writeFileSync(path, line(envelope(0)) + line(big) + rows(2, 4));
    const page = await readAuditEntries({ path });
    expect(page.entries.map((entry) => entry.id)).toEqual(newestFirst(0, 4));
    expect(page.entries[2]).toEqual(big);

    const capped = await readAuditEntries({ path, maxLineBytes: 100_000 });
    expect(capped.entries.map((entry) => entry.id)).toEqual([idOf(3), idOf(2), idOf(0)]);
    expect(capped.skipped.malformed).toBe(1);
  });

  it('pages from the live file into .1 and .2 without loss or duplicates', async () => {
    writeFileSync(`${path}.2`, rows(0, 30));
    writeFileSync(`${path}.1`, rows(30, 60) + '\n');
    writeFileSync(path, rows(60, 90));
    writeFileSync(`${path}.3.gz`, 'compressed rows are not read');
    for (const limit of [1, 7, 30, 89, 90, 1000]) {
      const { ids } = await readAllPages(path, limit);
      expect(ids).toEqual(newestFirst(0, 90));
    }
  });

  it('continues in the right file when the live file is rotated between pages', async () => {
    writeFileSync(`${path}.1`, rows(0, 20));
    writeFileSync(path, rows(20, 40));
    const first = await readAuditEntries({ path, limit: 15 });
    expect(first.entries.map((entry) => entry.id)).toEqual(newestFirst(25, 40));

    // logrotate `create`: shift the siblings, rename the live file, start a new one.
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, rows(40, 50));

    const ids = first.entries.map((entry) => entry.id);
    let cursor = first.cursor;
    while (cursor !== null) {
      const page = await readAuditEntries({ path, limit: 15, cursor });
      ids.push(...page.entries.map((entry) => entry.id));
      cursor = page.cursor;
    }
    expect(ids).toEqual(newestFirst(0, 40));
  });

  it('resumes by time when the cursor file was rewritten by copytruncate', async () => {
    writeFileSync(path, rows(0, 40));
    const first = await readAuditEntries({ path, limit: 10 });

    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, rows(40, 100));

    const second = await readAuditEntries({ path, limit: 10, cursor: first.cursor });
    expect(second.entries.map((entry) => entry.id)).toEqual(newestFirst(20, 30));
    const rest = await readAllPages(path, 1000);
    expect(rest.ids).toEqual(newestFirst(0, 100));
  });

  it('reads a missing live file as empty and continues into .1', async () => {
    writeFileSync(`${path}.1`, rows(0, 5));
    const page = await readAuditEntries({ path });
    expect(page.entries.map((entry) => entry.id)).toEqual(newestFirst(0, 5));
  });

  describe('on a large file', () => {
    const totalRows = 200;
    let bigDir: string;
    let bigPath: string;

    beforeAll(() => {
      bigDir = mkdtempSync(join(tmpdir(), 'kora-reader-big-'));
      bigPath = join(bigDir, 'kora_audit_log.jsonl');
      // ~50 MB of older rows written as 1 MiB blocks, then the newest rows.
      let older = '';
      for (let n = 0; older.length < 1024 * 1024; n += 1) {
        older += line(envelope(1_000_000 + n, { emitted_at: new Date(BASE_MS - 86_400_000 + n).toISOString() }));
      }
      const block = Buffer.from(older);
      const fd = openSync(bigPath, 'w');
      try {
        for (let written = 0; written < 50 * 1024 * 1024; written += block.length) writeSync(fd, block);
        writeSync(fd, rows(0, totalRows));
      } finally {
        closeSync(fd);
      }
    });

    afterAll(() => {
      rmSync(bigDir, { recursive: true, force: true });
    });

    it('reads only the end of the file for the newest rows', async () => {
      let bytesRead = 0;
      const page = await readAuditEntries({ path: bigPath, limit: 100, onRead: (bytes) => (bytesRead += bytes) });
      expect(page.entries.map((entry) => entry.id)).toEqual(newestFirst(100, totalRows));
      expect(bytesRead).toBeGreaterThan(0);
      expect(bytesRead).toBeLessThanOrEqual(128 * 1024);
    });

    it('stops reading once rows are older than since', async () => {
      let bytesRead = 0;
      const since = envelope(150).emitted_at;
      const page = await readAuditEntries({ path: bigPath, since, limit: 10_000, onRead: (bytes) => (bytesRead += bytes) });
      expect(page.entries.map((entry) => entry.id)).toEqual(newestFirst(150, totalRows));
      expect(page.cursor).toBeNull();
      expect(bytesRead).toBeLessThanOrEqual(128 * 1024);
    });

    it('reads the next page from where the last one ended', async () => {
      const first = await readAuditEntries({ path: bigPath, limit: 150 });
      let bytesRead = 0;
      const second = await readAuditEntries({ path: bigPath, limit: 50, cursor: first.cursor, onRead: (bytes) => (bytesRead += bytes) });
      expect(second.entries.map((entry) => entry.id)).toEqual(newestFirst(0, 50));
      expect(bytesRead).toBeLessThanOrEqual(128 * 1024);
    });
  });
});

describe('paging while writers append, die and rotate the file', () => {
  it('continues right before a row glued after a long torn head, not from a time', async () => {
    // A writer died 5 KiB into a row; another writer's row C follows on the same line.
    const tornHead = JSON.stringify(envelope(99, { details: { padding: 'x'.repeat(8_000) } })).slice(0, 5_000);
    writeFileSync(path, `${line(A)}${line(B)}${tornHead}${line(C)}${line(D)}`);
    const { ids, skipped } = await readAllPagesCounting(2);
    expect(ids).toEqual([D.id, C.id, B.id, A.id]);
    expect(skipped.malformed).toBe(1);
  });

  it('checks the cursor’s row in the file it found, when a rotation renames it in between', async () => {
    writeFileSync(path, `${line(A)}${line(B)}${line(C)}${line(D)}`);
    const { ids } = await readAllPagesCounting(2, (page) => {
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
