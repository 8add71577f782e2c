import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this are never held whole (the sink's own ceiling is 16 MiB). */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A complete line, or the end of one too long to hold (`text: null`). */
export interface ForwardLine {
  readonly kind: 'line';
  /** 1-based line number. */
  readonly number: number;
  /** The line without its `\n`, or null when longer than the limit. */
  readonly text: string | null;
  /** False for a last line with no `\n` after it. */
  readonly terminated: boolean;
}

/** A piece of a line too long to hold, in order; its `line` event (text null) follows. */
export interface ForwardPiece {
  readonly kind: 'piece';
  readonly number: number;
  readonly text: string;
}

/** Options for {@link readLinesForward}. */
export interface ReadLinesForwardOptions {
  /** Longer lines are passed on as pieces (default 16 MiB). */
  readonly maxLineBytes?: number | undefined;
  /** Bytes per read (default 64 KiB). */
  readonly chunkBytes?: number | undefined;
  /** Stops reading when aborted. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Stream a file's lines from the first, holding at most one line (up to `maxLineBytes`)
 * and one chunk in memory however large the file is. Rejects when the file cannot be read.
 */
export async function* readLinesForward(path: string, options: ReadLinesForwardOptions = {}): AsyncGenerator<ForwardLine | ForwardPiece> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 64 * 1024, signal: options.signal });
  let parts: Buffer[] = [];
  let partBytes = 0;
  // Set once the current line passed the limit: its bytes go out as pieces, decoded in order.
  let pieceDecoder: StringDecoder | null = null;
  let number = 1;

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      while (from <= chunk.length) {
        const newline = chunk.indexOf(0x0a, from);
        const segment = chunk.subarray(from, newline === -1 ? chunk.length : newline);
        if (pieceDecoder === null && partBytes + segment.length > maxLineBytes) {
          pieceDecoder = new StringDecoder('utf8');
          const held = Buffer.concat([...parts, segment]);
          parts = [];
          partBytes = 0;
          yield { kind: 'piece', number, text: pieceDecoder.write(held) };
        } else if (pieceDecoder !== null) {
          if (segment.length > 0) yield { kind: 'piece', number, text: pieceDecoder.write(segment) };
        } else if (segment.length > 0) {
          parts.push(segment);
          partBytes += segment.length;
        }
        if (newline === -1) break;
        yield finishLine(true);
        from = newline + 1;
      }
    }
  } catch (error) {
    // Aborting is how a caller stops early; it is not a read failure.
    if ((error as { name?: unknown } | null)?.name === 'AbortError') return;
    throw error;
  }
  if (partBytes > 0 || pieceDecoder !== null) yield finishLine(false);

  function finishLine(terminated: boolean): ForwardLine {
    let text: string | null = null;
    if (pieceDecoder === null) {
      text = parts.length === 1 && parts[0] !== undefined ? parts[0].toString('utf8') : Buffer.concat(parts).toString('utf8');
    }
    parts = [];
    partBytes = 0;
    pieceDecoder = null;
    return { kind: 'line', number: number++, text, terminated };
  }
}
