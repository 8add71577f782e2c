import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodingReply, EncodingRequest, EncodingWorkerData, PassedOver } from './encoding-worker-protocol.js';

/** A batch as its encoding worker returned it. */
export interface EncodedBatch {
  readonly bytes: Uint8Array;
  /** Records the bytes hold. */
  readonly records: number;
  readonly blank: number;
  /** Lines passed over, by file offset and reason, in file order. */
  readonly passedOver: readonly PassedOver[];
}

/** A thread that classifies, maps and encodes batches of lines, one at a time, in the order asked. */
export interface EncodingWorker {
  /**
   * Encode whole lines whose first starts at file offset `offset`. When `bytes` is the whole of
   * its buffer, the buffer is handed over to the worker (and unusable here afterwards).
   */
  encode(bytes: Uint8Array, offset: number, now: number): Promise<EncodedBatch>;
  close(): Promise<void>;
}

// A batch's strings and records die young: a young generation four times V8's default holds a
// batch's worth, so that few are copied to the old one (a sixth less CPU, some 60 MiB more RSS).
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 64 };

// The default worker's file beside this one: `.js` when built, `.ts` when run from the sources.
const here = fileURLToPath(import.meta.url);
const defaultWorkerUrl = new URL(`./encoding-worker${extname(here)}`, import.meta.url);

/**
 * The worker thread. A worker module that is TypeScript (from the sources, as the repository's
 * tests and tools run) first registers the TypeScript loader, which a worker does not inherit.
 */
function startWorker(data: EncodingWorkerData): Worker {
  const url = 'workerModule' in data.worker ? new URL(data.worker.workerModule) : defaultWorkerUrl;
  if (extname(url.pathname) !== '.ts') return new Worker(url, { workerData: data, resourceLimits: RESOURCE_LIMITS });
  const loader = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code = `import(${loader}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, {
    eval: true,
    workerData: data,
    resourceLimits: RESOURCE_LIMITS,
    execArgv: [...new Set([...process.execArgv, '--conditions=@kora/source'])],
  });
}

/**
 * Start a worker thread that classifies, maps and encodes batches for a file or stream target. It answers
 * once it has loaded the seams (and checked they are the exporter's); a worker that fails,
 * then or later, fails every batch asked of it with its reason.
 */
export async function createEncodingWorker(data: EncodingWorkerData): Promise<EncodingWorker> {
  const worker = startWorker(data);
  const pending = new Map<number, { resolve: (batch: EncodedBatch) => void; reject: (error: Error) => void }>();
  let failure: Error | undefined;
  let nextId = 0;
  const fail = (error: Error): void => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', (message) => (message === 'ready' ? resolve() : reject(new Error('the encoding worker did not start'))));
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the encoding worker stopped before it started')));
  });
  worker.on('error', (error) => fail(new Error(`the encoding worker failed: ${error.message}`)));
  worker.on('exit', (code) => fail(new Error(`the encoding worker stopped (exit code ${code})`)));
  worker.on('message', (reply: EncodingReply | 'ready') => {
    if (reply === 'ready') return;
    const waiting = pending.get(reply.id);
    if (waiting === undefined) return;
    pending.delete(reply.id);
    if ('error' in reply) waiting.reject(new Error(`the encoding worker could not encode a batch: ${reply.error}`));
    else {
      const { records, blank, passedOver } = reply;
      waiting.resolve({ bytes: new Uint8Array(reply.buffer, 0, reply.length), records, blank, passedOver });
    }
  });
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error instanceof Error ? error : new Error('the encoding worker did not start');
  }
  return {
    encode(bytes, offset, now) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<EncodedBatch>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Handed over when the view is its buffer's whole (the caller's bytes are then gone), else copied.
        const owned = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
        const sent = owned ? bytes : new Uint8Array(bytes);
        const request: EncodingRequest = { id, bytes: sent, offset, now };
        worker.postMessage(request, [sent.buffer as ArrayBuffer]);
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
