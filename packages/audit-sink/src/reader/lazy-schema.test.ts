import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, line } from '../__fixtures__/reader-rows.js';
import { readAuditEntries } from './read-audit-entries.js';

const fixture = new URL('../__fixtures__/lazy-schema-read-child.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kora-lazy-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildRead {
  zodBefore: boolean;
  zodAfter: boolean;
  lines: string[];
  skipped: unknown;
}

function readInChild(path: string, mode: 'entries' | 'lines', offloadAfterBytes: number): ChildRead {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@kora/source', fixture, path, mode, String(offloadAfterBytes)],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as ChildRead;
}

/** ~300 KiB of rows as the sink writes them, so a read with offloading on uses the worker. */
function sinkRows(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n += 1) text += line(envelope(n, { details: { note: 'x'.repeat(600), n } }));
  return text;
}

describe('the reader without zod', () => {
  it.each([
    ['entries', Number.POSITIVE_INFINITY],
    ['lines', Number.POSITIVE_INFINITY],
    ['lines', 0],
  ] as const)('reads rows as the sink writes them without loading zod (%s, offload after %s bytes)', async (mode, offload) => {
    const path = join(dir, `clean-${mode}-${offload}.jsonl`);
    writeFileSync(path, sinkRows(0, 500));
    const read = readInChild(path, mode, offload);
    expect(read.zodBefore).toBe(false);
    expect(read.zodAfter).toBe(false);
    expect(read.lines).toEqual((await readAuditEntries({ path, limit: 10_000, withLines: true })).lines);
  });

  it.each([
    ['entries', Number.POSITIVE_INFINITY],
    ['lines', Number.POSITIVE_INFINITY],
    ['lines', 0],
  ] as const)(
    'loads the schema at the first row only it can judge, and reads on from there (%s, offload after %s bytes)',
    async (mode, offload) => {
      const path = join(dir, `mixed-${mode}-${offload}.jsonl`);
      // Rows the schema refuses, deep in the file; the first the reader meets follows a torn head.
      const unknownKey = line({ ...envelope(250), extra: true });
      const tornHead = JSON.stringify(envelope(252)).slice(0, 60);
      writeFileSync(
        path,
        `${sinkRows(0, 250)}${unknownKey}${line({ ...envelope(251), v: 2 })}${tornHead}${line({ ...envelope(252), seam: 'nope' })}${sinkRows(253, 500)}`,
      );
      const read = readInChild(path, mode, offload);
      expect(read.zodBefore).toBe(false);
      expect(read.zodAfter).toBe(true);
      const expected = await readAuditEntries({ path, limit: 10_000, withLines: true });
      expect(expected.skipped).toEqual({ blank: 0, malformed: 1, torn: 0, invalid: 3 });
      expect(read.lines).toEqual(expected.lines);
      expect(read.skipped).toEqual(expected.skipped);
    },
  );
});

describe('a stream dropped before its end', () => {
  it('does not hold the process open, though a worker thread was scanning', () => {
    const child = new URL('../__fixtures__/abandoned-stream-child.ts', import.meta.url).pathname;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', child], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const taken = JSON.parse(result.stdout) as { first: number; second: number };
    expect(taken.first).toBeGreaterThan(0);
    expect(taken.second).toBeGreaterThan(0);
  });
});
