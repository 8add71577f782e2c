import type { SeamName } from '../envelope/seam-names.js';
import {
  AUDIT_ROW_PREFIX,
  ROW_EMITTED_AT_END,
  ROW_EMITTED_AT_SEPARATOR,
  ROW_EMITTED_AT_START,
  ROW_ID_END,
  ROW_SEAM_SEPARATOR,
  ROW_SEAM_START,
} from '../envelope/row-layout.js';
import { matchesAt } from './check-sink-row-bytes.js';

// Bytes of the first backwards step: a few hundred typical rows, one syscall.
const CHUNK_BYTES = 64 * 1024;
/** Later steps double up to this, so reading a whole file costs few syscalls and little memory. */
export const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * Called with each line of a backward scan that the header filter did not pass over, newest
 * first: the line is `bytes[from, to)` without its `\n` (`bytes` is null when the line is
 * longer than the limit), `lineStart` is its offset in the file, and `terminated` is false for
 * a last line with no `\n` after it. The bytes are valid only during the call. Returning true
 * stops the scan. Where a scanning thread worked them out: `plain` says whether the line holds
 * no backslash and no control character; `sinkRowSeam` is what `readSinkRowBytes` answered for
 * the line (null for undefined), and is undefined where the line was not checked.
 */
export type LineVisitor = (
  bytes: Buffer | null,
  from: number,
  to: number,
  lineStart: number,
  terminated: boolean,
  plain?: boolean,
  sinkRowSeam?: SeamName | null,
) => boolean;

/** Read up to `length` bytes at `position` into `buffer[0, length)`; resolves to the count read. */
export type ReadAt = (buffer: Buffer, length: number, position: number) => Promise<number>;

/** Which rows a scan may pass over by their fixed header alone. Plain data: it crosses to a worker. */
export interface HeaderFilterSpec {
  /** Wanted seam names; absent for any seam. */
  readonly seams?: readonly string[] | undefined;
  readonly sinceMs?: number | undefined;
  readonly untilMs?: number | undefined;
}

/** What one backward scan of `[0, end)` of a file does. */
export interface ScanLinesOptions {
  readonly read: ReadAt;
  readonly end: number;
  readonly maxLineBytes: number;
  /** Lines whose header shows they cannot match are passed over unseen; absent to visit all. */
  readonly filter: HeaderFilter | undefined;
  readonly visit: LineVisitor;
  /** Diagnostics: called with the byte count of every read from disk. */
  readonly onRead: (bytes: number) => void;
  /**
   * Stop at the first line boundary after reading this many bytes, leaving `[0, resumeEnd)`
   * unvisited (see {@link ScanState}); absent to scan to the start.
   */
  readonly budgetBytes?: number | undefined;
}

/** How a scan ended, for a caller that gave it a budget. */
export interface ScanState {
  /** Set when the budget ran out: `[0, resumeEnd)` is unvisited and ends with a `\n`. */
  resumeEnd: number | undefined;
}

// Full-size read buffers kept for the next read: a page-by-page walk over a large file
// would otherwise leave two MiB of garbage per page outside the heap, which the collector
// frees late (a 1 GiB walk grew by tens of MiB). Only this module touches them.
const spareChunkBuffers: Buffer[] = [];
const MAX_SPARE_CHUNK_BUFFERS = 4;

function takeChunkBuffer(size: number): Buffer {
  return (size === MAX_CHUNK_BYTES ? spareChunkBuffers.pop() : undefined) ?? Buffer.allocUnsafe(size);
}

function giveBackChunkBuffer(buffer: Buffer): void {
  if (buffer.length === MAX_CHUNK_BYTES && spareChunkBuffers.length < MAX_SPARE_CHUNK_BUFFERS) spareChunkBuffers.push(buffer);
}

/**
 * Visit the lines of `[0, end)` from last to first, yielding after each chunk read. Within a
 * chunk the lines are visited synchronously, so a line costs no promise, and a line the header
 * filter passes over costs no call. Chunks grow from 64 KiB to 1 MiB: the newest rows cost one
 * small read, and a long read makes few system calls. Lines over `maxLineBytes` are never held.
 */
export async function* scanLinesBackward(options: ScanLinesOptions, state?: ScanState): AsyncGenerator<void, void, undefined> {
  const { read, end, maxLineBytes, filter, visit, onRead } = options;
  // Only a caller that can take the rest over may set a budget.
  const budget = state === undefined ? Number.POSITIVE_INFINITY : (options.budgetBytes ?? Number.POSITIVE_INFINITY);
  if (state !== undefined) state.resumeEnd = undefined;
  if (end <= 0) return;
  // Two buffers: the next, older chunk is read (on libuv's thread pool) while this one is
  // visited, so a whole-file read waits on the disk only for its first chunk.
  let buffer = takeChunkBuffer(Math.min(MAX_CHUNK_BYTES, end));
  let spare = takeChunkBuffer(buffer.length);
  let view = viewOf(buffer);
  // Bytes of the current line found in later chunks, latest first.
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let oversized = false;
  let terminated = false;
  let position = end;
  let chunkBytes = CHUNK_BYTES;
  let bytesScanned = 0;

  // Visit a line whose head is `buffer[from, to)` and whose rest is in `tail`.
  const visitJoined = (from: number, to: number, lineStart: number): boolean => {
    const total = to - from + tailBytes;
    let stop: boolean;
    if (oversized || total > maxLineBytes) {
      stop = visit(null, 0, 0, lineStart, terminated);
    } else if (tailBytes === 0) {
      stop = visit(buffer, from, to, lineStart, terminated);
    } else {
      const joined = Buffer.concat([buffer.subarray(from, to), ...tail.reverse()], total);
      stop =
        terminated && filter !== undefined && canSkipByHeader(joined, viewOf(joined), 0, total, filter)
          ? false
          : visit(joined, 0, total, lineStart, terminated);
    }
    tail = [];
    tailBytes = 0;
    oversized = false;
    return stop;
  };

  /**
   * Visit the whole lines of `buffer[0, length)`, read from `chunkStart`. Returns true to
   * stop, or the offset in the buffer of the oldest line visited (-1 when none began here).
   */
  const visitChunk = (length: number, chunkStart: number): true | number => {
    let segmentEnd = length;
    let oldestStart = -1;
    while (segmentEnd > 0) {
      const newline = buffer.lastIndexOf(0x0a, segmentEnd - 1);
      if (newline === -1) break;
      const from = newline + 1;
      if (tailBytes === 0 && !oversized) {
        // The common case, inlined: a whole line inside this chunk, maybe passed over unseen.
        // An empty segment after the range's final `\n` is not a line.
        if (
          (terminated || from < segmentEnd) &&
          !(terminated && filter !== undefined && canSkipByHeader(buffer, view, from, segmentEnd, filter)) &&
          visit(buffer, from, segmentEnd, chunkStart + from, terminated)
        ) {
          return true;
        }
      } else if (visitJoined(from, segmentEnd, chunkStart + from)) {
        return true;
      }
      oldestStart = from;
      terminated = true;
      segmentEnd = newline;
    }
    if (segmentEnd > 0 && !oversized) {
      if (tailBytes + segmentEnd > maxLineBytes) {
        oversized = true;
        tail = [];
        tailBytes = 0;
      } else {
        tail.push(Buffer.from(buffer.subarray(0, segmentEnd)));
        tailBytes += segmentEnd;
      }
    }
    return oldestStart;
  };

  const readAhead = (into: Buffer): { length: number; read: Promise<number> } => {
    const length = Math.min(chunkBytes, position);
    chunkBytes = Math.min(chunkBytes * 2, MAX_CHUNK_BYTES);
    position -= length;
    return { length, read: read(into, length, position) };
  };
  let pending = readAhead(spare);
  try {
    for (;;) {
      const { length } = pending;
      const bytesRead = await pending.read;
      const chunkStart = position;
      [buffer, spare] = [spare, buffer];
      view = viewOf(buffer);
      bytesScanned += bytesRead;
      const outOfBudget = bytesScanned >= budget;
      if (chunkStart > 0 && !outOfBudget) pending = readAhead(spare);
      onRead(bytesRead);
      // A short read means the file was truncated under us; what is left is gone.
      if (bytesRead < length) return;
      const visited = visitChunk(length, chunkStart);
      if (visited === true) return;
      if (chunkStart === 0) break;
      if (outOfBudget) {
        if (visited !== -1 && state !== undefined) {
          // Hand the rest on at a line boundary: the partial line at this chunk's start is read again.
          state.resumeEnd = chunkStart + visited;
          return;
        }
        // No line began in this chunk: read on to the next boundary.
        pending = readAhead(spare);
      }
      yield;
    }
  } finally {
    // A read still in flight when the scan stops must settle before the caller closes the file.
    await pending.read.catch(() => undefined);
    giveBackChunkBuffer(buffer);
    giveBackChunkBuffer(spare);
  }
  if (terminated || tailBytes > 0 || oversized) visitJoined(0, 0, 0);
}

/**
 * What a line's fixed header must show for its row to be read in full: a seam, a time range.
 * Times are ISO strings as bytes, compared as strings: `emitted_at` is fixed-width, so string
 * order is time order.
 */
export interface HeaderFilter {
  /** Each wanted seam name followed by its closing quote, as bytes; undefined for any seam. */
  readonly seams: readonly Buffer[] | undefined;
  /** The bounds as big-endian words of their ISO strings, so four bytes compare at once. */
  readonly since: Uint32Array | undefined;
  readonly until: Uint32Array | undefined;
}

// The sink writes every row as `{"v":2,"id":"<36>","emitted_at":"<24>","seam":"<name>",…`.
const ROW_PREFIX_BYTES = Buffer.from(AUDIT_ROW_PREFIX);
const EMITTED_AT_SEPARATOR = Buffer.from(ROW_EMITTED_AT_SEPARATOR);
const SEAM_SEPARATOR = Buffer.from(ROW_SEAM_SEPARATOR);
// ISO strings of times outside years 0000-9999 are not fixed-width: such bounds are checked after parsing only.
const LAST_FIXED_WIDTH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

// The header's fixed bytes as little-endian words at their offsets, so a line is checked four
// bytes per read: the check runs on every line of a filtered whole-file read.
const PREFIX_0 = ROW_PREFIX_BYTES.readUInt32LE(0);
// Bytes 4–7 hold the version digit at byte 5 (bits 8–15 of the little-endian word): 1 or 2.
const VERSION_MASK = 0x0000ff00;
const PREFIX_4 = ROW_PREFIX_BYTES.readUInt32LE(4) & ~VERSION_MASK;
const VERSION_1_BITS = 0x31 << 8;
const VERSION_2_BITS = 0x32 << 8;
const PREFIX_8 = ROW_PREFIX_BYTES.readUInt32LE(8);
const PREFIX_12 = ROW_PREFIX_BYTES[12]!;
const AT_SEPARATOR_0 = EMITTED_AT_SEPARATOR.readUInt32LE(0);
const AT_SEPARATOR_4 = EMITTED_AT_SEPARATOR.readUInt32LE(4);
const AT_SEPARATOR_8 = EMITTED_AT_SEPARATOR.readUInt32LE(8);
const AT_SEPARATOR_12 = EMITTED_AT_SEPARATOR.readUInt32LE(12);
const SEAM_SEPARATOR_0 = SEAM_SEPARATOR.readUInt32LE(0);
const SEAM_SEPARATOR_4 = SEAM_SEPARATOR.readUInt32LE(4);
const SEAM_SEPARATOR_8 = SEAM_SEPARATOR.readUInt16LE(8);

/**
 * Whether `bytes[from, to)` begins with the header the sink writes: the row prefix, then
 * `","emitted_at":"` and `","seam":"` at their fixed offsets. `view` is {@link viewOf} `bytes`.
 */
function hasSinkHeader(view: DataView, from: number, to: number): boolean {
  return (
    to - from > ROW_SEAM_START &&
    view.getUint32(from, true) === PREFIX_0 &&
    isPrefixWord4(view.getUint32(from + 4, true)) &&
    view.getUint32(from + 8, true) === PREFIX_8 &&
    view.getUint8(from + 12) === PREFIX_12 &&
    view.getUint32(from + ROW_ID_END, true) === AT_SEPARATOR_0 &&
    view.getUint32(from + ROW_ID_END + 4, true) === AT_SEPARATOR_4 &&
    view.getUint32(from + ROW_ID_END + 8, true) === AT_SEPARATOR_8 &&
    view.getUint32(from + ROW_ID_END + 12, true) === AT_SEPARATOR_12 &&
    view.getUint32(from + ROW_EMITTED_AT_END, true) === SEAM_SEPARATOR_0 &&
    view.getUint32(from + ROW_EMITTED_AT_END + 4, true) === SEAM_SEPARATOR_4 &&
    view.getUint16(from + ROW_EMITTED_AT_END + 8, true) === SEAM_SEPARATOR_8
  );
}

/** The filter for a spec, or undefined when the spec filters nothing a header can show. */
export function makeHeaderFilter(spec: HeaderFilterSpec): HeaderFilter | undefined {
  const fixedWidth = (ms: number | undefined): Uint32Array | undefined => {
    if (ms === undefined || ms < 0 || ms > LAST_FIXED_WIDTH_MS) return undefined;
    const iso = Buffer.from(new Date(ms).toISOString());
    return Uint32Array.from({ length: iso.length / 4 }, (_, index) => iso.readUInt32BE(index * 4));
  };
  const filter: HeaderFilter = {
    seams: spec.seams === undefined ? undefined : spec.seams.map((name) => Buffer.from(`${name}"`)),
    since: fixedWidth(spec.sinceMs),
    until: fixedWidth(spec.untilMs),
  };
  return filter.seams === undefined && filter.since === undefined && filter.until === undefined ? undefined : filter;
}

/** A view of a whole buffer, for {@link canSkipByHeader}. */
function viewOf(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Whether the line `bytes[from, to)` is in the sink's layout and its header alone shows that
 * its row was emitted at or after `until` or is of another seam: such a line is passed over
 * without decoding or parsing it, which is what makes reading a whole file fast. `view` is
 * {@link viewOf} `bytes`.
 *
 * Exact for every row a JSON parser would accept as an envelope: a valid `id` and
 * `emitted_at` have no escapes, so in such a row they are exactly the bytes at their fixed
 * offsets, and a seam name is compared only when its bytes hold no escape. (A row repeating
 * the `seam` key is the one exception: JSON.parse keeps the last, this reads the first. The
 * sink never writes one.) A second row start in the line, a dead writer's torn head with a
 * whole row after it, sends the line to the full parse that recovers that row. Rows before
 * `since` are parsed: one of them is where reading stops.
 */
function canSkipByHeader(bytes: Buffer, view: DataView, from: number, to: number, filter: HeaderFilter): boolean {
  if (!hasSinkHeader(view, from, to)) return false;
  const atStart = from + ROW_EMITTED_AT_START;
  if (filter.since !== undefined && compareTime(view, atStart, filter.since) < 0) return false;
  let skip = filter.until !== undefined && compareTime(view, atStart, filter.until) >= 0;
  if (!skip && filter.seams !== undefined) {
    const seamStart = from + ROW_SEAM_START;
    for (const name of filter.seams) {
      if (matchesAt(bytes, seamStart, name)) return false;
    }
    // An escape in the name could spell a wanted seam: parse such a line.
    for (let index = seamStart; index < to && bytes[index] !== QUOTE; index += 1) {
      if (bytes[index] === BACKSLASH) return false;
    }
    skip = true;
  }
  if (!skip) return false;
  // Last, as the dearest check: a second row start means a glued row the full parse recovers.
  // Searching for its first byte and comparing the rest here is cheaper than Buffer#indexOf
  // with the whole prefix, whose setup costs more than the search on a line this short.
  for (let brace = bytes.indexOf(0x7b, from + 1); brace !== -1 && brace < to; brace = bytes.indexOf(0x7b, brace + 1)) {
    if (
      to - brace > 12 &&
      view.getUint32(brace, true) === PREFIX_0 &&
      isPrefixWord4(view.getUint32(brace + 4, true)) &&
      view.getUint32(brace + 8, true) === PREFIX_8
    ) {
      return false;
    }
  }
  return true;
}

/** Whether the row prefix's bytes 4–7, as a little-endian word, are those of a version a reader accepts. */
function isPrefixWord4(word: number): boolean {
  const version = word & VERSION_MASK;
  return (word & ~VERSION_MASK) === PREFIX_4 && (version === VERSION_1_BITS || version === VERSION_2_BITS);
}

/** Compare the 24 bytes at `offset` with a bound's words, as strings compare. */
function compareTime(view: DataView, offset: number, bound: Uint32Array): number {
  for (let index = 0; index < bound.length; index += 1) {
    const word = view.getUint32(offset + index * 4, false);
    const expected = bound[index]!;
    if (word !== expected) return word < expected ? -1 : 1;
  }
  return 0;
}
