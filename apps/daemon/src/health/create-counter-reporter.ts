import type { AuditLogger } from '@kora/audit-sink';

/** What {@link createCounterReporter} needs. */
export interface CounterReporterOptions {
  /** The current totals, always the same keys in the same order. */
  readonly read: () => Readonly<Record<string, number>>;
  readonly logger: AuditLogger;
  /** How often to look; 0 or less: only when {@link CounterReporter.report} is called. */
  readonly intervalMs: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/** A periodic warning line of the counters that moved. */
export interface CounterReporter {
  /** Log the line now if any counter moved since the last line. */
  report(): void;
  /** Stop looking (a last {@link CounterReporter.report} is the caller's to make). */
  stop(): void;
}

/** The tag of the line: what the daemon refused or dropped without writing a row for each. */
export const UNAUDITED_LINE_TAG = '[kora.daemon.unaudited]';

/**
 * Every `intervalMs`, when any counter moved since the previous line, log one warning
 * `[kora.daemon.unaudited] interval_ms=<since the last line> <key>=<increase> …` with every
 * key, in order, so that the line reads the same way each time. The line summarises what was
 * counted instead of written: however many requests a flood sends, it is at most one line per
 * interval, and a quiet daemon logs nothing.
 */
export function createCounterReporter(options: CounterReporterOptions): CounterReporter {
  let last = options.read();
  let lastAt = options.clock();
  const report = (): void => {
    const now = options.read();
    const moved = Object.keys(now).some((key) => now[key] !== last[key]);
    if (!moved) return;
    const at = options.clock();
    const increases = Object.entries(now).map(([key, value]) => `${key}=${value - (last[key] ?? 0)}`);
    options.logger.warn(`${UNAUDITED_LINE_TAG} interval_ms=${at - lastAt} ${increases.join(' ')}`);
    last = now;
    lastAt = at;
  };
  // Not holding the process open: the daemon's server does that, and close() reports once more.
  const timer = options.intervalMs > 0 ? setInterval(report, options.intervalMs).unref() : undefined;
  return {
    report,
    stop: () => clearInterval(timer),
  };
}
