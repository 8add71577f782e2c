import type pg from 'pg';
import { classifyDatabaseError, readDatabaseErrorCode } from '../classify-database-error.js';
import { insertAuditLines } from '../insert-audit-rows.js';
import type { DatabaseOutage } from './create-database-outage.js';

/** The shipper's counters a commit adds to. */
export interface CommitCounters {
  rowsShipped: number;
  rowsInserted: number;
  batches: number;
  readonly linesSkipped: { rejected: number };
}

/** Options of {@link createRowCommitter}. */
export interface RowCommitterOptions {
  readonly pool: pg.Pool;
  /** The table's name, as `parseSubstrateTable` gives it. */
  readonly table: string;
  readonly originHost: string;
  readonly outage: DatabaseOutage;
  /** Stops the retries of a batch the database is away for. */
  readonly signal: AbortSignal;
  /** Create the table when it is missing; false when stopped first. Undefined: never create it. */
  readonly migrate: (() => Promise<boolean>) | undefined;
  readonly counters: CommitCounters;
  /** Warn about a row the database refused: the file's name, the row's offset, the reason. */
  readonly warnSkip: (name: string, offset: number, reason: string) => void;
}

/**
 * Make the shipper's commit: insert rows, retrying while the database is away. A row the
 * server refuses outright is found by halving the batch, warned about and passed; the rest go
 * in. It resolves false when stopped during an outage, before the rows were committed.
 */
export function createRowCommitter(
  options: RowCommitterOptions,
): (rows: readonly string[], offsets: readonly number[], name: string) => Promise<boolean> {
  const { pool, outage, counters } = options;
  const commit = async (rows: readonly string[], offsets: readonly number[], name: string): Promise<boolean> => {
    for (;;) {
      if (options.signal.aborted && outage.ongoing()) return false;
      try {
        const { inserted } = await insertAuditLines(pool, rows, { table: options.table, originHost: options.originHost });
        outage.succeeded();
        counters.rowsShipped += rows.length;
        counters.rowsInserted += inserted;
        counters.batches += 1;
        return true;
      } catch (error) {
        const kind = classifyDatabaseError(error);
        if (kind === 'rejected') {
          outage.succeeded();
          if (rows.length === 1) {
            counters.linesSkipped.rejected += 1;
            options.warnSkip(name, offsets[0] ?? 0, `rejected_by_database code=${readDatabaseErrorCode(error)}`);
            return true;
          }
          const half = Math.ceil(rows.length / 2);
          if (!(await commit(rows.slice(0, half), offsets.slice(0, half), name))) return false;
          return commit(rows.slice(half), offsets.slice(half), name);
        }
        outage.failed(error);
        if (kind === 'missing_table' && options.migrate !== undefined) {
          if (!(await options.migrate())) return false;
          continue;
        }
        await outage.wait();
      }
    }
  };
  return commit;
}
