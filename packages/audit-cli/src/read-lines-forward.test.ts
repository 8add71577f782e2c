import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from './__fixtures__/cli-harness.js';
import { readLinesForward } from './read-lines-forward.js';
import type { ForwardLine, ForwardPiece } from './read-lines-forward.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = makeTempDir();
  path = join(dir, 'lines.txt');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(options: Parameters<typeof readLinesForward>[1]): Promise<(ForwardLine | ForwardPiece)[]> {
  const events: (ForwardLine | ForwardPiece)[] = [];
  for await (const event of readLinesForward(path, options)) events.push(event);
  return events;
}

describe('readLinesForward', () => {
  it('yields numbered lines across chunk boundaries, with blank lines and an unterminated last line', async () => {
    writeFileSync(path, 'alpha\n\nbravo charlie\nécho\ndelta');
    expect(await collect({ chunkBytes: 3 })).toEqual([
      { kind: 'line', number: 1, text: 'alpha', terminated: true },
      { kind: 'line', number: 2, text: '', terminated: true },
      { kind: 'line', number: 3, text: 'bravo charlie', terminated: true },
      { kind: 'line', number: 4, text: 'écho', terminated: true },
      { kind: 'line', number: 5, text: 'delta', terminated: false },
    ]);
  });

  it('passes a line over the limit on as pieces, then ends it with null text', async () => {
    writeFileSync(path, `short\n${'é'.repeat(20)}\nend\n`);
    const events = await collect({ chunkBytes: 4, maxLineBytes: 10 });
    const pieces = events.filter((event): event is ForwardPiece => event.kind === 'piece');
    expect(pieces.map((piece) => piece.text).join('')).toBe('é'.repeat(20));
    expect(pieces.every((piece) => piece.number === 2)).toBe(true);
    expect(events.filter((event) => event.kind === 'line')).toEqual([
      { kind: 'line', number: 1, text: 'short', terminated: true },
      { kind: 'line', number: 2, text: null, terminated: true },
      { kind: 'line', number: 3, text: 'end', terminated: true },
    ]);
  });

  it('rejects a missing file', async () => {
    await expect(collect({})).rejects.toThrow(/ENOENT/);
  });
});
