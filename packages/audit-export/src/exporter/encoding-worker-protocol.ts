import type { ExportFormat } from '../formats/export-format.js';
import type { ExportContext } from '../mapping/export-row.js';

/** Where an encoding worker finds the seams: a module and the name of its `readonly Seam[]` export. */
export interface WorkerSeams {
  /** The module's URL (`import.meta.resolve` or `new URL(…, import.meta.url).href`). */
  readonly module: string;
  /** The export holding the seams (default `SEAMS`). */
  readonly exportName?: string | undefined;
}

/** What an encoding worker is started with. */
export interface EncodingWorkerData {
  readonly format: ExportFormat;
  readonly context: Omit<ExportContext, 'now'>;
  readonly leafHashes: boolean;
  readonly seams: WorkerSeams;
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
