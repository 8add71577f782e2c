import type { ExportRow } from './export-row.js';

/** The row's verbatim `[kora.<seam>] key=value` line, byte for byte as the seam logged it. */
export function formatVerbatimLine({ entry, seam }: ExportRow): string {
  return seam.formatLine(entry.details, { caller_session_id: entry.caller_session_id, writer: entry.writer });
}
