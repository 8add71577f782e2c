// The messages between the reader and its scanning thread.
import type { HeaderFilterSpec } from './scan-lines-backward.js';

/** Scan `[0, end)` of the open file `fd` backwards and send the lines the filter keeps. */
export interface ScanRequest {
  readonly type: 'scan';
  readonly fd: number;
  readonly end: number;
  readonly maxLineBytes: number;
  readonly filter: HeaderFilterSpec | null;
  /** What the thread works out about each line it sends: see {@link LineCheck}. */
  readonly lineCheck: LineCheck;
}

/**
 * What a scanning thread works out about each line it sends:
 * - `plain`: whether the line holds no backslash and no control character (for readers of text);
 * - `sink-row`: the answer of `readSinkRowBytes` (for readers that print rows as read, and would
 *   otherwise check each row's bytes themselves);
 * - `sink-row-shared`: the same, but only for the lines of a batch the thread reads while the
 *   reader has fallen behind (batches were waiting for it when it last finished one); the
 *   reader checks the rest. Whichever thread is the slower hands work to the other.
 */
export type LineCheck = 'plain' | 'sink-row' | 'sink-row-shared';

/**
 * The reader took one batch: the thread may read one chunk further ahead, and refill the
 * batch's buffer, handed back.
 */
export interface CreditMessage {
  readonly type: 'credit';
  readonly buffer: ArrayBuffer;
  /** Batches the reader had received and not yet taken when it finished this one. */
  readonly waiting: number;
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
/** The line was checked with `readSinkRowBytes`; its seam's code is in the bits from {@link SEAM_CODE_SHIFT}. */
export const LINE_ROW_CHECKED = 8;
/** Where a checked row's seam code sits in its flags: its index in `SEAM_NAMES` plus 1, or 0 for no sink row. */
export const SEAM_CODE_SHIFT = 4;
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

/**
 * Whether a scanning thread checks the rows of its next batch (see {@link LineCheck}), when
 * `readerWaiting` batches were waiting for the reader as it last finished one.
 */
export function checksRowsNext(lineCheck: LineCheck, readerWaiting: number): boolean {
  if (lineCheck === 'sink-row-shared') return readerWaiting > 0;
  return lineCheck === 'sink-row';
}
