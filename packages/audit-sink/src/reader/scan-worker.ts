// The reader's scanning thread: reads a file backwards, passes over the lines whose header
// shows they cannot match, and sends the rest to the reader, which checks them meanwhile.
import { read } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { SEAM_NAMES } from '../envelope/seam-names.js';
import { readErrorCode } from '../format/read-error-code.js';
import { readSinkRowBytes } from './check-sink-row-bytes.js';
import { MAX_CHUNK_BYTES, makeHeaderFilter, scanLinesBackward } from './scan-lines-backward.js';
import type { ReadAt } from './scan-lines-backward.js';
import {
  LINE_OVERSIZED,
  LINE_PLAIN,
  LINE_ROW_CHECKED,
  LINE_TERMINATED,
  MAX_BATCHES_AHEAD,
  META_STRIDE,
  SEAM_CODE_SHIFT,
  checksRowsNext,
} from './scan-worker-protocol.js';
import type { FromScanThread, LineCheck, ScanRequest, ToScanThread } from './scan-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('scan-worker: must run as a worker thread');

let credits = MAX_BATCHES_AHEAD;
// How many batches were waiting for the reader when it last finished one.
let readerWaiting = 0;
let stopRequested = false;
let wakeUp: (() => void) | undefined;
// Batch buffers the reader handed back, to fill again.
const spareBuffers: ArrayBuffer[] = [];

const send = (message: FromScanThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

port.on('message', (message: ToScanThread) => {
  if (message.type === 'scan') {
    credits = MAX_BATCHES_AHEAD;
    readerWaiting = 0;
    stopRequested = false;
    // Failures are sent as messages: nothing is left to reject.
    void runScan(message);
    return;
  }
  if (message.type === 'credit') {
    credits += 1;
    readerWaiting = message.waiting;
    if (message.buffer.byteLength === MAX_CHUNK_BYTES && spareBuffers.length < MAX_BATCHES_AHEAD) spareBuffers.push(message.buffer);
  } else {
    stopRequested = true;
  }
  wakeUp?.();
});

/** Lines kept from one chunk, copied out of the read buffer that the next chunk reuses. */
class Batch {
  private bytes = Batch.freshBuffer();
  private used = 0;
  private meta: number[] = [];

  // A slow buffer owns its whole ArrayBuffer, so it can be handed over without a copy.
  private static freshBuffer(): Buffer {
    const spare = spareBuffers.pop();
    return spare === undefined ? Buffer.allocUnsafeSlow(MAX_CHUNK_BYTES) : Buffer.from(spare);
  }

  get lines(): number {
    return this.meta.length / META_STRIDE;
  }

  /** Whether the lines added next are checked here (see {@link LineCheck}). */
  checkRows: boolean;

  constructor(private readonly lineCheck: LineCheck) {
    this.checkRows = checksRowsNext(lineCheck, 0);
  }

  add(source: Buffer | null, from: number, to: number, lineStart: number, terminated: boolean): void {
    const length = source === null ? 0 : to - from;
    if (this.used + length > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.used + length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (source !== null) source.copy(this.bytes, this.used, from, to);
    const flags = (terminated ? LINE_TERMINATED : 0) | (source === null ? LINE_OVERSIZED : this.check(source, from, to));
    this.meta.push(this.used, this.used + length, lineStart, flags);
    this.used += length;
  }

  private check(source: Buffer, from: number, to: number): number {
    if (this.lineCheck === 'plain') return isPlain(source, from, to) ? LINE_PLAIN : 0;
    if (!this.checkRows) return 0;
    const seam = readSinkRowBytes(source, from, to);
    return LINE_ROW_CHECKED | (seam === undefined ? 0 : (SEAM_NAMES.indexOf(seam) + 1) << SEAM_CODE_SHIFT);
  }

  send(bytesRead: number): void {
    const buffer = this.bytes.buffer as ArrayBuffer;
    const meta = Float64Array.from(this.meta);
    send({ type: 'lines', bytes: buffer, meta, bytesRead }, [buffer, meta.buffer]);
    this.bytes = Batch.freshBuffer();
    this.used = 0;
    this.meta = [];
  }
}

/**
 * Whether `bytes[from, to)` holds no backslash and no control character. Worked out here, where
 * there is time to spare, so that the reader's check of the row need not look for them. (In
 * UTF-8 these bytes stand only for themselves, so the decoded text has none either.)
 */
function isPlain(bytes: Buffer, from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) {
    const byte = bytes[index]!;
    if (byte < 0x20 || byte === 0x5c) return false;
  }
  return true;
}

async function runScan(request: ScanRequest): Promise<void> {
  const readAt: ReadAt = (buffer, length, position) =>
    new Promise((resolve, reject) => {
      read(request.fd, buffer, 0, length, position, (error, bytesRead) => (error === null ? resolve(bytesRead) : reject(error)));
    });
  const batch = new Batch(request.lineCheck);
  let bytesRead = 0;
  try {
    const scan = scanLinesBackward({
      read: readAt,
      end: request.end,
      maxLineBytes: request.maxLineBytes,
      filter: request.filter === null ? undefined : makeHeaderFilter(request.filter),
      visit: (bytes, from, to, lineStart, terminated) => {
        batch.add(bytes, from, to, lineStart, terminated);
        return false;
      },
      onRead: (bytes) => (bytesRead += bytes),
    });
    try {
      while ((await scan.next()).done !== true) {
        if (batch.lines > 0) {
          batch.send(bytesRead);
          bytesRead = 0;
          credits -= 1;
        }
        batch.checkRows = checksRowsNext(request.lineCheck, readerWaiting);
        while (credits <= 0 && !stopRequested) await new Promise<void>((resolve) => (wakeUp = resolve));
        if (stopRequested) break;
      }
    } finally {
      // The read in flight settles before the reader may close the file.
      await scan.return();
    }
    if (!stopRequested && (batch.lines > 0 || bytesRead > 0)) batch.send(bytesRead);
    send({ type: 'end' });
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error), code: readErrorCode(error) });
  }
}
