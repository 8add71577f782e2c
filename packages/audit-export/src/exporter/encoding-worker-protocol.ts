import type { ExportFormat } from '../formats/export-format.js';
import type { ExportContext } from '../mapping/export-row.js';
import type { BytesEncoding } from '../targets/export-target.js';

/**
 * How an encoding worker gets the seams, which cannot be sent between threads: either this
 * package's worker imports them from a module (its URL, e.g. `import.meta.resolve('./seams.js')`,
 * and the name of its `readonly Seam[]` export, `SEAMS` by default), or the worker is a module of
 * the caller's (its URL) that calls `runEncodingWorker(seams)`, which a bundler can make into
 * one file that starts faster.
 */
export type EncodingWorkerSource =
  { readonly seamsModule: string; readonly exportName?: string | undefined } | { readonly workerModule: string };

/** What an encoding worker is started with. */
export interface EncodingWorkerData {
  readonly format: ExportFormat;
  /** What the batches are encoded to: the target's bytes. */
  readonly encoding: BytesEncoding;
  readonly context: Omit<ExportContext, 'now'>;
  readonly leafHashes: boolean;
  readonly worker: EncodingWorkerSource;
  /** The names and mappings of the exporter's seams, which the worker's must equal. */
  readonly seamDigest: string;
}

/** One batch to encode: whole lines of the audit file as bytes, the offset of the first, and the batch's time. */
export interface EncodingRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly now: number;
}

/** A line passed over: where it starts and why (a line class or an export skip reason). */
export type PassedOver = readonly [offset: number, reason: string];

/**
 * The batch's bytes (`length` of `buffer`), how many records they hold, the blank lines, and
 * the lines passed over in file order; or why the batch could not be encoded.
 */
export type EncodingReply =
  | {
      readonly id: number;
      readonly buffer: ArrayBuffer;
      readonly length: number;
      readonly records: number;
      readonly blank: number;
      readonly passedOver: readonly PassedOver[];
    }
  | { readonly id: number; readonly error: string };
