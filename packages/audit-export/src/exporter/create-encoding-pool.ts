import { availableParallelism } from 'node:os';
import { createEncodingWorker } from './create-encoding-worker.js';
import type { EncodedBatch, EncodingWorker } from './create-encoding-worker.js';
import type { EncodingWorkerData, PassedOver } from './encoding-worker-protocol.js';

/**
 * Workers at most, whatever the cores: each costs some 60 MiB and its share of the reading
 * thread's time, and a container's CPU quota is not what `availableParallelism` sees.
 */
const MAX_WORKERS = 4;

// Below this many bytes a batch is not worth splitting between threads.
const MIN_BYTES_PER_WORKER = 32 * 1024;

/**
 * Encoding workers, one per core up to {@link MAX_WORKERS}: each batch of lines is split between
 * them in order and their bytes joined in the same order, so the output is what one thread would
 * have written.
 */
export async function createEncodingPool(
  data: EncodingWorkerData,
  size = Math.min(availableParallelism(), MAX_WORKERS),
): Promise<EncodingWorker> {
  const started = await Promise.allSettled(Array.from({ length: Math.max(1, size) }, () => createEncodingWorker(data)));
  const workers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(workers.map((worker) => worker.close()));
    throw failed.reason instanceof Error ? failed.reason : new Error('an encoding worker did not start');
  }
  return {
    async encode(bytes, offset, now) {
      // Split at line ends, about evenly; each part is copied into a buffer its worker owns (the
      // caller's bytes are left as they are).
      const parts: [start: number, end: number][] = [];
      let start = 0;
      for (let part = workers.length; part > 1 && bytes.length - start >= MIN_BYTES_PER_WORKER * part; part -= 1) {
        const target = start + Math.floor((bytes.length - start) / part);
        const newline = bytes.indexOf(0x0a, target - 1);
        if (newline === -1 || newline + 1 >= bytes.length) break;
        parts.push([start, newline + 1]);
        start = newline + 1;
      }
      parts.push([start, bytes.length]);
      const encoded = await Promise.all(
        parts.map(([from, to], part) => workers[part]!.encode(new Uint8Array(bytes.subarray(from, to)), offset + from, now)),
      );
      if (encoded.length === 1) return encoded[0]!;
      // Each part's lines are in file order and the parts follow each other.
      const passedOver: PassedOver[] = encoded.flatMap((batch) => batch.passedOver);
      return {
        bytes: Buffer.concat(encoded.map((batch) => batch.bytes)),
        records: encoded.reduce((sum, batch) => sum + batch.records, 0),
        blank: encoded.reduce((sum, batch) => sum + batch.blank, 0),
        passedOver,
      } satisfies EncodedBatch;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
