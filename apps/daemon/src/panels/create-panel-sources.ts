import { readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope, ReadSkipCounts, SeamName } from '@kora/audit-sink';
import { readSubstrateEntries } from '@kora/audit-substrate-pg';
import type { SubstrateClient } from '@kora/audit-substrate-pg';

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

/** Where the panel pages come from: this daemon's audit file, or the fleet's event log. */
export interface PanelSource {
  readonly kind: 'file' | 'postgres';
  readPage(query: PanelPageQuery): Promise<PanelPage>;
}

/** Pages read from the audit file the sink writes, and its rotated siblings. */
export function createFileSource(path: string): PanelSource {
  return {
    kind: 'file',
    readPage: ({ seams, since, until, limit, cursor }) => readAuditEntries({ path, seams, since, until, limit, cursor }),
  };
}

/**
 * Pages read from the PostgreSQL event log every daemon of a fleet writes to: the same rows,
 * filters, order and paging as the file, over every host. The table holds only envelopes, so
 * only `invalid` (rows something else wrote) can be non-zero in `skipped`.
 */
export function createSubstrateSource(client: SubstrateClient, table: string | undefined): PanelSource {
  return {
    kind: 'postgres',
    async readPage({ seams, since, until, limit, cursor }) {
      const page = await readSubstrateEntries(client, { table, seams, since, until, limit, cursor });
      return { entries: page.entries, cursor: page.cursor, skipped: { blank: 0, malformed: 0, torn: 0, invalid: page.skipped.invalid } };
    },
  };
}
