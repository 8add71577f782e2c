// The seal check's thread: it hashes the chain's lines into the tree while verify's main thread
// accounts for the same rows, each reading the files through the same descriptors.
import { parentPort, workerData } from 'node:worker_threads';
import { checkSealedChain } from './check-sealed-chain.js';
import type { SealCheckRequest } from './check-sealed-chain.js';

const port = parentPort;
if (port === null) throw new Error('seal-check-worker: must run as a worker thread');

checkSealedChain(workerData as SealCheckRequest).then(
  (report) => port.postMessage({ ok: true, report }),
  (error: unknown) => port.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
);
