import type { FileHandle } from 'node:fs/promises';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { classifyAuditLine } from '../reader/classify-audit-line.js';

const INITIAL_READ_BYTES = 1024 * 1024;

/** A line passed over, for the warning: where it starts and why. */
export interface SkippedLine {
  readonly offset: number;
  readonly reason: string;
}

/** Whole lines as read, not yet classified: their bytes, where the first starts, and how many. */
export interface UnclassifiedLines {
  /** The lines' bytes, each with its `\n`: the whole of a buffer of its own, which may be handed to another thread. */
  readonly bytes: Buffer;
  /** The file offset of the first byte. */
  readonly offset: number;
  readonly count: number;
}

/**
 * The rows of whole lines from one offset on. Read with {@link LineBatchReader.readLines}, the
 * lines are not classified: they are in `lines` (for a caller that classifies them itself, in
 * other threads), and `rows`, `entries` and `rowOffsets` are empty.
 */
export interface LineBatch {
  /** The rows' JSON texts, in file order. */
  readonly rows: string[];
  /** Each row as the strict envelope parsed it. */
  readonly entries: AuditEnvelope[];
  /** Each row's byte offset in the file, for warnings about a row the database refuses. */
  readonly rowOffsets: number[];
  /** Lines passed over (blank lines are counted, not listed). */
  readonly skipped: SkippedLine[];
  readonly blank: number;
  /** Where the next batch starts: just after the last whole line taken. */
  readonly endOffset: number;
  /** The lines, not classified, when read with {@link LineBatchReader.readLines}. */
  readonly lines?: UnclassifiedLines | undefined;
}

/** Limits of one batch. */
export interface LineBatchLimits {
  /** Rows per batch at most. */
  readonly maxRows: number;
  /** Bytes of row text per batch at most (one longer row still makes a batch on its own). */
  readonly maxBytes: number;
  /** Longer lines are skipped as malformed. */
  readonly maxLineBytes: number;
}

/**
 * Reads whole lines of one file forward from an offset with a bounded, reused buffer. A line
 * without its `\n` (a writer mid-write, or a crashed one) is never taken: it waits for its end.
 */
export class LineBatchReader {
  private buffer = Buffer.allocUnsafe(INITIAL_READ_BYTES);

  constructor(private readonly limits: LineBatchLimits) {}

  /** Parse the whole lines from `offset` on, up to the batch limits. */
  async read(handle: FileHandle, offset: number): Promise<LineBatch> {
    const batch = {
      rows: [] as string[],
      entries: [] as AuditEnvelope[],
      rowOffsets: [] as number[],
      skipped: [] as SkippedLine[],
      blank: 0,
      endOffset: offset,
    };
    let rowBytes = 0;
    let position = offset;
    for (;;) {
      const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, position);
      if (bytesRead === 0) return batch;
      const lastNewline = this.buffer.lastIndexOf(0x0a, bytesRead - 1);
      if (lastNewline === -1) {
        // No line ends in what was read.
        if (bytesRead < this.buffer.length) return batch;
        if (this.buffer.length <= this.limits.maxLineBytes) {
          if (batch.endOffset > offset) return batch;
          this.buffer = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, this.limits.maxLineBytes + 1));
          continue;
        }
        // Longer than any row may be: pass over it once its end is in the file.
        const end = await findNewline(handle, position + bytesRead);
        if (end === -1) return batch;
        batch.skipped.push({ offset: position, reason: 'line_too_long' });
        position = end + 1;
        batch.endOffset = position;
        continue;
      }
      let start = 0;
      while (start <= lastNewline) {
        const newline = this.buffer.indexOf(0x0a, start);
        const lineOffset = position + start;
        let line = classifyAuditLine(this.buffer.toString('utf8', start, newline));
        // Only the first line the envelope schema alone can judge waits, for the schema to load.
        if (line instanceof Promise) line = await line;
        if (line.kind === 'row') {
          if (batch.rows.length > 0 && rowBytes + line.text.length > this.limits.maxBytes) return batch;
          batch.rows.push(line.text);
          batch.entries.push(line.entry);
          batch.rowOffsets.push(lineOffset);
          rowBytes += line.text.length;
        } else if (line.kind === 'blank') {
          batch.blank += 1;
        } else {
          batch.skipped.push({ offset: lineOffset, reason: line.kind === 'invalid' ? line.reason : 'malformed' });
        }
        start = newline + 1;
        batch.endOffset = position + start;
        if (batch.rows.length >= this.limits.maxRows) return batch;
      }
      position += start;
      // A short read reached the end of the file: what is left is at most a torn last line.
      if (bytesRead < this.buffer.length) return batch;
    }
  }

  /**
   * The whole lines from `offset` on, up to the batch limits, as bytes: not decoded, not
   * classified. A line longer than any row may be is passed over (in `skipped`) on its own,
   * so that the lines of a batch are contiguous.
   */
  async readLines(handle: FileHandle, offset: number): Promise<LineBatch> {
    const skipped: SkippedLine[] = [];
    let position = offset;
    for (;;) {
      const { bytesRead } = await handle.read(this.buffer, 0, this.buffer.length, position);
      const empty = (): LineBatch => ({ rows: [], entries: [], rowOffsets: [], skipped, blank: 0, endOffset: position });
      if (bytesRead === 0) return empty();
      const lastNewline = this.buffer.lastIndexOf(0x0a, bytesRead - 1);
      if (lastNewline === -1) {
        if (bytesRead < this.buffer.length) return empty();
        if (this.buffer.length <= this.limits.maxLineBytes) {
          this.buffer = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, this.limits.maxLineBytes + 1));
          continue;
        }
        const end = await findNewline(handle, position + bytesRead);
        if (end === -1) return empty();
        skipped.push({ offset: position, reason: 'line_too_long' });
        position = end + 1;
        // The lines after it make the next batch.
        return empty();
      }
      // Whole lines up to the limits: rows and bytes counted by line ends.
      let count = 0;
      let end = 0;
      while (end <= lastNewline && count < this.limits.maxRows) {
        const newline = this.buffer.indexOf(0x0a, end);
        // The buffer may be larger than maxLineBytes: a line too long can be whole in it.
        if (newline - end > this.limits.maxLineBytes) {
          if (count > 0) break;
          skipped.push({ offset: position, reason: 'line_too_long' });
          position += newline + 1;
          return empty();
        }
        if (count > 0 && newline + 1 > this.limits.maxBytes) break;
        end = newline + 1;
        count += 1;
      }
      // A buffer of its own (never Node's shared pool), so that it can be handed to another thread.
      const bytes = Buffer.allocUnsafeSlow(end);
      this.buffer.copy(bytes, 0, 0, end);
      return {
        rows: [],
        entries: [],
        rowOffsets: [],
        skipped,
        blank: 0,
        endOffset: position + end,
        lines: { bytes, offset: position, count },
      };
    }
  }
}

/** The offset of the first `\n` at or after `from`, or -1 when the file ends first. */
async function findNewline(handle: FileHandle, from: number): Promise<number> {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  let position = from;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) return -1;
    const newline = chunk.indexOf(0x0a);
    if (newline !== -1 && newline < bytesRead) return position + newline;
    position += bytesRead;
  }
}
