import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import type { HeaderFilterSpec, LineVisitor } from './scan-lines-backward.js';
import { SEAM_NAMES } from '../envelope/seam-names.js';
import { LINE_OVERSIZED, LINE_PLAIN, LINE_ROW_CHECKED, LINE_TERMINATED, META_STRIDE, SEAM_CODE_SHIFT } from './scan-worker-protocol.js';
import type { FromScanThread, LineCheck, ToScanThread } from './scan-worker-protocol.js';

/** The scanning thread could not start or died before sending anything: scan here instead. */
export class ScanThreadUnavailable extends Error {}

/** One backward scan handed to a {@link ScanThread}. */
export interface ThreadScanOptions {
  /** An open descriptor of the file; it must stay open until the scan's iteration has ended. */
  readonly fd: number;
  readonly end: number;
  readonly maxLineBytes: number;
  readonly filter: HeaderFilterSpec | undefined;
  /** What the thread works out for `visit` about each line: its `plain` mark, or its `sinkRowSeam`. */
  readonly lineCheck: LineCheck;
  readonly visit: LineVisitor;
  readonly onRead: (bytes: number) => void;
}

// worker_threads is loaded with the first thread, not with the reader: most reads (a page of
// the newest rows, `tail`, `stats`) never start one, and loading it costs a CLI about a millisecond.
const require = createRequire(import.meta.url);
const newWorker = (...args: ConstructorParameters<typeof Worker>): Worker => {
  const { Worker: WorkerThread } = require('node:worker_threads') as typeof WorkerThreads;
  return new WorkerThread(...args);
};

// A small young generation: the thread's garbage is short-lived, and every MiB counts toward
// the reader's peak memory.
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 8 };

/**
 * A worker thread that reads a file and passes over the lines that cannot match while this
 * thread checks the rest: a whole-file read costs about the larger of the two, not their sum.
 * One scan at a time; {@link ScanThread.close} ends the thread.
 */
export class ScanThread {
  private readonly worker: Worker;
  private readonly inbox: FromScanThread[] = [];
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private heardFrom = false;

  /** `entry` replaces the worker's module, for tests of a worker that cannot start. */
  constructor(entry?: URL) {
    this.worker = entry === undefined ? startWorker() : newWorker(entry, { resourceLimits: RESOURCE_LIMITS });
    // The thread keeps the process alive only while this thread waits on it (see `next`): a
    // stream its caller drops without finishing must not hold the process open.
    this.worker.unref();
    this.worker.on('message', (message: FromScanThread) => {
      this.heardFrom = true;
      this.inbox.push(message);
      this.wake();
    });
    this.worker.on('error', (error) => {
      this.failure = this.heardFrom
        ? error
        : new ScanThreadUnavailable(`the scanning thread did not start: ${error.message}`, { cause: error });
      this.wake();
    });
    this.worker.on('exit', (code) => {
      // Before it sent anything, a scan here can take over; after, lines were visited already.
      const message = `the scanning thread exited with code ${code}`;
      this.failure ??= this.heardFrom ? new Error(message) : new ScanThreadUnavailable(message);
      this.wake();
    });
  }

  /**
   * Scan `[0, end)` of `fd` backwards, calling `visit` on this thread for each line the filter
   * keeps, newest first; yields after each batch. Throws {@link ScanThreadUnavailable} when
   * the thread cannot run, before any line was visited.
   */
  async *scan(options: ThreadScanOptions): AsyncGenerator<void, void, undefined> {
    const { visit, onRead } = options;
    this.post({
      type: 'scan',
      fd: options.fd,
      end: options.end,
      maxLineBytes: options.maxLineBytes,
      filter: options.filter ?? null,
      lineCheck: options.lineCheck,
    });
    let ended = false;
    try {
      for (;;) {
        const message = await this.next();
        if (message.type === 'end') {
          ended = true;
          return;
        }
        if (message.type === 'error') {
          ended = true;
          throw Object.assign(new Error(message.message), { code: message.code });
        }
        const bytes = Buffer.from(message.bytes);
        const { meta } = message;
        onRead(message.bytesRead);
        for (let at = 0; at < meta.length; at += META_STRIDE) {
          const flags = meta[at + 3]!;
          const oversized = (flags & LINE_OVERSIZED) !== 0;
          const sinkRowSeam = (flags & LINE_ROW_CHECKED) === 0 ? undefined : (SEAM_NAMES[(flags >>> SEAM_CODE_SHIFT) - 1] ?? null);
          if (
            visit(
              oversized ? null : bytes,
              meta[at]!,
              meta[at + 1]!,
              meta[at + 2]!,
              (flags & LINE_TERMINATED) !== 0,
              (flags & LINE_PLAIN) !== 0,
              sinkRowSeam,
            )
          )
            return;
        }
        // The lines were copied out where kept: the buffer goes back to be filled again.
        this.post({ type: 'credit', buffer: message.bytes, waiting: this.inbox.length }, [message.bytes]);
        yield;
      }
    } finally {
      if (!ended && this.failure === undefined) {
        // The file may be closed only once the thread has no read of it in flight.
        this.post({ type: 'stop' });
        for (;;) {
          const message = await this.next().catch(() => undefined);
          if (message === undefined || message.type !== 'lines') break;
        }
      }
    }
  }

  /** End the thread. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private post(message: ToScanThread, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private async next(): Promise<FromScanThread> {
    for (;;) {
      const message = this.inbox.shift();
      if (message !== undefined) return message;
      if (this.failure !== undefined) throw this.failure;
      this.worker.ref();
      try {
        await new Promise<void>((resolve) => (this.waiting = resolve));
      } finally {
        this.worker.unref();
      }
    }
  }
}

function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return newWorker(new URL('./scan-worker.js', here), { resourceLimits: RESOURCE_LIMITS });
  // Run from TypeScript source (tests, tsx): the worker is TypeScript too, so it registers tsx first.
  const worker = new URL('./scan-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return newWorker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}); });`, {
    eval: true,
    resourceLimits: RESOURCE_LIMITS,
  });
}
