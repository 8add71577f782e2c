import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { AUDIT_ROW_PREFIX, auditEnvelope } from '../envelope/audit-envelope.js';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
import { parseReadFilters } from './parse-read-filters.js';
import type { ReadFilters } from './parse-read-filters.js';

// Bytes of the first backwards step: a few hundred typical rows, one syscall.
const CHUNK_BYTES = 64 * 1024;
// Later steps double up to this, so reading a whole file costs few syscalls and little memory.
const MAX_CHUNK_BYTES = 1024 * 1024;
// The sink accepts rows up to 16 MiB (KORA_AUDIT_MAX_ROW_BYTES); anything longer is not ours.
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/**
 * Rows are appended in time order, but concurrent writers' clocks and a row's make-to-write
 * delay can put a slightly older row after a newer one. Reading backwards stops only at a
 * row older than `since` by more than this, so rows up to this much out of order are kept.
 */
const SINCE_SLACK_MS = 5_000;
// How far `path.N` is searched for rotated siblings; the first missing one ends the search.
const MAX_SIBLINGS = 1_000;
// The id is written near the start of a row; a cursor's row is recognised within this window.
const ANCHOR_WINDOW_BYTES = 4 * 1024;

/** What {@link readAuditEntries} reads and which rows it returns. */
export interface ReadAuditEntriesOptions extends ReadFilters {
  /** The live audit file; rotated siblings `path.1`, `path.2`, … are read after it. */
  readonly path: string;
  /** The `cursor` of the previous page, to continue with older rows. */
  readonly cursor?: string | null | undefined;
  /** Lines longer than this many bytes are skipped as malformed (default 16 MiB). */
  readonly maxLineBytes?: number | undefined;
  /** Diagnostics: called with the byte count of every read from disk. */
  readonly onRead?: ((bytes: number) => void) | undefined;
  /**
   * Also return the JSON text each entry was parsed from (`lines`), for callers that print
   * rows: printing the validated text as read saves serializing every row again.
   */
  readonly withLines?: boolean | undefined;
}

/** Lines the reader passed over, by kind. */
export interface ReadSkipCounts {
  /** Empty or whitespace-only lines. */
  blank: number;
  /** Lines that are not JSON, not a JSON object, or longer than `maxLineBytes`. */
  malformed: number;
  /** A file's last line without its `\n`: a writer is mid-write or crashed. */
  torn: number;
  /** JSON objects that fail the strict envelope schema. */
  invalid: number;
}

/** One page of rows. */
export interface ReadAuditEntriesResult {
  /** Matching rows, newest first. */
  entries: AuditEnvelope[];
  /**
   * Pass as `cursor` for the next, older page; null once nothing older is left (or, with
   * `since`, nothing older can match). The last page before null may be empty.
   */
  cursor: string | null;
  /** Lines read in full and skipped while reading this page. */
  skipped: ReadSkipCounts;
  /**
   * With `withLines`: for each entry, the JSON text it was parsed from (without its `\n`).
   * `JSON.parse` of it gives the entry, which passed the envelope schema.
   */
  lines?: string[];
}

// The cursor's content. Opaque to callers; parsed at the edge because it comes back from them.
const cursorState = z.strictObject({
  v: z.literal(1),
  /** Sibling index when the cursor was made: 0 is the live file, N is `path.N`. */
  file: z.number().int().min(0).max(MAX_SIBLINGS),
  /** Byte offset of the oldest returned row: reading continues with the lines before it. */
  offset: z.number().int().min(0),
  /** The file's device and inode, to find it again after rename rotation. */
  dev: z.string().regex(/^\d{1,40}$/),
  ino: z.string().regex(/^\d{1,40}$/),
  /** The oldest returned row, to recognise the position and to resume if the file is gone. */
  at: z.string().max(64),
  id: z.string().max(64),
});
type CursorState = z.infer<typeof cursorState>;

interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
}

interface OpenAuditFile {
  readonly handle: FileHandle;
  readonly identity: FileIdentity;
  readonly size: number;
}

/** Where a page starts: a sibling index, an offset (undefined = its end), an optional resume boundary. */
interface StartPoint {
  readonly index: number;
  readonly offset: number | undefined;
  readonly identity: FileIdentity | undefined;
  /** Set when the cursor's file could not be found: skip rows not older than this row. */
  readonly boundary: { readonly at: string; readonly id: string } | undefined;
}

/**
 * Read audit rows newest first, one page at a time.
 *
 * The file is read backwards in chunks growing from 64 KiB to 1 MiB, so the newest N rows
 * cost O(N), not O(file size), and a whole file costs few reads; a line whose fixed header
 * (as the sink writes it) shows another seam or a time at or after `until` is passed over
 * without being parsed or counted, so a filtered read of a whole file is fast; when the live file is exhausted, reading continues into the rotated siblings
 * `path.1`, `path.2`, … (plain files only; `.gz` and other names are not read, and the
 * first missing index ends the chain). Blank, malformed, torn and schema-invalid lines are
 * skipped and counted. With `since`, reading stops at the first row older than `since` by
 * more than 5 s, the allowance for writers' clock skew.
 *
 * The cursor records the file's identity (device and inode) and a byte offset, and the id
 * of the oldest returned row found there; after rename rotation the file is found again by
 * inode. If it is gone or was rewritten (`copytruncate`), reading restarts at the live file
 * and skips rows not older than that row, by `(emitted_at, id)`.
 *
 * A missing file is an empty result. Rejects on bad options, a bad cursor, or a path that
 * is a directory or cannot be read.
 */
export async function readAuditEntries(options: ReadAuditEntriesOptions): Promise<ReadAuditEntriesResult> {
  const { path } = options;
  if (typeof path !== 'string' || path === '') throw new TypeError('readAuditEntries: path must be a non-empty string');
  const { seams, sinceMs, untilMs, limit } = parseReadFilters('readAuditEntries', options);
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new RangeError('readAuditEntries: maxLineBytes must be a positive integer');
  }
  const onRead = options.onRead ?? (() => undefined);
  const headerFilter = makeHeaderFilter(seams, sinceMs, untilMs);
  const previous = options.cursor == null ? undefined : decodeCursor(options.cursor);

  const entries: AuditEnvelope[] = [];
  const lines: string[] | undefined = options.withLines === true ? [] : undefined;
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let start: StartPoint = previous === undefined ? fromTop() : await resolveCursor(path, previous, onRead);
  // Files already read in this call, so a rotation during the call cannot make us read one twice.
  const visited = new Set<string>();

  let index = start.index;
  // The cursor's offset applies to the first file read only.
  let pendingOffset = start.offset;
  let resolutions = 1;
  while (index <= MAX_SIBLINGS) {
    const file = await openAuditFile(siblingPath(path, index));
    if (file === null) {
      // The live file may be missing between a rename rotation and the next write.
      if (index === 0) {
        index = 1;
        continue;
      }
      break;
    }
    const key = identityKey(file.identity);
    let stopped = undefined as 'limit' | 'since' | undefined;
    let lastStart = 0;
    try {
      if (visited.has(key)) {
        index += 1;
        continue;
      }
      visited.add(key);
      let end = file.size;
      if (pendingOffset !== undefined && previous !== undefined) {
        if (start.identity !== undefined && identityKey(start.identity) !== key) {
          // Rotated between resolving the cursor and opening the file: resolve it again.
          start = resolutions < 3 ? await resolveCursor(path, previous, onRead) : resumeByTime(previous);
          resolutions += 1;
          index = start.index;
          pendingOffset = start.offset;
          visited.delete(key);
          continue;
        }
        end = Math.min(pendingOffset, file.size);
      }
      pendingOffset = undefined;
      const fromEnd = end === file.size;
      const visit: LineVisitor = (bytes, from, to, lineStart, terminated) => {
        if (!terminated) {
          // Only the very end of a file can lack its newline; elsewhere the range ends at a row start.
          if (fromEnd) skipped.torn += 1;
          return false;
        }
        // A resumed page compares whole rows with its boundary, so it reads every line in full.
        if (bytes !== null && start.boundary === undefined && headerFilter !== undefined && canSkipByHeader(bytes, from, to, headerFilter)) {
          return false;
        }
        const parsedLine = parseLine(bytes === null ? null : bytes.toString('utf8', from, to), skipped);
        if (parsedLine === undefined) return false;
        const { entry } = parsedLine;
        const at = Date.parse(entry.emitted_at);
        if (Number.isNaN(at)) {
          skipped.invalid += 1;
          return false;
        }
        if (start.boundary !== undefined && compareRow(entry, start.boundary) >= 0) return false;
        if (sinceMs !== undefined && at < sinceMs) {
          if (at < sinceMs - SINCE_SLACK_MS) {
            stopped = 'since';
            return true;
          }
          return false;
        }
        if (untilMs !== undefined && at >= untilMs) return false;
        if (seams !== undefined && !seams.has(entry.seam)) return false;
        entries.push(entry);
        lines?.push(parsedLine.text);
        if (entries.length >= limit) {
          stopped = 'limit';
          lastStart = lineStart;
          return true;
        }
        return false;
      };
      await readLinesBackward(file.handle, end, maxLineBytes, onRead, visit);
    } finally {
      await file.handle.close();
    }

    if (stopped === 'since') return withText({ entries, cursor: null, skipped }, lines);
    if (stopped === 'limit') {
      const oldest = entries[entries.length - 1];
      // At the very start of the last file there is nothing older to page to.
      if (oldest === undefined || (lastStart === 0 && (await statFile(siblingPath(path, index + 1))) === null)) {
        return withText({ entries, cursor: null, skipped }, lines);
      }
      const cursor = encodeCursor({
        v: 1,
        file: index,
        offset: lastStart,
        dev: file.identity.dev,
        ino: file.identity.ino,
        at: oldest.emitted_at,
        id: oldest.id,
      });
      return withText({ entries, cursor, skipped }, lines);
    }
    // Exhausted: the next older file follows wherever this one is now (it may have been rotated).
    const located = await locateFile(path, file.identity, index);
    index = (located?.index ?? index) + 1;
  }
  return withText({ entries, cursor: null, skipped }, lines);
}

function fromTop(): StartPoint {
  return { index: 0, offset: undefined, identity: undefined, boundary: undefined };
}

/** Parse one line into an envelope, counting it in `skipped` when it is not one. */
/** A page's result, with the entries' texts when they were asked for. */
function withText(result: ReadAuditEntriesResult, lines: string[] | undefined): ReadAuditEntriesResult {
  return lines === undefined ? result : { ...result, lines };
}

/** A row parsed and validated from one line, and the text it was parsed from. */
interface ParsedLine {
  readonly entry: AuditEnvelope;
  readonly text: string;
}

function parseLine(text: string | null, skipped: ReadSkipCounts): ParsedLine | undefined {
  if (text === null) {
    skipped.malformed += 1;
    return undefined;
  }
  // A row starts with `{`: only other lines need the trim, which copies the line.
  if (text.charCodeAt(0) !== 0x7b && text.trim() === '') {
    skipped.blank += 1;
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    skipped.malformed += 1;
    // A writer that died mid-row leaves a torn head; another writer's next row then follows
    // it on the same line. Keep that row: its emit was acknowledged.
    const rowStart = text.lastIndexOf(AUDIT_ROW_PREFIX);
    return rowStart > 0 ? parseLine(text.slice(rowStart), skipped) : undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    skipped.malformed += 1;
    return undefined;
  }
  // A row as the sink writes it passes the hand check; anything else gets the schema's word.
  if (isAuditEnvelope(value)) return { entry: value, text };
  const parsed = auditEnvelope.safeParse(value);
  if (!parsed.success) {
    skipped.invalid += 1;
    return undefined;
  }
  return { entry: parsed.data, text };
}

/**
 * Called with each line of a backward read, newest first: the line is `bytes[from, to)`
 * without its `\n` (`bytes` is null when the line is longer than the limit), `lineStart` is
 * its offset in the file, and `terminated` is false for a last line with no `\n` after it.
 * The bytes are valid only during the call. Returning true stops the read.
 */
type LineVisitor = (bytes: Buffer | null, from: number, to: number, lineStart: number, terminated: boolean) => boolean;

/**
 * Visit the lines of `[0, end)` from last to first, synchronously within each chunk read, so
 * a line costs no promise. Chunks grow from 64 KiB to 1 MiB: the newest rows cost one small
 * read, and a long read makes few system calls. Lines over `maxLineBytes` are never held.
 */
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

async function readLinesBackward(
  handle: FileHandle,
  end: number,
  maxLineBytes: number,
  onRead: (bytes: number) => void,
  visit: LineVisitor,
): Promise<void> {
  if (end <= 0) return;
  // Two buffers: the next, older chunk is read (on libuv's thread pool) while this one is
  // visited, so a whole-file read waits on the disk only for its first chunk.
  let buffer = takeChunkBuffer(Math.min(MAX_CHUNK_BYTES, end));
  let spare = takeChunkBuffer(buffer.length);
  // Bytes of the current line found in later chunks, latest first.
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let oversized = false;
  let terminated = false;
  let position = end;
  let chunkBytes = CHUNK_BYTES;

  // Visit a line whose head is `buffer[from, to)` and whose rest is in `tail`.
  const visitJoined = (from: number, to: number, lineStart: number): boolean => {
    const total = to - from + tailBytes;
    let stop: boolean;
    if (oversized || total > maxLineBytes) stop = visit(null, 0, 0, lineStart, terminated);
    else if (tailBytes === 0) stop = visit(buffer, from, to, lineStart, terminated);
    else stop = visit(Buffer.concat([buffer.subarray(from, to), ...tail.reverse()], total), 0, total, lineStart, terminated);
    tail = [];
    tailBytes = 0;
    oversized = false;
    return stop;
  };

  const readAhead = (into: Buffer): { length: number; read: Promise<{ bytesRead: number }> } => {
    const length = Math.min(chunkBytes, position);
    chunkBytes = Math.min(chunkBytes * 2, MAX_CHUNK_BYTES);
    position -= length;
    return { length, read: handle.read(into, 0, length, position) };
  };
  let pending = readAhead(spare);
  try {
    for (;;) {
      const { length, read } = pending;
      const { bytesRead } = await read;
      const chunkStart = position;
      [buffer, spare] = [spare, buffer];
      if (chunkStart > 0) pending = readAhead(spare);
      onRead(bytesRead);
      // A short read means the file was truncated under us; what is left is gone.
      if (bytesRead < length) return;
      if (visitChunk(length, chunkStart)) return;
      if (chunkStart === 0) break;
    }
  } finally {
    // A read still in flight when a page is full must settle before the handle closes.
    await pending.read.catch(() => undefined);
    giveBackChunkBuffer(buffer);
    giveBackChunkBuffer(spare);
  }
  if (terminated || tailBytes > 0 || oversized) visitJoined(0, 0, 0);

  /** Visit the whole lines of `buffer[0, length)`, read from `chunkStart`; true to stop. */
  function visitChunk(length: number, chunkStart: number): boolean {
    let segmentEnd = length;
    while (segmentEnd > 0) {
      const newline = buffer.lastIndexOf(0x0a, segmentEnd - 1);
      if (newline === -1) break;
      // An empty segment after the range's final `\n` is not a line.
      if (terminated || newline + 1 < segmentEnd || tailBytes > 0 || oversized) {
        if (visitJoined(newline + 1, segmentEnd, chunkStart + newline + 1)) return true;
      }
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
    return false;
  }
}

/**
 * What a line's fixed header must show for its row to be read in full: a seam, a time range.
 * Times are ISO strings as bytes, compared as strings: `emitted_at` is fixed-width, so string
 * order is time order.
 */
interface HeaderFilter {
  /** Each wanted seam name followed by its closing quote, as bytes; undefined for any seam. */
  readonly seams: readonly Buffer[] | undefined;
  readonly since: Buffer | undefined;
  readonly until: Buffer | undefined;
}

// The sink writes every row as `{"v":1,"id":"<36>","emitted_at":"<24>","seam":"<name>",…`.
const ROW_PREFIX_BYTES = Buffer.from(AUDIT_ROW_PREFIX);
const ID_END = ROW_PREFIX_BYTES.length + 36;
const EMITTED_AT_SEPARATOR = Buffer.from('","emitted_at":"');
const EMITTED_AT_START = ID_END + EMITTED_AT_SEPARATOR.length;
const EMITTED_AT_END = EMITTED_AT_START + 24;
const SEAM_SEPARATOR = Buffer.from('","seam":"');
const SEAM_START = EMITTED_AT_END + SEAM_SEPARATOR.length;
// ISO strings of times outside years 0000-9999 are not fixed-width: such bounds are checked after parsing only.
const LAST_FIXED_WIDTH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function makeHeaderFilter(seams: ReadonlySet<string> | undefined, sinceMs: number | undefined, untilMs: number | undefined): HeaderFilter | undefined {
  const fixedWidth = (ms: number | undefined): Buffer | undefined =>
    ms !== undefined && ms >= 0 && ms <= LAST_FIXED_WIDTH_MS ? Buffer.from(new Date(ms).toISOString()) : undefined;
  const filter: HeaderFilter = {
    seams: seams === undefined ? undefined : [...seams].map((name) => Buffer.from(`${name}"`)),
    since: fixedWidth(sinceMs),
    until: fixedWidth(untilMs),
  };
  return filter.seams === undefined && filter.since === undefined && filter.until === undefined ? undefined : filter;
}

function matchesAt(bytes: Buffer, offset: number, expected: Buffer): boolean {
  for (let index = 0; index < expected.length; index += 1) {
    if (bytes[offset + index] !== expected[index]) return false;
  }
  return true;
}

/**
 * Whether the line `bytes[from, to)` is in the sink's layout and its header alone shows that
 * its row was emitted at or after `until` or is of another seam: such a line is passed over
 * without decoding or parsing it, which is what makes reading a whole file fast.
 *
 * Exact for every row a JSON parser would accept as an envelope: a valid `id` and
 * `emitted_at` have no escapes, so in such a row they are exactly the bytes at their fixed
 * offsets, and a seam name is compared only when its bytes hold no escape. (A row repeating
 * the `seam` key is the one exception: JSON.parse keeps the last, this reads the first. The
 * sink never writes one.) A second row start in the line, a dead writer's torn head with a
 * whole row after it, sends the line to the full parse that recovers that row. Rows before
 * `since` are parsed: one of them is where reading stops.
 */
function canSkipByHeader(bytes: Buffer, from: number, to: number, filter: HeaderFilter): boolean {
  if (
    to - from <= SEAM_START ||
    !matchesAt(bytes, from, ROW_PREFIX_BYTES) ||
    !matchesAt(bytes, from + ID_END, EMITTED_AT_SEPARATOR) ||
    !matchesAt(bytes, from + EMITTED_AT_END, SEAM_SEPARATOR)
  ) {
    return false;
  }
  const glued = bytes.indexOf(ROW_PREFIX_BYTES, from + 1);
  if (glued !== -1 && glued < to) return false;
  const atStart = from + EMITTED_AT_START;
  if (filter.since !== undefined && compareAt(bytes, atStart, filter.since) < 0) return false;
  if (filter.until !== undefined && compareAt(bytes, atStart, filter.until) >= 0) return true;
  if (filter.seams === undefined) return false;
  const seamStart = from + SEAM_START;
  for (const name of filter.seams) {
    if (matchesAt(bytes, seamStart, name)) return false;
  }
  // An escape in the name could spell a wanted seam: parse such a line.
  for (let index = seamStart; index < to && bytes[index] !== QUOTE; index += 1) {
    if (bytes[index] === BACKSLASH) return false;
  }
  return true;
}

/** Compare the bytes at `offset` with the ASCII string `expected`, as strings compare. */
function compareAt(bytes: Buffer, offset: number, expected: Buffer): number {
  for (let index = 0; index < expected.length; index += 1) {
    const difference = (bytes[offset + index] ?? -1) - (expected[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function siblingPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

function identityKey(identity: FileIdentity): string {
  return `${identity.dev}:${identity.ino}`;
}

function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** Stat a path: null when missing; rejects when it exists but is not a regular file. */
async function statFile(path: string): Promise<{ identity: FileIdentity; size: number } | null> {
  let stats;
  try {
    stats = await stat(path, { bigint: true });
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ENOENT') return null;
    throw new Error(`readAuditEntries: cannot read ${path}: ${describeError(error)}`, { cause: error });
  }
  if (!stats.isFile()) {
    throw new Error(`readAuditEntries: ${path} is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}, not an audit log file`);
  }
  return { identity: { dev: String(stats.dev), ino: String(stats.ino) }, size: Number(stats.size) };
}

/** Open a path for reading: null when missing; rejects on a directory or an unreadable file. */
async function openAuditFile(path: string): Promise<OpenAuditFile | null> {
  // Stat first: opening a FIFO would block and opening a directory would succeed.
  if ((await statFile(path)) === null) return null;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ENOENT') return null;
    throw new Error(`readAuditEntries: cannot read ${path}: ${describeError(error)}`, { cause: error });
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new Error(`readAuditEntries: ${path} is not a regular file, not an audit log file`);
    return { handle, identity: { dev: String(stats.dev), ino: String(stats.ino) }, size: Number(stats.size) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Find which sibling index a file has now, trying `hint` first. */
async function locateFile(
  path: string,
  identity: FileIdentity,
  hint: number,
): Promise<{ index: number; size: number } | null> {
  const key = identityKey(identity);
  const atHint = await statFile(siblingPath(path, hint));
  if (atHint !== null && identityKey(atHint.identity) === key) return { index: hint, size: atHint.size };
  for (let index = 0; index <= MAX_SIBLINGS; index += 1) {
    if (index === hint) continue;
    const found = await statFile(siblingPath(path, index));
    if (found === null) {
      if (index === 0) continue;
      break;
    }
    if (identityKey(found.identity) === key) return { index, size: found.size };
  }
  return null;
}

/** Where the cursor's page ends now: the same bytes, found by inode, or a time boundary. */
async function resolveCursor(path: string, cursor: CursorState, onRead: (bytes: number) => void): Promise<StartPoint> {
  const identity = { dev: cursor.dev, ino: cursor.ino };
  const located = await locateFile(path, identity, cursor.file);
  if (located !== null && located.size >= cursor.offset && (await anchorMatches(siblingPath(path, located.index), cursor, onRead))) {
    return { index: located.index, offset: cursor.offset, identity, boundary: undefined };
  }
  // Deleted, compressed, or rewritten in place (copytruncate): resume by time instead.
  return resumeByTime(cursor);
}

function resumeByTime(cursor: CursorState): StartPoint {
  return { index: 0, offset: undefined, identity: undefined, boundary: { at: cursor.at, id: cursor.id } };
}

/** Whether the row at the cursor's offset is still the cursor's row. */
async function anchorMatches(path: string, cursor: CursorState, onRead: (bytes: number) => void): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const window = Buffer.alloc(ANCHOR_WINDOW_BYTES);
    const { bytesRead } = await handle.read(window, 0, window.length, cursor.offset);
    onRead(bytesRead);
    const text = window.subarray(0, bytesRead).toString('utf8');
    const lineEnd = text.indexOf('\n');
    const line = lineEnd === -1 ? text : text.slice(0, lineEnd);
    return line.includes(`"id":"${cursor.id}"`) || line.includes(`"id": "${cursor.id}"`);
  } finally {
    await handle.close();
  }
}

/** Order rows by `(emitted_at, id)`: both are fixed-width, so string order is time order. */
function compareRow(row: { emitted_at: string; id: string }, boundary: { at: string; id: string }): number {
  if (row.emitted_at !== boundary.at) return row.emitted_at < boundary.at ? -1 : 1;
  if (row.id === boundary.id) return 0;
  return row.id < boundary.id ? -1 : 1;
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): CursorState {
  let value: unknown;
  try {
    value = typeof cursor === 'string' ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  const parsed = cursorState.safeParse(value);
  if (!parsed.success) {
    throw new TypeError('readAuditEntries: invalid cursor (pass back the cursor of a previous page unchanged)');
  }
  return parsed.data;
}

