import type { FileHandle } from 'node:fs/promises';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import type { SeamName } from '../envelope/seam-names.js';
import { escapeJsonControls } from '../format/escape-json-controls.js';
import { ROW_EMITTED_AT_END, ROW_EMITTED_AT_START, ROW_ID_END, ROW_ID_START } from '../envelope/row-layout.js';
import { MAX_SIBLINGS, locateInChain, openChainFile, sameIdentity, statChainFile } from './audit-file-chain.js';
import type { FileIdentity } from './audit-file-chain.js';
import { classifyAuditLineNow } from './classify-audit-line.js';
import { parseReadFilters } from './parse-read-filters.js';
import type { ReadFilters } from './parse-read-filters.js';
import { readSinkRowSeam } from './check-sink-row.js';
import { readSinkRowBytes } from './check-sink-row-bytes.js';
import { loadEnvelopeSchema } from './load-envelope-schema.js';
import { encodeOpaqueCursor } from './opaque-cursor.js';
import type { CursorState } from './reader-cursor.js';
import { makeHeaderFilter, scanLinesBackward } from './scan-lines-backward.js';
import type { HeaderFilterSpec, LineVisitor, ScanState } from './scan-lines-backward.js';
import { ScanThread, ScanThreadUnavailable } from './scan-thread.js';

// The sink accepts rows up to 16 MiB (KORA_AUDIT_MAX_ROW_BYTES); anything longer is not ours.
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/**
 * Bytes a read takes on its own before a worker thread scans the rest of a file: a page of
 * the newest rows never starts a thread (that costs tens of milliseconds), a long read soon does.
 */
const DEFAULT_OFFLOAD_AFTER_BYTES = 16 * 1024 * 1024;
/**
 * Rows are appended in time order, but concurrent writers' clocks and a row's make-to-write
 * delay can put a slightly older row after a newer one. Reading backwards stops only at a
 * row older than `since` by more than this, so rows up to this much out of order are kept.
 */
const SINCE_SLACK_MS = 5_000;
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
  /**
   * Bytes read on the calling thread before a worker thread reads the rest of a file and
   * passes over the lines that cannot match, while the calling thread checks the others
   * (default 16 MiB; `Infinity` for never). The rows returned are the same either way.
   */
  readonly offloadAfterBytes?: number | undefined;
  /**
   * Also return `liveEnd`: where in the live file the rows not read by this page begin, for a
   * caller that goes on to follow the file (`tail -f`).
   */
  readonly withLiveEnd?: boolean | undefined;
}

/** What {@link streamAuditEntries} reads: the options of {@link readAuditEntries} but a page size. */
export type StreamAuditEntriesOptions = Omit<ReadAuditEntriesOptions, 'limit' | 'withLiveEnd'>;

/** A place in the live audit file, and which file that was. */
export interface LiveFileEnd {
  readonly identity: FileIdentity;
  /** A byte offset in it: the start of a line. */
  readonly offset: number;
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
  /**
   * With `withLiveEnd`: the end of the last complete line of the live file when the read
   * began (a torn last line, still being written, comes after it), and that file's identity.
   * Every row after it is newer than the page's rows in file order. Null when the page did not
   * start at the live file's end (a cursor was given, or there was no live file).
   */
  liveEnd?: LiveFileEnd | null;
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
 * cost O(N), not O(file size), and a whole file costs few reads. A line whose fixed header
 * (as the sink writes it) shows another seam or a time at or after `until` is passed over
 * without being parsed or counted, so a filtered read of a whole file is fast. When the
 * live file is exhausted, reading continues into the rotated
 * siblings `path.1`, `path.2`, … (plain files only; `.gz` and other names are not read, and
 * the first missing index ends the chain). Blank, malformed, torn and schema-invalid lines
 * are skipped and counted. With `since`, reading stops at the first row older than `since`
 * by more than 5 s, the allowance for writers' clock skew.
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
  const { limit } = parseReadFilters('readAuditEntries', options);
  const entries: AuditEnvelope[] = [];
  const lines: string[] | undefined = options.withLines === true ? [] : undefined;
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let cursor: string | null = null;
  const liveEnd: { value: LiveFileEnd | null } = { value: null };
  for await (const batch of readBatches('readAuditEntries', options, limit, 'entries', liveEnd)) {
    entries.push(...batch.entries);
    if (batch.lines !== undefined) lines?.push(...batch.lines);
    addSkipCounts(skipped, batch.skipped);
    cursor = batch.cursor;
  }
  const result = withText({ entries, cursor, skipped }, lines);
  return options.withLiveEnd === true ? { ...result, liveEnd: liveEnd.value } : result;
}

/**
 * Every matching row, newest first, as a stream of batches in bounded memory: the rows
 * {@link readAuditEntries} returns page by page, in one read that keeps its place in the file
 * (a batch is about what one chunk of the file held). Each batch's `cursor` continues after
 * it, so a reader that stops early can resume with {@link readAuditEntries}; the last batch's
 * cursor is null. Breaking out of the loop closes the file.
 *
 * Rejects (on the first `next()`) as {@link readAuditEntries} does.
 */
export async function* streamAuditEntries(options: StreamAuditEntriesOptions): AsyncGenerator<ReadAuditEntriesResult, void, undefined> {
  if ((options as { limit?: unknown }).limit !== undefined) throw new TypeError('streamAuditEntries: limit does not apply to a stream');
  yield* readBatches('streamAuditEntries', options, Number.POSITIVE_INFINITY, 'entries');
}

/** One batch of {@link streamAuditLines}. */
export interface AuditLinesBatch {
  /** The matching rows' JSON text, newest first, each as read (without its `\n`). */
  lines: string[];
  /** Lines read in full and skipped while reading this batch. */
  skipped: ReadSkipCounts;
  /** Continues after this batch with {@link readAuditEntries}; null after the last. */
  cursor: string | null;
}

/**
 * Every matching row's text, newest first, as {@link streamAuditEntries} reads it but
 * without handing out parsed rows: for printers and shippers. Each text passed the same
 * checks (JSON, the strict envelope schema, the filters). Because no row object is needed,
 * a row in the sink's own layout is checked in place instead of parsed, several times faster.
 */
export async function* streamAuditLines(options: StreamAuditEntriesOptions): AsyncGenerator<AuditLinesBatch, void, undefined> {
  if ((options as { limit?: unknown }).limit !== undefined) throw new TypeError('streamAuditLines: limit does not apply to a stream');
  for await (const batch of readBatches('streamAuditLines', options, Number.POSITIVE_INFINITY, 'lines')) {
    yield { lines: batch.lines ?? [], skipped: batch.skipped, cursor: batch.cursor };
  }
}

/** One batch of {@link streamAuditJsonl}. */
export interface AuditJsonlBatch {
  /** The matching rows, newest first, as JSON lines, each ending in `\n`. */
  jsonl: Buffer;
  /** How many rows `jsonl` holds. */
  rows: number;
  /** Lines read in full and skipped while reading this batch. */
  skipped: ReadSkipCounts;
  /** Continues after this batch with {@link readAuditEntries}; null after the last. */
  cursor: string | null;
}

/**
 * Every matching row as JSON lines ready to print, newest first: the rows
 * {@link streamAuditLines} gives, as bytes. A row in the sink's own layout and in plain ASCII
 * (nearly every row) is checked on its bytes and copied as read, never decoded. Any other
 * row is its text as read, but one holding a tab or carriage return (JSON whitespace) is
 * written compactly instead, so that every line is one row and nothing else, and a DEL, C1
 * control, U+2028, U+2029 or bidi control left raw in the file is written as its `\uXXXX`
 * escape, so that no row can drive the terminal it is printed on. Each line parses to the row.
 */
export async function* streamAuditJsonl(options: StreamAuditEntriesOptions): AsyncGenerator<AuditJsonlBatch, void, undefined> {
  if ((options as { limit?: unknown }).limit !== undefined) throw new TypeError('streamAuditJsonl: limit does not apply to a stream');
  for await (const batch of readBatches('streamAuditJsonl', { ...options, withLines: false }, Number.POSITIVE_INFINITY, 'jsonl')) {
    yield { jsonl: batch.jsonl ?? Buffer.alloc(0), rows: batch.rows ?? 0, skipped: batch.skipped, cursor: batch.cursor };
  }
}

/** A row read from one line: its header fields, its text or entry where it was decoded, where it starts. */
interface LineRow {
  readonly text?: string;
  readonly emittedAt: string;
  readonly id: string;
  readonly seam: SeamName;
  readonly entry?: AuditEnvelope;
  /** Its byte offset: its line's start, or past the torn head it was glued after. */
  readonly start: number;
}

/**
 * Where a read puts the rows it returns, one kind per public reader: parsed entries (and
 * their text), texts, or JSON lines. It says how far a row must be decoded for it.
 */
interface RowCollector {
  /** Rows are wanted as bytes: one in the sink's layout and plain ASCII is never decoded. */
  readonly byBytes: boolean;
  /** Rows are wanted as text: one in the sink's layout is checked in place, not parsed. */
  readonly byText: boolean;
  /** Add a row that matched; `bytes[from, to)` is its line. */
  add(row: LineRow, bytes: Buffer | null, from: number, to: number): void;
  /** Move the rows added so far into `batch`. */
  takeInto(batch: ReadBatch): void;
}

/** Parsed rows, and with `withLines` the text of each. */
class EntryCollector implements RowCollector {
  readonly byBytes = false;
  readonly byText = false;
  private entries: AuditEnvelope[] = [];
  private lines: string[] = [];

  constructor(private readonly withLines: boolean) {}

  add(row: LineRow): void {
    // Rows for entries are always parsed, so they have both.
    this.entries.push(row.entry!);
    if (this.withLines) this.lines.push(row.text!);
  }

  takeInto(batch: ReadBatch): void {
    batch.entries = this.entries;
    if (this.withLines) batch.lines = this.lines;
    this.entries = [];
    this.lines = [];
  }
}

/** The rows' texts only. */
class LineCollector implements RowCollector {
  readonly byBytes = false;
  readonly byText = true;
  private lines: string[] = [];

  add(row: LineRow): void {
    this.lines.push(row.text!);
  }

  takeInto(batch: ReadBatch): void {
    batch.lines = this.lines;
    this.lines = [];
  }
}

/** The rows of one batch as JSON lines: bytes copied as read, or a row's text encoded. */
class JsonlBlock implements RowCollector {
  readonly byBytes = true;
  readonly byText = true;
  private static readonly INITIAL_BYTES = 64 * 1024;
  private buffer = Buffer.allocUnsafe(JsonlBlock.INITIAL_BYTES);
  private used = 0;
  rows = 0;

  /** Add the row `source[from, to)`, which is exactly its text in UTF-8. */
  addBytes(source: Buffer, from: number, to: number): void {
    this.reserve(to - from + 1);
    this.used += source.copy(this.buffer, this.used, from, to);
    this.buffer[this.used] = 0x0a;
    this.used += 1;
    this.rows += 1;
  }

  /**
   * Add a row's JSON text: as it is, or compactly when it holds a tab or carriage return; and
   * with any raw C1 or bidi control escaped, as a hand that was not the sink's may have left it.
   */
  addText(text: string): void {
    const line = escapeJsonControls(text.includes('\t') || text.includes('\r') ? JSON.stringify(JSON.parse(text)) : text);
    this.reserve(Buffer.byteLength(line, 'utf8') + 1);
    this.used += this.buffer.write(line, this.used, 'utf8');
    this.buffer[this.used] = 0x0a;
    this.used += 1;
    this.rows += 1;
  }

  add(row: LineRow, bytes: Buffer | null, from: number, to: number): void {
    if (row.text !== undefined) this.addText(row.text);
    // Checked on its bytes: copied as read.
    else if (bytes !== null) this.addBytes(bytes, from, to);
  }

  /** The rows added since the last take; the next ones go into a new buffer. */
  takeInto(batch: ReadBatch): void {
    batch.jsonl = this.buffer.subarray(0, this.used);
    batch.rows = this.rows;
    this.buffer = Buffer.allocUnsafe(Math.max(JsonlBlock.INITIAL_BYTES, this.used));
    this.used = 0;
    this.rows = 0;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}

function addSkipCounts(total: ReadSkipCounts, more: ReadSkipCounts): void {
  total.blank += more.blank;
  total.malformed += more.malformed;
  total.torn += more.torn;
  total.invalid += more.invalid;
}

/** A batch of the read behind the public readers; in `jsonl` mode with the rows as JSON lines. */
interface ReadBatch extends ReadAuditEntriesResult {
  jsonl?: Buffer;
  rows?: number;
}

/**
 * The read behind the public readers: batches of rows newest first, one after each chunk
 * that held any, and a last one with the final cursor, until `limit` rows or the end. In
 * `lines` mode the batches hold the rows' text only (`entries` stays empty); in `jsonl` mode
 * only their JSON lines.
 */
async function* readBatches(
  reader: string,
  options: StreamAuditEntriesOptions,
  limit: number,
  mode: 'entries' | 'lines' | 'jsonl',
  liveEnd?: { value: LiveFileEnd | null },
): AsyncGenerator<ReadBatch, void, undefined> {
  const { path, seams, sinceMs, untilMs, maxLineBytes, offloadAfterBytes, onRead, filterSpec } = parseReadOptions(reader, options);
  const headerFilter = makeHeaderFilter(filterSpec);
  // zod is loaded for a cursor only: a read from the top, the common case, starts without it.
  const previous = options.cursor == null ? undefined : (await import('./decode-reader-cursor.js')).decodeCursor(reader, options.cursor);
  const collector: RowCollector =
    mode === 'jsonl' ? new JsonlBlock() : mode === 'lines' ? new LineCollector() : new EntryCollector(options.withLines === true);

  let returned = 0;
  let skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let start: StartPoint = previous === undefined ? fromTop() : await resolveCursor(path, previous, onRead);
  // Files already read in this call, so a rotation during the call cannot make us read one twice.
  const visited: FileIdentity[] = [];
  // Bytes this call may still read on this thread before a worker scans the rest of a file.
  let budgetBytes = offloadAfterBytes;
  let thread: ScanThread | undefined;
  let threadUnavailable = false;
  // The oldest row returned so far and where it starts: the next batch's cursor.
  let oldest: RowPlace | undefined;

  // Rows returned before the batch being gathered.
  let returnedBefore = 0;
  /** The batch so far, handed out; a fresh one begins. */
  const take = (cursor: string | null): ReadBatch => {
    returnedBefore = returned;
    const batch: ReadBatch = { entries: [], cursor, skipped };
    collector.takeInto(batch);
    skipped = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
    return batch;
  };
  const cursorAfterOldest = (): string | null => (oldest === undefined ? (options.cursor ?? null) : encodeCursor(oldest));

  /** Run a scan, handing out a batch after every chunk that held matching rows. */
  async function* drain(scan: AsyncGenerator<void, void, undefined>): AsyncGenerator<ReadBatch, void, undefined> {
    try {
      while ((await scan.next()).done !== true) {
        if (returned > returnedBefore) yield take(cursorAfterOldest());
      }
    } finally {
      // Stopped early: the scan's read in flight settles before the file is closed.
      await scan.return();
    }
  }

  let index = start.index;
  // The cursor's offset applies to the first file read only.
  let pendingOffset = start.offset;
  let resolutions = 1;
  try {
    yield* readFiles();
  } finally {
    await thread?.close();
  }

  /** The files from the start point on, newest first, until the end, `since` or `limit`. */
  async function* readFiles(): AsyncGenerator<ReadBatch, void, undefined> {
    while (index <= MAX_SIBLINGS) {
      const file = await inReader(openChainFile(path, index));
      if (file === null) {
        // The live file may be missing between a rename rotation and the next write.
        if (index === 0) {
          index = 1;
          continue;
        }
        break;
      }
      let stopped = undefined as 'limit' | 'since' | 'schema' | undefined;
      let lastStart = 0;
      // With `stopped` 'schema': the end of the line that needs the schema, to read on from.
      let pausedAt = 0;
      try {
        if (visited.some((seen) => sameIdentity(seen, file.identity))) {
          index += 1;
          continue;
        }
        visited.push(file.identity);
        let end = file.size;
        if (pendingOffset !== undefined && previous !== undefined) {
          if (start.identity !== undefined && !sameIdentity(start.identity, file.identity)) {
            // Rotated between resolving the cursor and opening the file: resolve it again.
            start = resolutions < 3 ? await resolveCursor(path, previous, onRead) : resumeByTime(previous);
            resolutions += 1;
            index = start.index;
            pendingOffset = start.offset;
            visited.pop();
            continue;
          }
          end = Math.min(pendingOffset, file.size);
        }
        // Read from the live file's end: what follows it later is what the page did not read.
        const liveFileEnd =
          liveEnd !== undefined && index === 0 && start.index === 0 && pendingOffset === undefined && previous === undefined;
        if (liveFileEnd) liveEnd.value = { identity: file.identity, offset: file.size };
        pendingOffset = undefined;
        const fromEnd = end === file.size;
        const fileIndex = index;
        const visit: LineVisitor = (bytes, from, to, lineStart, terminated, plain, sinkRowSeam) => {
          if (!terminated) {
            // Only the very end of a file can lack its newline; elsewhere the range ends at a row start.
            if (fromEnd) skipped.torn += 1;
            if (liveFileEnd && liveEnd !== undefined) liveEnd.value = { identity: file.identity, offset: lineStart };
            return false;
          }
          const row = readLineRow(bytes, from, to, lineStart, plain, sinkRowSeam, collector, skipped);
          if (row === NEEDS_SCHEMA) {
            // Stop at this line; it is read again, in full, once the schema is loaded.
            pausedAt = lineStart + (to - from) + 1;
            stopped = 'schema';
            return true;
          }
          if (row === undefined) return false;
          const at = Date.parse(row.emittedAt);
          if (Number.isNaN(at)) {
            skipped.invalid += 1;
            return false;
          }
          if (start.boundary !== undefined && compareRow(row, start.boundary) >= 0) return false;
          if (sinceMs !== undefined && at < sinceMs) {
            if (at < sinceMs - SINCE_SLACK_MS) {
              stopped = 'since';
              return true;
            }
            return false;
          }
          if (untilMs !== undefined && at >= untilMs) return false;
          if (seams !== undefined && !seams.has(row.seam)) return false;
          collector.add(row, bytes, from, to);
          oldest = { at: row.emittedAt, id: row.id, file: fileIndex, offset: row.start, identity: file.identity };
          returned += 1;
          if (returned >= limit) {
            stopped = 'limit';
            lastStart = row.start;
            return true;
          }
          return false;
        };
        // A resumed page compares whole rows with its boundary, so it reads every line in full.
        const filter = start.boundary === undefined ? headerFilter : undefined;
        const countRead = (bytes: number): void => {
          budgetBytes -= bytes;
          onRead(bytes);
        };
        /** Scan `[0, rangeEnd)` of this file: here at first, on the worker once it is long. */
        const scanRange = async function* (rangeEnd: number): AsyncGenerator<ReadBatch, void, undefined> {
          const state: ScanState = { resumeEnd: undefined };
          yield* drain(
            scanLinesBackward(
              { read: readFrom(file.handle), end: rangeEnd, maxLineBytes, filter, visit, onRead: countRead, budgetBytes },
              state,
            ),
          );
          const rest = state.resumeEnd;
          if (stopped !== undefined || rest === undefined) return;
          // The rest of this file is long: a worker reads it and passes over what cannot match,
          // while this thread checks the lines it sends. Where no worker can run, this one goes on.
          if (!threadUnavailable) {
            try {
              // Throws where no worker can be made at all (no worker file, no loader for it).
              thread ??= new ScanThread();
              yield* drain(
                thread.scan({
                  fd: file.handle.fd,
                  end: rest,
                  maxLineBytes,
                  filter: filter === undefined ? undefined : filterSpec,
                  lineCheck: collector.byBytes ? 'sink-row-shared' : 'plain',
                  visit,
                  onRead,
                }),
              );
              return;
            } catch (error) {
              // A worker that failed after it started is a real failure; one that never ran is not.
              if (thread !== undefined && !(error instanceof ScanThreadUnavailable)) throw error;
              threadUnavailable = true;
            }
          }
          yield* drain(scanLinesBackward({ read: readFrom(file.handle), end: rest, maxLineBytes, filter, visit, onRead }));
        };
        for (let rangeEnd = end; ; rangeEnd = pausedAt) {
          yield* scanRange(rangeEnd);
          if (stopped !== 'schema') break;
          // A row the hand check could not vouch for: load the schema, then read on from that row.
          await loadEnvelopeSchema();
          stopped = undefined;
        }
      } finally {
        await file.handle.close();
      }

      if (stopped === 'since') {
        yield take(null);
        return;
      }
      if (stopped === 'limit') {
        // At the very start of the last file there is nothing older to page to.
        const atEnd = lastStart === 0 && (await inReader(statChainFile(path, index + 1))) === null;
        yield take(atEnd ? null : cursorAfterOldest());
        return;
      }
      // Exhausted: the next older file follows wherever this one is now (it may have been rotated).
      const located = await inReader(locateInChain(path, file.identity, index));
      index = (located?.index ?? index) + 1;
    }
    yield take(null);
  }
}

/** The options a read was given, checked; rejects a bad one. */
function parseReadOptions(reader: string, options: StreamAuditEntriesOptions) {
  const { path } = options;
  if (typeof path !== 'string' || path === '') throw new TypeError(`${reader}: path must be a non-empty string`);
  const { seams, sinceMs, untilMs } = parseReadFilters(reader, { ...options, limit: undefined });
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new RangeError(`${reader}: maxLineBytes must be a positive integer`);
  }
  const offloadAfterBytes = options.offloadAfterBytes ?? DEFAULT_OFFLOAD_AFTER_BYTES;
  if (typeof offloadAfterBytes !== 'number' || Number.isNaN(offloadAfterBytes) || offloadAfterBytes < 0) {
    throw new RangeError(`${reader}: offloadAfterBytes must be a number of bytes (Infinity for never)`);
  }
  const onRead = options.onRead ?? (() => undefined);
  const filterSpec: HeaderFilterSpec = { seams: seams === undefined ? undefined : [...seams], sinceMs, untilMs };
  return { path, seams, sinceMs, untilMs, maxLineBytes, offloadAfterBytes, onRead, filterSpec };
}

/** A returned row and where it starts: what a cursor holds. */
interface RowPlace {
  readonly at: string;
  readonly id: string;
  /** Its file's sibling index when it was read, and that file's identity. */
  readonly file: number;
  readonly identity: FileIdentity;
  readonly offset: number;
}

/** The cursor that continues with the rows before `oldest`. */
function encodeCursor(oldest: RowPlace): string {
  const { file, offset, identity, at, id } = oldest;
  return encodeOpaqueCursor({ v: 1, file, offset, dev: identity.dev, ino: identity.ino, at, id } satisfies CursorState);
}

/** What {@link readLineRow} answers for a row only the schema can judge, before it is loaded. */
const NEEDS_SCHEMA = Symbol('needs the envelope schema');

/**
 * The row a complete line holds, decoded no further than `collector` needs: checked on its
 * bytes, checked in place as text, or parsed. Undefined for a line that holds none, counted in
 * `skipped`. `plain` and `sinkRowSeam` are what a scanning thread worked out, if one did.
 */
function readLineRow(
  bytes: Buffer | null,
  from: number,
  to: number,
  lineStart: number,
  plain: boolean | undefined,
  sinkRowSeam: SeamName | null | undefined,
  collector: RowCollector,
  skipped: ReadSkipCounts,
): LineRow | undefined | typeof NEEDS_SCHEMA {
  // Rows to print as JSON lines are checked on their bytes first (by the scanning thread,
  // where one runs): most are never decoded.
  const byteSeam =
    collector.byBytes && bytes !== null
      ? sinkRowSeam === undefined
        ? readSinkRowBytes(bytes, from, to)
        : (sinkRowSeam ?? undefined)
      : undefined;
  if (byteSeam !== undefined && bytes !== null) {
    return {
      emittedAt: bytes.toString('latin1', from + ROW_EMITTED_AT_START, from + ROW_EMITTED_AT_END),
      id: bytes.toString('latin1', from + ROW_ID_START, from + ROW_ID_END),
      seam: byteSeam,
      start: lineStart,
    };
  }
  const text = bytes === null ? null : bytes.toString('utf8', from, to);
  // A text-only read checks a row in the sink's layout in place; anything else is parsed.
  const fastSeam = collector.byText && text !== null ? readSinkRowSeam(text, plain) : undefined;
  if (fastSeam !== undefined && text !== null) {
    return {
      text,
      emittedAt: text.slice(ROW_EMITTED_AT_START, ROW_EMITTED_AT_END),
      id: text.slice(ROW_ID_START, ROW_ID_END),
      seam: fastSeam,
      start: lineStart,
    };
  }
  const line = classifyAuditLineNow(text);
  if (line === undefined) return NEEDS_SCHEMA;
  // The torn head is a malformed line of its own.
  if (line.afterTornHead === true) skipped.malformed += 1;
  if (line.kind !== 'row') {
    // Never torn: the caller counts an unterminated line before asking.
    if (line.kind !== 'torn') skipped[line.kind] += 1;
    return undefined;
  }
  const { entry } = line;
  // The row's text is the end of its line: a cursor names the row, not the torn head, so
  // that its anchor is found however long the head is.
  const start = line.afterTornHead === true ? lineStart + (to - from) - Buffer.byteLength(line.text, 'utf8') : lineStart;
  return { text: line.text, emittedAt: entry.emitted_at, id: entry.id, seam: entry.seam, entry, start };
}

/** Positional reads of an open file, as a scan wants them. */
function readFrom(handle: FileHandle): (buffer: Buffer, length: number, position: number) => Promise<number> {
  return async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead;
}

function fromTop(): StartPoint {
  return { index: 0, offset: undefined, identity: undefined, boundary: undefined };
}

/** A page's result, with the entries' texts when they were asked for. */
function withText(result: ReadAuditEntriesResult, lines: string[] | undefined): ReadAuditEntriesResult {
  return lines === undefined ? result : { ...result, lines };
}

/**
 * A rejection of the file chain, named as the reader's: a directory or an unreadable file
 * where an audit file should be.
 */
async function inReader<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new Error(`readAuditEntries: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Where the cursor's page ends now: the same bytes, found by inode, or a time boundary. */
async function resolveCursor(path: string, cursor: CursorState, onRead: (bytes: number) => void): Promise<StartPoint> {
  const identity = { dev: cursor.dev, ino: cursor.ino };
  // A rotation may rename the file between finding it and opening it: then it is found again.
  for (let tries = 0; tries < 3; tries += 1) {
    const located = await inReader(locateInChain(path, identity, cursor.file));
    if (located === null || located.size < cursor.offset) break;
    const file = await openChainFile(path, located.index, identity).catch(() => null);
    if (file === null) continue;
    try {
      // The anchor is checked on the handle whose identity was checked, never by name again.
      if (await anchorMatches(file.handle, cursor, onRead))
        return { index: located.index, offset: cursor.offset, identity, boundary: undefined };
      break;
    } finally {
      await file.handle.close();
    }
  }
  // Deleted, compressed, or rewritten in place (copytruncate): resume by time instead.
  return resumeByTime(cursor);
}

function resumeByTime(cursor: CursorState): StartPoint {
  return { index: 0, offset: undefined, identity: undefined, boundary: { at: cursor.at, id: cursor.id } };
}

/** Whether the row at the cursor's offset of an open file is still the cursor's row. */
async function anchorMatches(handle: FileHandle, cursor: CursorState, onRead: (bytes: number) => void): Promise<boolean> {
  const window = Buffer.alloc(ANCHOR_WINDOW_BYTES);
  const { bytesRead } = await handle.read(window, 0, window.length, cursor.offset);
  onRead(bytesRead);
  const text = window.subarray(0, bytesRead).toString('utf8');
  const lineEnd = text.indexOf('\n');
  const line = lineEnd === -1 ? text : text.slice(0, lineEnd);
  return line.includes(`"id":"${cursor.id}"`) || line.includes(`"id": "${cursor.id}"`);
}

/** Order rows by `(emitted_at, id)`: both are fixed-width, so string order is time order. */
function compareRow(row: { emittedAt: string; id: string }, boundary: { at: string; id: string }): number {
  if (row.emittedAt !== boundary.at) return row.emittedAt < boundary.at ? -1 : 1;
  if (row.id === boundary.id) return 0;
  return row.id < boundary.id ? -1 : 1;
}
