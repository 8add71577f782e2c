import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, line } from '../__fixtures__/reader-rows.js';
import { readSinkRowBytes } from './check-sink-row-bytes.js';
import { makeHeaderFilter, scanLinesBackward } from './scan-lines-backward.js';
import type { HeaderFilterSpec } from './scan-lines-backward.js';
import { ScanThread, ScanThreadUnavailable } from './scan-thread.js';
import { checksRowsNext } from './scan-worker-protocol.js';
import type { LineCheck } from './scan-worker-protocol.js';

let dir: string;
let path: string;
let thread: ScanThread;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kora-scan-thread-'));
  path = join(dir, 'kora_audit_log.jsonl');
  thread = new ScanThread();
});

afterEach(async () => {
  await thread.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What a scan visited: each line's text (null when oversized), offset and whether it ended in `\n`. */
type Visited = [string | null, number, boolean][];

async function scanHere(filter: HeaderFilterSpec | undefined, maxLineBytes: number): Promise<Visited> {
  const handle = await open(path, 'r');
  const visited: Visited = [];
  try {
    const { size } = await handle.stat();
    const scan = scanLinesBackward({
      read: async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead,
      end: size,
      maxLineBytes,
      filter: filter === undefined ? undefined : makeHeaderFilter(filter),
      visit: (bytes, from, to, lineStart, terminated) => {
        visited.push([bytes === null ? null : bytes.toString('utf8', from, to), lineStart, terminated]);
        return false;
      },
      onRead: () => undefined,
    });
    while ((await scan.next()).done !== true);
  } finally {
    await handle.close();
  }
  return visited;
}

async function scanOnThread(
  filter: HeaderFilterSpec | undefined,
  maxLineBytes: number,
  stopAfter = Number.POSITIVE_INFINITY,
  lineCheck: LineCheck = 'plain',
): Promise<{ visited: Visited; bytesRead: number; plainWrong: number; markedPlain: number; rowCheckWrong: number; sinkRows: number }> {
  const handle = await open(path, 'r');
  const visited: Visited = [];
  let bytesRead = 0;
  // Lines whose `plain` flag says other than the text: none may.
  let plainWrong = 0;
  let markedPlain = 0;
  // Lines whose `sinkRowSeam` says other than `readSinkRowBytes` (or is there unasked): none may.
  let rowCheckWrong = 0;
  let sinkRows = 0;
  try {
    const { size } = await handle.stat();
    const scan = thread.scan({
      fd: handle.fd,
      end: size,
      maxLineBytes,
      filter,
      lineCheck,
      visit: (bytes, from, to, lineStart, terminated, plain, sinkRowSeam) => {
        const text = bytes === null ? null : bytes.toString('utf8', from, to);
        if (plain === true) markedPlain += 1;
        if (typeof sinkRowSeam === 'string') sinkRows += 1;
        const expectedSeam = lineCheck === 'plain' ? undefined : bytes === null ? undefined : (readSinkRowBytes(bytes, from, to) ?? null);
        // Shared checking leaves some lines to the reader: those come unchecked.
        if (sinkRowSeam !== expectedSeam && !(lineCheck === 'sink-row-shared' && sinkRowSeam === undefined)) rowCheckWrong += 1;
        if (lineCheck === 'plain' && text !== null && plain !== !/[\\\x00-\x1f]/.test(text)) plainWrong += 1;
        visited.push([text, lineStart, terminated]);
        return visited.length >= stopAfter;
      },
      onRead: (bytes) => (bytesRead += bytes),
    });
    while ((await scan.next()).done !== true);
  } finally {
    await handle.close();
  }
  return { visited, bytesRead, plainWrong, markedPlain, rowCheckWrong, sinkRows };
}

describe('checksRowsNext', () => {
  it('checks rows on the thread while batches wait for the reader, or always when asked to', () => {
    expect([0, 1, 2, 4].map((waiting) => checksRowsNext('sink-row-shared', waiting))).toEqual([false, true, true, true]);
    expect([0, 4].map((waiting) => checksRowsNext('sink-row', waiting))).toEqual([true, true]);
    expect([0, 4].map((waiting) => checksRowsNext('plain', waiting))).toEqual([false, false]);
  });
});

describe('ScanThread', () => {
  it('visits the lines a scan on this thread visits, with the same offsets, filters and limits', async () => {
    const parts: string[] = [];
    for (let n = 0; n < 3_000; n += 1) {
      parts.push(
        n % 500 === 7
          ? line(envelope(n, { details: { blob: 'z'.repeat(200_000) } }))
          : line(envelope(n, { details: n % 3 === 0 ? { note: 'tab\there "quoted" \\' } : {} })),
      );
      if (n % 700 === 3) parts.push('not a row\n', '\n');
    }
    parts.push(JSON.stringify(envelope(3_000)));
    writeFileSync(path, parts.join(''));
    for (const filter of [undefined, { seams: ['webhook.dead_letter'] }, { untilMs: Date.parse(envelope(2_000).emitted_at) }]) {
      for (const maxLineBytes of [16 * 1024 * 1024, 100_000]) {
        const here = await scanHere(filter, maxLineBytes);
        const there = await scanOnThread(filter, maxLineBytes);
        expect(there.visited).toEqual(here);
        expect(there.bytesRead).toBe(parts.join('').length);
        expect(there.plainWrong).toBe(0);
        expect(there.markedPlain).toBeGreaterThan(0);
        expect(there.rowCheckWrong).toBe(0);
        // A reader that prints rows as read has each row's bytes checked there instead.
        const checked = await scanOnThread(filter, maxLineBytes, Number.POSITIVE_INFINITY, 'sink-row');
        expect(checked.visited).toEqual(here);
        expect(checked.markedPlain).toBe(0);
        expect(checked.rowCheckWrong).toBe(0);
        expect(checked.sinkRows).toBeGreaterThan(0);
        expect(checked.sinkRows).toBeLessThan(checked.visited.length);
        const shared = await scanOnThread(filter, maxLineBytes, Number.POSITIVE_INFINITY, 'sink-row-shared');
        expect(shared.visited).toEqual(here);
        expect(shared.rowCheckWrong).toBe(0);
      }
    }
  });

  it('stops when the visitor says so, and scans again on the same thread', async () => {
    writeFileSync(path, Array.from({ length: 5_000 }, (_, n) => line(envelope(n))).join(''));
    const first = await scanOnThread(undefined, 1_000_000, 10);
    expect(first.visited).toHaveLength(10);
    expect(first.visited[0]?.[0]).toBe(JSON.stringify(envelope(4_999)));
    const second = await scanOnThread(undefined, 1_000_000);
    expect(second.visited).toHaveLength(5_000);
  });

  it("fails the scan with the read's error", async () => {
    // A directory opens for reading, and every read of it fails.
    const handle = await open(dir, 'r');
    try {
      const scan = thread.scan({
        fd: handle.fd,
        end: 100,
        maxLineBytes: 1_000,
        filter: undefined,
        lineCheck: 'plain',
        visit: () => false,
        onRead: () => undefined,
      });
      await expect(scan.next()).rejects.toMatchObject({ code: 'EISDIR' });
    } finally {
      await handle.close();
    }
  });

  it('says it is unavailable when its worker cannot start, before visiting anything', async () => {
    const broken = new ScanThread(new URL('./no-such-worker.js', import.meta.url));
    writeFileSync(path, line(envelope(0)));
    const handle = await open(path, 'r');
    let visited = 0;
    try {
      const scan = broken.scan({
        fd: handle.fd,
        end: 100,
        maxLineBytes: 1_000,
        filter: undefined,
        lineCheck: 'plain',
        visit: () => (visited += 1) > 0,
        onRead: () => undefined,
      });
      await expect(scan.next()).rejects.toBeInstanceOf(ScanThreadUnavailable);
    } finally {
      await handle.close();
      await broken.close();
    }
    expect(visited).toBe(0);
  });
});
