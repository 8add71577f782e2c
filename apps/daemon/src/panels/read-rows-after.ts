import { readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope } from '@kora/audit-sink';
import type { SubstrateArrivals } from '@kora/audit-substrate-pg';

// Rows per backwards page while looking for the position: most polls find it in the first.
const PAGE_ROWS = 200;

/**
 * The rows written after a position, and where the position is now: the shape the event log's
 * live reads answer with too, so a panel stream follows either the same way. In the file,
 * `found: false` means the position's row was rotated away, truncated, or is too far back.
 */
export type RowsAfter = SubstrateArrivals;

/**
 * Read the rows appended to the audit file after the row `position` (a row id; null means the
 * file was empty), newest first backwards until that row, so a poll costs the rows written
 * since the last one. File order, not `emitted_at`, decides what is new: rows from writers
 * with skewed clocks are still delivered once. More than `maxRows` rows after the position
 * counts as not found, so a stale position cannot make one poll read the whole file.
 */
export async function readRowsAfter(path: string, position: string | null, maxRows: number): Promise<RowsAfter> {
  const newer: AuditEnvelope[] = [];
  let cursor: string | null = null;
  do {
    const page = await readAuditEntries({ path, limit: PAGE_ROWS, cursor });
    for (const row of page.entries) {
      if (row.id === position) {
        const newest = newer[0]?.id ?? position;
        return { found: true, rows: newer.reverse(), position: newest };
      }
      if (newer.length >= maxRows) return { found: false, rows: [], position: newer[0]?.id ?? null };
      newer.push(row);
    }
    cursor = page.cursor;
  } while (cursor !== null);
  const newest = newer[0]?.id ?? null;
  // From an empty file everything is new; otherwise the position's row has gone.
  if (position === null) return { found: true, rows: newer.reverse(), position: newest };
  return { found: false, rows: [], position: newest };
}

/** The id of the newest row in the audit file, or null when it holds none. */
export async function readNewestId(path: string): Promise<string | null> {
  const { entries } = await readAuditEntries({ path, limit: 1 });
  return entries[0]?.id ?? null;
}
