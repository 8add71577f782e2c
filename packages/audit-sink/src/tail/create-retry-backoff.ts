/** Options of {@link createRetryBackoff}; checked by its callers, who name them to their users. */
export interface RetryBackoffOptions {
  /** The wait after the first failure of an outage, and the least any wait is (default 100 ms). */
  readonly initialDelayMs?: number | undefined;
  /** The most any wait is (default 30 s). */
  readonly maxDelayMs?: number | undefined;
  /** The jitter source, a number in [0, 1) (default `Math.random`). */
  readonly random?: (() => number) | undefined;
}

/** The wait between retries of a failing delivery (a database statement, an export batch). */
export interface RetryBackoff {
  /** An attempt failed: draw the wait before the next one. */
  failed(): void;
  /** The wait before the next attempt, in whole milliseconds, as drawn by the last failure. */
  delayMs(): number;
  /** An attempt succeeded: the next outage starts again from the first delay. */
  succeeded(): void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 30_000;

/**
 * Exponential backoff with equal jitter, shared by the database writer, the shipper and the exporter. The n-th failure
 * in a row sets a base of `initialDelayMs` × 2^(n-1), at most `maxDelayMs`, and draws the wait
 * between half the base and all of it, never under `initialDelayMs`: so a fleet whose database
 * comes back does not return in step, and no wait is longer than the base. The base grows once
 * per failed attempt, never per call to `delayMs`: rows arriving during an outage ask for the
 * wait many times, and must not stretch it.
 */
export function createRetryBackoff(options: RetryBackoffOptions = {}): RetryBackoff {
  const initialDelayMs = options.initialDelayMs ?? FIRST_RETRY_MS;
  const maxDelayMs = options.maxDelayMs ?? Math.max(MAX_RETRY_MS, initialDelayMs);
  const random = options.random ?? Math.random;
  let baseMs = 0;
  let delayMs = initialDelayMs;
  return {
    failed() {
      baseMs = baseMs === 0 ? Math.min(initialDelayMs, maxDelayMs) : Math.min(baseMs * 2, maxDelayMs);
      // Equal jitter: half the base for sure, the other half at random.
      delayMs = Math.min(maxDelayMs, Math.max(initialDelayMs, Math.round(baseMs * (0.5 + random() / 2))));
    },
    delayMs: () => delayMs,
    succeeded() {
      baseMs = 0;
      delayMs = initialDelayMs;
    },
  };
}
