import { Worker } from 'node:worker_threads';
import { checkSealedChain } from './check-sealed-chain.js';
import type { SealCheckRequest } from './check-sealed-chain.js';
import type { SealReport } from './seal-checker.js';

/** A seal check under way. */
export interface RunningSealCheck {
  /** Its report; rejects when a key or the checkpoints file cannot be read. */
  readonly report: Promise<SealReport>;
  /** Stop it (verify was interrupted). */
  stop(): Promise<void>;
}

/**
 * Start checking the chain's seal on a thread of its own, beside verify's row accounting: on a
 * machine with two cores the seal costs verify almost no time. `inline` runs it on this
 * thread instead (one core, or a caller that wants no thread).
 */
export function startSealCheck(request: SealCheckRequest, options: { readonly inline?: boolean } = {}): RunningSealCheck {
  if (options.inline === true) return { report: checkSealedChain(request), stop: () => Promise.resolve() };
  const worker = startWorker(request);
  const report = new Promise<SealReport>((resolve, reject) => {
    worker.once('message', (message: { ok: true; report: SealReport } | { ok: false; error: string }) => {
      if (message.ok) resolve(message.report);
      else reject(new Error(message.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the seal check stopped (exit ${code})`)));
  });
  report.catch(() => undefined);
  return {
    report: report.finally(() => void worker.terminate()),
    stop: async () => {
      await worker.terminate();
    },
  };
}

function startWorker(request: SealCheckRequest): Worker {
  const here = import.meta.url;
  // Bundled, the worker is a chunk beside this one; from source it is TypeScript, run through tsx.
  if (!here.endsWith('.ts')) return new Worker(new URL('./seal-check-worker.js', here), { workerData: request });
  const worker = new URL('./seal-check-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}); });`, {
    eval: true,
    workerData: request,
  });
}
