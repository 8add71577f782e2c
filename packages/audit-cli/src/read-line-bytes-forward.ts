import type { FileHandle } from 'node:fs/promises';
import { DEFAULT_MAX_LINE_BYTES } from './read-lines-forward.js';

/**
 * Called for each line, in order: the line is `bytes[from, to)` without its `\n` (`bytes` null
 * when the line is longer than the limit), `number` is 1-based, `terminated` false for a last
 * line with no `\n` after it. The bytes are valid only during the call. A promise returned is
 * awaited before the next line.
 */
export type LineBytesVisitor = (
  bytes: Buffer | null,
  from: number,
  to: number,
  number: number,
  terminated: boolean,
) => void | Promise<void>;

/** Options for {@link readLineBytesForward}. */
export interface ReadLineBytesForwardOptions {
  /** Read up to this offset (default: the file's size when reading starts). */
  readonly end?: number | undefined;
  /** Longer lines are passed on as `null` (default 16 MiB). */
  readonly maxLineBytes?: number | undefined;
  /** Bytes per read (default 1 MiB). */
  readonly chunkBytes?: number | undefined;
  /** Stops reading between chunks when aborted. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Visit an open file's lines from the first, as bytes, holding one chunk and at most one line
 * (up to `maxLineBytes`) however large the file is. Lines are handed over where they lie in
 * the chunk: nothing is decoded or copied for a line that fits in one. Resolves to the number
 * of lines visited; rejects when the file cannot be read.
 */
export async function readLineBytesForward(
  handle: FileHandle,
  visit: LineBytesVisitor,
  options: ReadLineBytesForwardOptions = {},
): Promise<number> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const end = options.end ?? (await handle.stat()).size;
  let buffer = Buffer.allocUnsafe(chunkBytes);
  // `buffer[0, filled)` holds bytes read and not yet visited: the start of an unfinished line.
  let filled = 0;
  let position = 0;
  let number = 1;
  // Set while passing over the rest of a line longer than the limit.
  let skipping = false;

  while (position < end && options.signal?.aborted !== true) {
    if (filled === buffer.length) {
      // A line longer than the buffer: grow it up to the limit, then pass over the rest.
      if (buffer.length > maxLineBytes) {
        skipping = true;
        filled = 0;
      } else {
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxLineBytes + 1));
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
    }
    const { bytesRead } = await handle.read(buffer, filled, Math.min(buffer.length - filled, end - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const available = filled + bytesRead;
    const read = available === buffer.length ? buffer : buffer.subarray(0, available);
    let lineStart = 0;
    // Only the bytes just read can hold a newline.
    for (let newline = read.indexOf(0x0a, filled); newline !== -1; newline = read.indexOf(0x0a, lineStart)) {
      const lineNumber = number++;
      const visited =
        skipping || newline - lineStart > maxLineBytes
          ? visit(null, 0, 0, lineNumber, true)
          : visit(buffer, lineStart, newline, lineNumber, true);
      skipping = false;
      if (visited !== undefined) await visited;
      lineStart = newline + 1;
    }
    if (skipping) {
      filled = 0;
    } else {
      buffer.copy(buffer, 0, lineStart, available);
      filled = available - lineStart;
    }
  }
  if (options.signal?.aborted === true) return number - 1;
  if (skipping || filled > 0) {
    const lineNumber = number++;
    const visited = skipping || filled > maxLineBytes ? visit(null, 0, 0, lineNumber, false) : visit(buffer, 0, filled, lineNumber, false);
    if (visited !== undefined) await visited;
  }
  return number - 1;
}
