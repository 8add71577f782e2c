const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 30_000;

/** The wait between retries of a failing insert. */
export interface RetryBackoff {
  /** An insert failed: draw the wait before the next attempt (100 ms doubling to 30 s, jittered). */
  failed(): void;
  /** The wait before the next attempt, as drawn by the last failure. */
  delayMs(): number;
  /** An insert succeeded: the next outage starts again from 100 ms. */
  succeeded(): void;
}

/**
 * Exponential backoff that grows once per failed attempt, never per call to `delayMs`: rows
 * arriving during an outage ask for the wait many times, and must not stretch it.
 */
export function createRetryBackoff(random: () => number): RetryBackoff {
  let baseMs = 0;
  let delayMs = FIRST_RETRY_MS;
  return {
    failed() {
      baseMs = baseMs === 0 ? FIRST_RETRY_MS : Math.min(baseMs * 2, MAX_RETRY_MS);
      // Full jitter: a fleet whose database comes back does not return in step.
      delayMs = Math.max(FIRST_RETRY_MS, Math.round(baseMs * (0.5 + random() / 2)));
    },
    delayMs: () => delayMs,
    succeeded() {
      baseMs = 0;
      delayMs = FIRST_RETRY_MS;
    },
  };
}
