import { stat } from 'node:fs/promises';
import { readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope, ReadSkipCounts, SeamName } from '@kora/audit-sink';
import { readNewestArrivalId, readSubstrateArrivals, readSubstrateEntries } from '@kora/audit-substrate-pg';
import type { SubstrateClient } from '@kora/audit-substrate-pg';
import { readNewestId, readRowsAfter } from './read-rows-after.js';
import type { RowsAfter } from './read-rows-after.js';

/** One page asked of a panel's source: the panel API's filters and paging. */
export interface PanelPageQuery {
  readonly seams: readonly SeamName[];
  readonly since: string | undefined;
  readonly until: string | undefined;
  readonly limit: number;
  readonly cursor: string | undefined;
}

/** One page of rows, newest first, in the same shape whichever source answered. */
export interface PanelPage {
  readonly entries: AuditEnvelope[];
  readonly cursor: string | null;
  readonly skipped: ReadSkipCounts;
}

/** Where the panels read: this daemon's audit file, or the fleet's event log. */
export interface PanelSource {
  readonly kind: 'file' | 'postgres';
  /** One page of rows, newest first. */
  readPage(query: PanelPageQuery): Promise<PanelPage>;
  /** Where a live stream starts: the id of the newest row, or null when there is none. */
  readNewestId(): Promise<string | null>;
  /** The rows that came after the row `position`, oldest first, for a live stream. */
  readRowsAfter(position: string | null, maxRows: number): Promise<RowsAfter>;
  /**
   * A token that changes whenever new rows may have come: a stream skips a poll while it is
   * the same. Without one, every poll reads.
   */
  readSignature?(): Promise<string>;
}

/** Pages read from the audit file the sink writes, and its rotated siblings. */
export function createFileSource(path: string): PanelSource {
  return {
    kind: 'file',
    readPage: ({ seams, since, until, limit, cursor }) => readAuditEntries({ path, seams, since, until, limit, cursor }),
    readNewestId: () => readNewestId(path),
    readRowsAfter: (position, maxRows) => readRowsAfter(path, position, maxRows),
    // Appends change the size; rotation changes the inode.
    async readSignature() {
      try {
        const info = await stat(path, { bigint: true });
        return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}`;
      } catch {
        return 'missing';
      }
    },
  };
}

/**
 * Pages read from the PostgreSQL event log every daemon of a fleet writes to: the same rows,
 * filters, order and paging as the file, over every host. The table holds only envelopes, so
 * only `invalid` (rows something else wrote) can be non-zero in `skipped`. Live streams follow
 * the rows in the order they arrived, each once it has settled (about 2 s; see
 * `readSubstrateArrivals`).
 */
export function createSubstrateSource(client: SubstrateClient, table: string | undefined): PanelSource {
  return {
    kind: 'postgres',
    async readPage({ seams, since, until, limit, cursor }) {
      const page = await readSubstrateEntries(client, { table, seams, since, until, limit, cursor });
      return { entries: page.entries, cursor: page.cursor, skipped: { blank: 0, malformed: 0, torn: 0, invalid: page.skipped.invalid } };
    },
    readNewestId: () => readNewestArrivalId(client, { table }),
    // Rows arrive from every host and no cheap sign tells of new ones: every poll reads.
    readRowsAfter: (position, maxRows) => readSubstrateArrivals(client, { table, after: position, maxRows }),
  };
}
