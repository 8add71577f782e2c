import { ROW_SEQ_SEPARATOR, ROW_TRACE_SUFFIX_LENGTH, ROW_VERSION_OFFSET, UUID_V7_SHAPE } from '../envelope/row-layout.js';

const VERSION_2 = 0x32;
// From the start of the writer id to the first digit of the sequence number.
const WRITER_TO_SEQ = UUID_V7_SHAPE.length + ROW_SEQ_SEPARATOR.length;

/** The writer of a version 2 row and the row's place in its sequence. */
export interface SinkRowWriter {
  /** The writer's id: the id of its `audit.opened` row. */
  readonly writer: string;
  /** The row's sequence number in that writer, from 1. */
  readonly seq: number;
}

/**
 * The writer id and sequence number of the row `bytes[from, to)`, read from the end of the row,
 * where the sink writes them (`,"writer":"<36>","seq":N}`, or `,"writer":"<36>","seq":N` and the
 * row's trace fields, 75 characters ending in a quote, before the brace); undefined for a row of version 1.
 *
 * Only for a row that `readSinkRowBytes` vouched for: that check has made sure the row ends
 * in exactly this layout, so the row is not looked at again here. For any other line, classify
 * it and read `writer` and `seq` from the entry.
 */
export function readSinkRowWriter(bytes: Uint8Array, from: number, to: number): SinkRowWriter | undefined {
  if (bytes[from + ROW_VERSION_OFFSET] !== VERSION_2) return undefined;
  // The closing brace is at `to - 1`; the digits run back from before it, or from before the
  // trace fields when the row has them (a quote before the brace: the span id's closing one).
  let seqStart = bytes[to - 2] === 0x22 ? to - 1 - ROW_TRACE_SUFFIX_LENGTH : to - 1;
  let seq = 0;
  let scale = 1;
  for (let byte = bytes[seqStart - 1]!; byte >= 0x30 && byte <= 0x39; byte = bytes[seqStart - 1]!) {
    seqStart -= 1;
    seq += (byte - 0x30) * scale;
    scale *= 10;
  }
  const writerStart = seqStart - WRITER_TO_SEQ;
  const writerEnd = writerStart + UUID_V7_SHAPE.length;
  const writer = Buffer.isBuffer(bytes)
    ? bytes.toString('latin1', writerStart, writerEnd)
    : Buffer.from(bytes.buffer, bytes.byteOffset + writerStart, UUID_V7_SHAPE.length).toString('latin1');
  return { writer, seq };
}
