// The messages between the reader and its scanning thread.
import type { HeaderFilterSpec } from './scan-lines-backward.js';

/** Scan `[0, end)` of the open file `fd` backwards and send the lines the filter keeps. */
export interface ScanRequest {
  readonly type: 'scan';
  readonly fd: number;
  readonly end: number;
  readonly maxLineBytes: number;
  readonly filter: HeaderFilterSpec | null;
  /**
   * Whether to work out {@link LINE_PLAIN} for each line. A reader that checks rows on their
   * bytes looks at every byte itself, so for it the work would be wasted.
   */
  readonly markPlain: boolean;
}

/**
 * The reader took one batch: the thread may read one chunk further ahead, and refill the
 * batch's buffer, handed back.
 */
export interface CreditMessage {
  readonly type: 'credit';
  readonly buffer: ArrayBuffer;
}

/** The reader needs no more lines: finish the read in flight and end the scan. */
export interface StopMessage {
  readonly type: 'stop';
}

export type ToScanThread = ScanRequest | CreditMessage | StopMessage;

/** Bits of a line's flags. */
export const LINE_TERMINATED = 1;
export const LINE_OVERSIZED = 2;
/** The line holds no backslash and no control character (see `readSinkRowSeam`). */
export const LINE_PLAIN = 4;
/** Numbers per line in a batch's `meta`: from, to, offset in the file, flags. */
export const META_STRIDE = 4;

/** The kept lines of one chunk, newest first, copied into one buffer. */
export interface LinesMessage {
  readonly type: 'lines';
  readonly bytes: ArrayBuffer;
  readonly meta: Float64Array;
  /** Bytes read from disk for this batch. */
  readonly bytesRead: number;
}

/** The scan is over (finished or stopped), and no read of `fd` is in flight any more. */
export interface EndMessage {
  readonly type: 'end';
}

/** The scan failed as a read of the file failed; no read is in flight any more. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
  readonly code: string | undefined;
}

export type FromScanThread = LinesMessage | EndMessage | ErrorMessage;

/** Batches the thread may send ahead of the reader: the memory in flight stays a few MiB. */
export const MAX_BATCHES_AHEAD = 4;
