import type { SubstrateClient } from './substrate-client.js';
import { parseSubstrateTable } from './substrate-table.js';

/** Options of {@link readHostLag}. */
export interface ReadHostLagOptions {
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /** The time lag is measured against (default: this machine's clock). */
  readonly now?: (() => Date) | undefined;
}

/** One origin host's newest row in the event log. */
export interface HostLag {
  /** The `origin_host` column as stored: text a shipper chose, so print it escaped. */
  readonly originHost: string;
  /** The newest `emitted_at` of the host's rows. */
  readonly newestEmittedAt: Date;
  /** When that row reached the table (its `ingested_at`). */
  readonly newestIngestedAt: Date;
  /** `now` minus `newestEmittedAt`, in milliseconds; negative when the host's clock runs ahead. */
  readonly behindMs: number;
}

/**
 * The SQL {@link readHostLag} sends, for a quoted table name. A loose index scan: the recursive
 * part steps from one host to the next through the host index (one descent per host, however
 * many rows each has), and the lateral part reads each host's newest row from the same index.
 * A plain `GROUP BY origin_host` or `max(emitted_at) WHERE origin_host = …` reads every row of
 * the host instead, which at millions of rows costs most exactly when a host is far behind.
 */
export function hostLagSql(tableSql: string): string {
  return `WITH RECURSIVE hosts(origin_host) AS (
  (SELECT origin_host FROM ${tableSql} ORDER BY origin_host LIMIT 1)
  UNION ALL
  SELECT (SELECT candidate.origin_host FROM ${tableSql} candidate WHERE candidate.origin_host > hosts.origin_host ORDER BY candidate.origin_host LIMIT 1)
  FROM hosts WHERE hosts.origin_host IS NOT NULL
)
SELECT hosts.origin_host, newest.emitted_at, newest.ingested_at
FROM hosts
CROSS JOIN LATERAL (
  SELECT latest.emitted_at, latest.ingested_at FROM ${tableSql} latest
  WHERE latest.origin_host = hosts.origin_host
  ORDER BY latest.emitted_at DESC LIMIT 1
) newest
WHERE hosts.origin_host IS NOT NULL`;
}

/**
 * For every origin host in the event log, its newest row and how far that lies behind now: a
 * host whose shipper or writer stopped shows a growing `behindMs`. Served by the host index
 * (`origin_host, emitted_at DESC`) that `migrateSubstrate` creates, in a few
 * milliseconds at millions of rows. Hosts sorted by name; none for an empty table.
 * Rejects when the database does (unreachable, no such table); throws a RangeError on an
 * invalid table name.
 */
export async function readHostLag(client: SubstrateClient, options: ReadHostLagOptions = {}): Promise<HostLag[]> {
  const table = parseSubstrateTable(options.table);
  const result = await client.query<{ origin_host: string; emitted_at: Date; ingested_at: Date }>(hostLagSql(table.sql));
  const now = (options.now?.() ?? new Date()).getTime();
  return result.rows
    .map((row) => ({
      originHost: row.origin_host,
      newestEmittedAt: row.emitted_at,
      newestIngestedAt: row.ingested_at,
      behindMs: now - row.emitted_at.getTime(),
    }))
    .sort((left, right) => (left.originHost < right.originHost ? -1 : left.originHost > right.originHost ? 1 : 0));
}
