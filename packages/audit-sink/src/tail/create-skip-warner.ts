import type { AuditLogger } from '../seam/emit-types.js';

const SKIP_WARNINGS_PER_MINUTE = 10;

/**
 * Make a tailing loop's `[<logPrefix>.skipped]` warning (`[kora.ship.skipped]`): a line passed
 * over, named by file, offset and reason, never its content. At most ten a minute; the next one says how many were left
 * out meanwhile.
 */
export function createSkipWarner(
  logger: AuditLogger,
  logPrefix: `kora.${string}`,
  now: () => number = Date.now,
): (name: string, offset: number, reason: string) => void {
  let window = { startedAt: 0, count: 0, suppressed: 0 };
  return (name, offset, reason) => {
    const at = now();
    if (at - window.startedAt >= 60_000) window = { startedAt: at, count: 0, suppressed: window.suppressed };
    if (window.count >= SKIP_WARNINGS_PER_MINUTE) {
      window.suppressed += 1;
      return;
    }
    window.count += 1;
    const suppressed = window.suppressed > 0 ? ` suppressed=${window.suppressed}` : '';
    window.suppressed = 0;
    logger.warn(`[${logPrefix}.skipped] path=${name} offset=${offset} reason=${reason}${suppressed}`);
  };
}
