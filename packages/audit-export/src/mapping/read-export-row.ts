import { hashLeaf } from '@kora/audit-seal';
import type { AuditEnvelope, Seam } from '@kora/audit-sink';
import type { ExportRow } from './export-row.js';

/** Why a row the envelope accepts is still not exported. */
export type ExportSkipReason = 'unknown_seam' | 'invalid_details';

/** A row to export, or why it is passed over. */
export type ExportRowResult =
  { readonly kind: 'row'; readonly row: ExportRow } | { readonly kind: 'skip'; readonly reason: ExportSkipReason };

/** Options of {@link createExportRowReader}. */
export interface ExportRowReaderOptions {
  /** The seams whose rows may be exported; a row of another seam is skipped. */
  readonly seams: readonly Seam[];
  /** Whether to compute each line's seal leaf hash (the log is sealed). */
  readonly leafHashes: boolean;
}

/**
 * Make the step that turns a row the strict envelope accepted into an {@link ExportRow}: its
 * details must pass its seam's allow-list again, because the file is read, not trusted. A row
 * that fails is skipped with a reason (never exported), whatever it holds.
 */
export function createExportRowReader(options: ExportRowReaderOptions): (entry: AuditEnvelope, text: string) => ExportRowResult {
  const seams = new Map(options.seams.map((seam) => [seam.name as string, seam]));
  return (entry, text) => {
    const seam = seams.get(entry.seam);
    if (seam === undefined) return { kind: 'skip', reason: 'unknown_seam' };
    if (!seam.details.safeParse(entry.details).success) return { kind: 'skip', reason: 'invalid_details' };
    const leafHash = options.leafHashes ? hashLeaf(Buffer.from(text, 'utf8')).toString('hex') : undefined;
    return { kind: 'row', row: { entry, seam, text, leafHash } };
  };
}
