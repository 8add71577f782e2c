import { LOSS_REASONS } from '@kora/audit-sink/reader';
import type { AuditEnvelope, LossReason } from '@kora/audit-sink/reader';

/** The writers of one audit file and what they lost, as `stats` prints them. */
export interface WriterTally {
  /** Distinct writers among the version 2 rows. */
  readonly seen: number;
  /** Writers whose `audit.closed` row is in the file. */
  readonly closed: number;
  /** Writers without one here: still writing, killed, or closed in another (rotated) file. */
  readonly not_closed: number;
  /** Rows the writers lost, by reason, summed over the file's `audit.lost` rows. */
  readonly rows_lost: Partial<Record<LossReason, number>>;
  /** `audit.lost` rows whose details do not say what was lost (not summed). */
  readonly unreadable_loss_rows: number;
  /** Version 1 rows: written before rows named their writer, so no writer accounts for them. */
  readonly rows_without_writer: number;
}

/** Counts writers, closings and losses row by row; `result()` at the end. */
export interface WriterTallyCounter {
  add(row: AuditEnvelope): void;
  result(): WriterTally;
}

const lossReasons: ReadonlySet<string> = new Set(LOSS_REASONS);

/**
 * Tally the writers of the rows given: a version 2 row names its writer, an `audit.closed` row
 * closes it, an `audit.lost` row says how many of its rows never reached the file and why
 * (each lost row is named by one loss row in the file, so the sum counts each once). A loss
 * row's details are checked by hand, as anything read from a file is: one that does not hold a
 * known reason and a whole count is counted apart, not summed.
 */
export function createWriterTally(): WriterTallyCounter {
  const writers = new Set<string>();
  const closed = new Set<string>();
  const lost: Partial<Record<LossReason, number>> = {};
  let unreadable = 0;
  let withoutWriter = 0;
  return {
    add(row) {
      if (row.writer === undefined) {
        withoutWriter += 1;
        return;
      }
      writers.add(row.writer);
      if (row.seam === 'audit.closed') closed.add(row.writer);
      else if (row.seam === 'audit.lost') {
        const { reason, rows } = row.details;
        if (typeof reason === 'string' && lossReasons.has(reason) && Number.isSafeInteger(rows) && (rows as number) > 0) {
          const known = reason as LossReason;
          lost[known] = (lost[known] ?? 0) + (rows as number);
        } else unreadable += 1;
      }
    },
    result: () => ({
      seen: writers.size,
      closed: closed.size,
      not_closed: writers.size - closed.size,
      rows_lost: { ...lost },
      unreadable_loss_rows: unreadable,
      rows_without_writer: withoutWriter,
    }),
  };
}
