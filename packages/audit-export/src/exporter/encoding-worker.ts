// The default encoding worker of createExporter({ encodeInWorker: { seamsModule } }): loads the
// seams from the module the exporter names (seams cannot be sent between threads) and runs.
import { workerData } from 'node:worker_threads';
import type { Seam } from '@kora/audit-sink';
import type { EncodingWorkerData } from './encoding-worker-protocol.js';
import { runEncodingWorker } from './run-encoding-worker.js';

const { worker } = workerData as EncodingWorkerData;
if (!('seamsModule' in worker)) throw new Error('the default encoding worker needs a seams module');
const loaded = (await import(worker.seamsModule)) as Record<string, unknown>;
await runEncodingWorker(loaded[worker.exportName ?? 'SEAMS'] as readonly Seam[]);
