import type { AuditLogger } from '@kora/audit-sink';
import { readDatabaseErrorCode } from '../classify-database-error.js';
import type { RetryBackoff } from '@kora/audit-sink/tail';

/** Options of {@link createDatabaseOutage}. */
export interface DatabaseOutageOptions {
  /** Where `[kora.ship.database_unavailable]`, `[kora.ship.database_available]` and `[kora.ship.gave_up]` go. */
  readonly logger: AuditLogger;
  /** The database as the lines name it: its URL without the password, or `pool`. */
  readonly databaseLabel: string;
  /** Takes the password out of an error's message before it is logged. */
  readonly scrub: (text: string) => string;
  /** The waits between attempts. */
  readonly backoff: RetryBackoff;
  /** Give up once an outage has lasted this long (default: never). */
  readonly giveUpAfterMs?: number | undefined;
  /** Wait this long, or less when stopped first. */
  readonly pause: (ms: number) => Promise<void>;
  /** Called once, when the shipper gives up. */
  readonly onGiveUp: () => void;
  /** The clock (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

/** What the shipper's counters say of the database. */
export interface DatabaseOutageStats {
  /** Failed attempts to reach or write to the database. */
  readonly databaseFailures: number;
  /** False from a failed attempt until one succeeds. */
  readonly databaseAvailable: boolean;
  /** True once the database stayed away past `giveUpAfterMs`. */
  readonly gaveUp: boolean;
  /** The last database error's code (SQLSTATE or Node code), for the record. */
  readonly lastError: { readonly code: string; readonly at: string } | null;
}

/** The shipper's view of the database between attempts: outages, their waits, and giving up. */
export interface DatabaseOutage {
  /** An attempt failed: counted, warned about once per outage, and the give-up checked. */
  failed(error: unknown): void;
  /** An attempt succeeded: an outage, if one was going on, is over. */
  succeeded(): void;
  /** Wait as the backoff says after the failures of this outage so far. */
  wait(): Promise<void>;
  /** Whether an attempt failed and none has succeeded since. */
  ongoing(): boolean;
  /** Run `body` until it succeeds, waiting between attempts; false when `signal` stops it first. */
  retry(body: () => Promise<unknown>, signal: AbortSignal): Promise<boolean>;
  /** A snapshot of the counters. */
  stats(): DatabaseOutageStats;
}

/**
 * Track the database's outages for the shipper: every failure is counted and draws the next
 * wait from the shared backoff ({@link RetryBackoff}); the first of an outage is warned about
 * (its code and message, without the password), its end is noted with how long it lasted, and
 * once it has lasted `giveUpAfterMs` the shipper is told to stop.
 */
export function createDatabaseOutage(options: DatabaseOutageOptions): DatabaseOutage {
  const { logger, databaseLabel, backoff, giveUpAfterMs } = options;
  const now = options.now ?? Date.now;
  const counters = { databaseFailures: 0, databaseAvailable: true, gaveUp: false, lastError: null as { code: string; at: string } | null };
  let startedAt: number | undefined;

  const failed = (error: unknown): void => {
    const code = readDatabaseErrorCode(error);
    counters.databaseFailures += 1;
    counters.databaseAvailable = false;
    backoff.failed();
    counters.lastError = { code, at: new Date(now()).toISOString() };
    if (startedAt === undefined) {
      startedAt = now();
      const message = error instanceof Error ? options.scrub(error.message).replace(/\s+/g, ' ') : '';
      logger.warn(
        `[kora.ship.database_unavailable] code=${code} database=${databaseLabel} message=${JSON.stringify(message)} retrying with backoff; rows wait in the file`,
      );
    }
    const outageMs = now() - startedAt;
    if (giveUpAfterMs !== undefined && outageMs >= giveUpAfterMs && !counters.gaveUp) {
      counters.gaveUp = true;
      logger.warn(
        `[kora.ship.gave_up] code=${code} database=${databaseLabel} after_ms=${outageMs}; the rows not shipped wait in the file for the next run`,
      );
      options.onGiveUp();
    }
  };

  const succeeded = (): void => {
    counters.databaseAvailable = true;
    backoff.succeeded();
    if (startedAt !== undefined) {
      logger.info(`[kora.ship.database_available] database=${databaseLabel} after_ms=${now() - startedAt}`);
      startedAt = undefined;
    }
  };

  const wait = (): Promise<void> => {
    const delayMs = backoff.delayMs();
    // Try once more right when the give-up time comes, not a whole backoff step after it.
    const untilGiveUp = giveUpAfterMs === undefined || startedAt === undefined ? delayMs : startedAt + giveUpAfterMs - now();
    return options.pause(Math.max(0, Math.min(delayMs, untilGiveUp)));
  };

  const retry = async (body: () => Promise<unknown>, signal: AbortSignal): Promise<boolean> => {
    for (;;) {
      if (signal.aborted) return false;
      try {
        await body();
        succeeded();
        return true;
      } catch (error) {
        failed(error);
        await wait();
      }
    }
  };

  return { failed, succeeded, wait, retry, ongoing: () => startedAt !== undefined, stats: () => ({ ...counters }) };
}
