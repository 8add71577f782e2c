import type { LossReason } from './loss-reasons.js';
import { addRange, addSeq, countSeqs } from './seq-ranges.js';
import type { SeqRange } from './seq-ranges.js';

/** Rows of one reason that an `audit.lost` row is to name. */
export interface LossReport {
  readonly reason: LossReason;
  readonly ranges: readonly SeqRange[];
  readonly rows: number;
}

/**
 * The numbering of one writer (one sink): the next sequence number, and every number lost,
 * until an `audit.lost` row naming it reaches the file. A loss row that is itself lost (a
 * failed write, a full queue) gives its numbers back, to be named again by the next one.
 */
export interface WriterLedger {
  /** The last sequence number given out; 0 before the first. */
  readonly lastSeq: number;
  /** The next sequence number. */
  next(): number;
  /** `seq` will never reach the file, for `reason`. */
  lose(seq: number, reason: LossReason): void;
  /** Whether some loss is not yet named by an `audit.lost` row. */
  hasUnreported(): boolean;
  /** Losses not yet named by an `audit.lost` row in the file or on its way there, at most `maxRanges` ranges a report. */
  takeLossReports(maxRanges: number): LossReport[];
  /** The loss row numbered `seq` carries `report`: if it is lost, its numbers are named again. */
  sent(seq: number, report: LossReport): void;
  /** The rows numbered `first` to `last` that were on their way reached the file. */
  written(first: number, last: number): void;
  /** Rows lost so far, by reason (the loss rows' own included). */
  lostByReason(): Partial<Record<LossReason, number>>;
  /** Rows lost so far. */
  lostTotal(): number;
}

/** A new writer's ledger: nothing numbered, nothing lost. */
export function createWriterLedger(): WriterLedger {
  let lastSeq = 0;
  const lost: Partial<Record<LossReason, number>> = {};
  let lostTotal = 0;
  const unreported = new Map<LossReason, SeqRange[]>();
  const inFlight = new Map<number, LossReport>();

  function unreport(reason: LossReason, ranges: readonly SeqRange[]): void {
    let pending = unreported.get(reason);
    if (pending === undefined) unreported.set(reason, (pending = []));
    for (const range of ranges) addRange(pending, range);
  }

  return {
    get lastSeq() {
      return lastSeq;
    },
    next: () => (lastSeq += 1),
    lose(seq, reason) {
      lost[reason] = (lost[reason] ?? 0) + 1;
      lostTotal += 1;
      let pending = unreported.get(reason);
      if (pending === undefined) unreported.set(reason, (pending = []));
      addSeq(pending, seq);
      const report = inFlight.get(seq);
      if (report !== undefined) {
        inFlight.delete(seq);
        unreport(report.reason, report.ranges);
      }
    },
    hasUnreported: () => unreported.size > 0,
    takeLossReports(maxRanges) {
      if (unreported.size === 0) return [];
      const reports: LossReport[] = [];
      for (const [reason, ranges] of unreported) {
        for (let start = 0; start < ranges.length; start += maxRanges) {
          const chunk = ranges.slice(start, start + maxRanges);
          reports.push({ reason, ranges: chunk, rows: countSeqs(chunk) });
        }
      }
      unreported.clear();
      return reports;
    },
    sent(seq, report) {
      inFlight.set(seq, report);
    },
    written(first, last) {
      if (inFlight.size === 0) return;
      for (const seq of inFlight.keys()) {
        if (seq >= first && seq <= last) inFlight.delete(seq);
      }
    },
    lostByReason: () => ({ ...lost }),
    lostTotal: () => lostTotal,
  };
}
