import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './__fixtures__/cli-harness.js';
import { readLineBytesForward } from './read-line-bytes-forward.js';

let dir: string;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a line reader must see in `bytes`: each line's bytes, or null past the limit, and whether a newline ended it. */
function expectedLines(bytes: Buffer, maxLineBytes: number): { text: string | null; terminated: boolean }[] {
  const lines: { text: string | null; terminated: boolean }[] = [];
  let start = 0;
  for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
    lines.push({ text: newline - start > maxLineBytes ? null : bytes.toString('latin1', start, newline), terminated: true });
    start = newline + 1;
  }
  if (start < bytes.length) {
    lines.push({ text: bytes.length - start > maxLineBytes ? null : bytes.toString('latin1', start), terminated: false });
  }
  return lines;
}

describe('readLineBytesForward', { timeout: 120_000 }, () => {
  it('visits every line once, in order, numbered, whatever the chunk size and the line limit', async () => {
    const path = join(dir, 'lines');
    const line = fc.oneof(fc.constant(''), fc.string({ maxLength: 3 }), fc.string({ minLength: 4, maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            line,
            fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
          ),
          { maxLength: 20 },
        ),
        fc.boolean(),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 24 }),
        async (lines, newlineAtEnd, chunkBytes, maxLineBytes) => {
          const bytes = Buffer.from(lines.join('\n') + (newlineAtEnd && lines.length > 0 ? '\n' : ''), 'latin1');
          await writeFile(path, bytes);
          const seen: { number: number; text: string | null; terminated: boolean }[] = [];
          const handle = await open(path, 'r');
          let visited: number;
          try {
            visited = await readLineBytesForward(
              handle,
              (buffer, from, to, number, terminated) => {
                seen.push({ number, text: buffer === null ? null : buffer.toString('latin1', from, to), terminated });
                // A visitor may answer later: the next line waits for it.
                return number % 3 === 0 ? Promise.resolve() : undefined;
              },
              { chunkBytes, maxLineBytes },
            );
          } finally {
            await handle.close();
          }
          const expected = expectedLines(bytes, maxLineBytes).map((entry, index) => ({ number: index + 1, ...entry }));
          expect(seen).toEqual(expected);
          expect(visited).toBe(expected.length);
        },
      ),
      { numRuns: 500, seed: 0x6c62 },
    );
  });

  it('reads no further than the end it is given', async () => {
    const path = join(dir, 'bounded');
    await writeFile(path, 'one\ntwo\nthree\n');
    const handle = await open(path, 'r');
    const seen: string[] = [];
    try {
      await readLineBytesForward(handle, (buffer, from, to) => void seen.push(buffer?.toString('latin1', from, to) ?? ''), { end: 6 });
    } finally {
      await handle.close();
    }
    expect(seen).toEqual(['one', 'tw']);
  });
});
