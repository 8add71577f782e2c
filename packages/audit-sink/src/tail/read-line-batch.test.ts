import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineBatchReader } from './read-line-batch.js';
import type { LineBatch, LineBatchLimits } from './read-line-batch.js';

const ROOMY: LineBatchLimits = { maxRows: 1_000, maxBytes: 1024 * 1024, maxLineBytes: 1024 * 1024 };

let dir: string;
let fileNumber = 0;
const freshPath = (): string => join(dir, `lines-${(fileNumber += 1)}.jsonl`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kora-line-batch-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** One readLines call on `path` from `offset`, the file opened and closed around it. */
async function readLinesOf(path: string, offset: number, reader: LineBatchReader): Promise<LineBatch> {
  const handle = await open(path, 'r');
  try {
    return await reader.readLines(handle, offset);
  } finally {
    await handle.close();
  }
}

/** The batch's lines as text, each without its `\n`. */
function textsOf(batch: LineBatch): string[] {
  if (batch.lines === undefined) return [];
  return batch.lines.bytes.toString('utf8').split('\n').slice(0, -1);
}

describe('LineBatchReader.readLines', () => {
  it('hands out whole lines as bytes, unclassified, and never a torn last line', async () => {
    const path = freshPath();
    // Not one of them is a row: readLines does not judge them.
    const whole = Buffer.concat([Buffer.from('not json\n\n{"a":1}\n'), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a])]);
    writeFileSync(path, Buffer.concat([whole, Buffer.from('torn with no end')]));
    const reader = new LineBatchReader(ROOMY);
    const batch = await readLinesOf(path, 0, reader);
    expect(batch).toMatchObject({ rows: [], entries: [], rowOffsets: [], skipped: [], blank: 0, endOffset: whole.length });
    expect(batch.lines).toMatchObject({ offset: 0, count: 4 });
    expect(batch.lines?.bytes.equals(whole)).toBe(true);

    const waiting = await readLinesOf(path, batch.endOffset, reader);
    expect(waiting).toMatchObject({ endOffset: batch.endOffset, skipped: [] });
    expect(waiting.lines).toBeUndefined();

    appendFileSync(path, ' until now\n');
    const ended = await readLinesOf(path, batch.endOffset, reader);
    expect(textsOf(ended)).toEqual(['torn with no end until now']);
    expect(ended.lines).toMatchObject({ offset: batch.endOffset, count: 1 });
  });

  it('gives no lines and ends where it started for an empty file or an offset at the end', async () => {
    const path = freshPath();
    writeFileSync(path, '');
    const reader = new LineBatchReader(ROOMY);
    expect(await readLinesOf(path, 0, reader)).toEqual({ rows: [], entries: [], rowOffsets: [], skipped: [], blank: 0, endOffset: 0 });
    writeFileSync(path, 'one\ntwo\n');
    const atEnd = await readLinesOf(path, 8, reader);
    expect(atEnd).toEqual({ rows: [], entries: [], rowOffsets: [], skipped: [], blank: 0, endOffset: 8 });
  });

  it('stops at the line end where maxRows is reached', async () => {
    const path = freshPath();
    writeFileSync(path, 'a\nbb\nccc\ndddd\neeeee\n');
    const reader = new LineBatchReader({ ...ROOMY, maxRows: 2 });
    const first = await readLinesOf(path, 0, reader);
    expect(textsOf(first)).toEqual(['a', 'bb']);
    expect(first.endOffset).toBe(5);
    const second = await readLinesOf(path, first.endOffset, reader);
    expect(textsOf(second)).toEqual(['ccc', 'dddd']);
    expect(second.lines).toMatchObject({ offset: 5, count: 2 });
    const third = await readLinesOf(path, second.endOffset, reader);
    expect(textsOf(third)).toEqual(['eeeee']);
    expect(third.endOffset).toBe(20);
  });

  it('stops at the line end before maxBytes is passed; a line longer than maxBytes makes a batch alone', async () => {
    const path = freshPath();
    // 4 + 4 + 12 + 4 bytes with their ends.
    writeFileSync(path, 'aaa\nbbb\nccccccccccc\nddd\n');
    const reader = new LineBatchReader({ ...ROOMY, maxBytes: 10 });
    const first = await readLinesOf(path, 0, reader);
    expect(textsOf(first)).toEqual(['aaa', 'bbb']);
    const long = await readLinesOf(path, first.endOffset, reader);
    expect(textsOf(long)).toEqual(['ccccccccccc']);
    expect(long.lines).toMatchObject({ offset: 8, count: 1 });
    const last = await readLinesOf(path, long.endOffset, reader);
    expect(textsOf(last)).toEqual(['ddd']);

    // Exactly maxBytes with the line ends fits.
    const exact = freshPath();
    writeFileSync(exact, 'aaaa\nbbbb\ncc\n');
    expect(textsOf(await readLinesOf(exact, 0, reader))).toEqual(['aaaa', 'bbbb']);
  });

  it('passes over a line longer than maxLineBytes on its own, and the next call continues after it', async () => {
    const path = freshPath();
    const long = 'x'.repeat(101);
    writeFileSync(path, `before\n${long}\nafter\n${'y'.repeat(100)}\n`);
    const reader = new LineBatchReader({ ...ROOMY, maxLineBytes: 100 });
    const first = await readLinesOf(path, 0, reader);
    expect(textsOf(first)).toEqual(['before']);
    expect(first.skipped).toEqual([]);
    const skipped = await readLinesOf(path, first.endOffset, reader);
    expect(skipped.lines).toBeUndefined();
    expect(skipped.skipped).toEqual([{ offset: 7, reason: 'line_too_long' }]);
    expect(skipped.endOffset).toBe(7 + long.length + 1);
    const next = await readLinesOf(path, skipped.endOffset, reader);
    // A line of exactly maxLineBytes is a line.
    expect(textsOf(next)).toEqual(['after', 'y'.repeat(100)]);
    expect(next.skipped).toEqual([]);
  });

  it('grows its buffer for a long line up to maxLineBytes, and passes over a longer one once its end is written', async () => {
    const path = freshPath();
    const mib = 1024 * 1024;
    const taken = 'a'.repeat(mib + 300_000);
    const tooLong = 'b'.repeat(2 * mib);
    writeFileSync(path, `${taken}\n${tooLong}`);
    const reader = new LineBatchReader({ maxRows: 10, maxBytes: 16 * mib, maxLineBytes: mib + 500_000 });
    const first = await readLinesOf(path, 0, reader);
    expect(first.lines?.count).toBe(1);
    expect(first.lines?.bytes.equals(Buffer.from(`${taken}\n`))).toBe(true);
    // The long line has no end yet: nothing is passed over.
    const waiting = await readLinesOf(path, first.endOffset, reader);
    expect(waiting).toMatchObject({ endOffset: first.endOffset, skipped: [] });
    appendFileSync(path, '\nlast\n');
    const skipped = await readLinesOf(path, first.endOffset, reader);
    expect(skipped.skipped).toEqual([{ offset: first.endOffset, reason: 'line_too_long' }]);
    expect(skipped.endOffset).toBe(first.endOffset + tooLong.length + 1);
    expect(textsOf(await readLinesOf(path, skipped.endOffset, reader))).toEqual(['last']);
  });

  it("gives each batch's bytes a buffer of their own, so that they can be handed to another thread", async () => {
    const path = freshPath();
    writeFileSync(path, 'short\nlines\nof\nfew\nbytes\n');
    const reader = new LineBatchReader({ ...ROOMY, maxRows: 2 });
    let offset = 0;
    for (let turn = 0; turn < 3; turn += 1) {
      const batch = await readLinesOf(path, offset, reader);
      const bytes = batch.lines?.bytes;
      expect(bytes?.byteOffset).toBe(0);
      expect(bytes?.byteLength).toBe(bytes?.buffer.byteLength);
      offset = batch.endOffset;
    }
    expect(offset).toBe(25);
  });

  it('reads back every byte of any file up to its last line end, less the lines too long, batch after batch', async () => {
    const path = freshPath();
    const maxLineBytes = 40;
    // Lines of any bytes but `\n`: blank, not UTF-8, around maxLineBytes, far longer.
    const line = fc
      .oneof(
        fc.uint8Array({ maxLength: 12 }),
        fc.uint8Array({ minLength: maxLineBytes - 2, maxLength: maxLineBytes + 2 }),
        fc.uint8Array({ minLength: 100, maxLength: 5_000 }),
      )
      .map((bytes) => Buffer.from(bytes.map((byte) => (byte === 0x0a ? 0x0b : byte))));
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.option(line, { nil: undefined }),
        fc.record({ maxRows: fc.integer({ min: 1, max: 6 }), maxBytes: fc.integer({ min: 1, max: 120 }) }),
        async (lines, torn, limits) => {
          const file = Buffer.concat([...lines.flatMap((bytes) => [bytes, Buffer.from('\n')]), torn ?? Buffer.alloc(0)]);
          writeFileSync(path, file);
          const expected = Buffer.concat(
            lines.filter((bytes) => bytes.length <= maxLineBytes).flatMap((bytes) => [bytes, Buffer.from('\n')]),
          );
          const lastLineEnd = file.lastIndexOf(0x0a) + 1;
          const reader = new LineBatchReader({ ...limits, maxLineBytes });
          const read: Buffer[] = [];
          let offset = 0;
          let skips = 0;
          const handle = await open(path, 'r');
          try {
            for (let turn = 0; turn <= lines.length; turn += 1) {
              const batch = await reader.readLines(handle, offset);
              expect(batch).toMatchObject({ rows: [], entries: [], rowOffsets: [], blank: 0 });
              if (batch.lines === undefined) {
                if (batch.skipped.length === 0) break;
                // A line too long is passed over alone, from where the last batch ended.
                expect(batch.skipped).toEqual([{ offset, reason: 'line_too_long' }]);
                expect(file.indexOf(0x0a, offset) + 1).toBe(batch.endOffset);
                skips += 1;
              } else {
                const { bytes, count } = batch.lines;
                expect(batch.skipped).toEqual([]);
                expect(batch.lines.offset).toBe(offset);
                expect(batch.endOffset).toBe(offset + bytes.length);
                expect(bytes.at(-1)).toBe(0x0a);
                expect(bytes.filter((byte) => byte === 0x0a).length).toBe(count);
                expect(count).toBeLessThanOrEqual(limits.maxRows);
                if (count > 1) expect(bytes.length).toBeLessThanOrEqual(limits.maxBytes);
                expect(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength).toBe(true);
                read.push(bytes);
              }
              offset = batch.endOffset;
            }
          } finally {
            await handle.close();
          }
          expect(offset).toBe(lastLineEnd);
          expect(skips).toBe(lines.filter((bytes) => bytes.length > maxLineBytes).length);
          expect(Buffer.concat(read).equals(expected)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
