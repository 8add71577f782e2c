import { isSeamName } from '../envelope/seam-names.js';
import type { SeamName } from '../envelope/seam-names.js';

/** A time bound: a Date, an ISO-8601 string, or epoch milliseconds. */
export type TimeBound = Date | string | number;

/** The filters every reader of audit rows takes, the file's and the event log's alike. */
export interface ReadFilters {
  /** Only rows of these seams (default: all). */
  readonly seams?: readonly SeamName[] | undefined;
  /** Only rows emitted at or after this time (inclusive). */
  readonly since?: TimeBound | undefined;
  /** Only rows emitted before this time (exclusive). */
  readonly until?: TimeBound | undefined;
  /** Rows per page, 1–10,000 (default 100). */
  readonly limit?: number | undefined;
}

/** {@link ReadFilters}, checked: a seam set, times in epoch milliseconds, a page size. */
export interface ParsedReadFilters {
  readonly seams: ReadonlySet<SeamName> | undefined;
  readonly sinceMs: number | undefined;
  readonly untilMs: number | undefined;
  readonly limit: number;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/**
 * Check a reader's filters the same way for every reader, so the file and the event log
 * refuse the same options with the same words. Throws a RangeError naming `reader` and the
 * option: an unknown seam, a time no Date can hold, a limit outside 1–10,000.
 */
export function parseReadFilters(reader: string, filters: ReadFilters): ParsedReadFilters {
  const { limit } = filters;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
    throw new RangeError(`${reader}: limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  for (const name of filters.seams ?? []) {
    if (!isSeamName(name)) throw new RangeError(`${reader}: unknown seam '${String(name)}'`);
  }
  return {
    seams: filters.seams === undefined ? undefined : new Set(filters.seams),
    sinceMs: parseTimeBound(reader, 'since', filters.since),
    untilMs: parseTimeBound(reader, 'until', filters.until),
    limit: limit ?? DEFAULT_LIMIT,
  };
}

function parseTimeBound(reader: string, name: string, bound: TimeBound | undefined): number | undefined {
  if (bound === undefined) return undefined;
  const ms = bound instanceof Date ? bound.getTime() : typeof bound === 'number' ? bound : Date.parse(bound);
  if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw new RangeError(`${reader}: ${name} must be a Date, an ISO-8601 string or epoch milliseconds`);
  }
  return ms;
}
