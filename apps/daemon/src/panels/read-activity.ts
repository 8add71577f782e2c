import type { ReadSkipCounts, SeamName } from '@kora/audit-sink';
import { classifyOutcome } from './classify-outcome.js';
import type { PanelSource } from './create-panel-sources.js';

/** Calls of one seam per bucket, oldest bucket first. */
export interface SeamActivity {
  readonly seam: SeamName;
  readonly total: number[];
  readonly denied: number[];
  readonly failed: number[];
}

/** The body of `GET /api/activity`. */
export interface Activity {
  /** The window's start (inclusive) and end (exclusive), ISO-8601. */
  readonly from: string;
  readonly to: string;
  readonly bucket_seconds: number;
  /** Each bucket's start, in Unix seconds. */
  readonly times: number[];
  readonly seams: SeamActivity[];
  /** Rows counted. */
  readonly rows: number;
  /** More rows were in the window than one request counts: the oldest buckets are short. */
  readonly truncated: boolean;
  readonly skipped: ReadSkipCounts;
}

/** What {@link readActivity} counts. */
export interface ActivityRequest {
  readonly seams: readonly SeamName[];
  readonly minutes: number;
  readonly bucketSeconds: number;
  /** Now, in epoch milliseconds: the window ends at the end of the bucket holding it. */
  readonly now: number;
  /** The most rows one request reads; newer rows are read first. */
  readonly maxRows: number;
}

const PAGE_ROWS = 500;

/**
 * Count the rows of `seams` per bucket over the last `minutes`, each split into denied and
 * failed (see {@link classifyOutcome}). Reads newest first through the panel source's pages,
 * so the same filters and the same file or database serve it, and stops after `maxRows`.
 */
export async function readActivity(source: PanelSource, request: ActivityRequest): Promise<Activity> {
  const bucketMs = request.bucketSeconds * 1000;
  const to = (Math.floor(request.now / bucketMs) + 1) * bucketMs;
  const count = Math.ceil((request.minutes * 60_000) / bucketMs);
  const from = to - count * bucketMs;
  const times = Array.from({ length: count }, (_, index) => (from + index * bucketMs) / 1000);
  const bySeam = new Map<string, SeamActivity>();
  for (const seam of request.seams) {
    bySeam.set(seam, {
      seam,
      total: new Array<number>(count).fill(0),
      denied: new Array<number>(count).fill(0),
      failed: new Array<number>(count).fill(0),
    });
  }
  const skipped = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let rows = 0;
  let read = 0;
  let cursor: string | undefined;
  let truncated = false;
  for (;;) {
    const limit = Math.min(PAGE_ROWS, request.maxRows - read);
    const page = await source.readPage({
      seams: request.seams,
      since: new Date(from).toISOString(),
      until: new Date(to).toISOString(),
      limit,
      cursor,
    });
    skipped.blank += page.skipped.blank;
    skipped.malformed += page.skipped.malformed;
    skipped.torn += page.skipped.torn;
    skipped.invalid += page.skipped.invalid;
    read += page.entries.length;
    for (const entry of page.entries) {
      const series = bySeam.get(entry.seam);
      const index = Math.floor((Date.parse(entry.emitted_at) - from) / bucketMs);
      if (series === undefined || !(index >= 0 && index < count)) continue;
      rows += 1;
      series.total[index] = (series.total[index] ?? 0) + 1;
      const outcome = classifyOutcome(entry.seam, entry.details);
      if (outcome !== 'ok') series[outcome][index] = (series[outcome][index] ?? 0) + 1;
    }
    if (page.cursor === null || page.entries.length === 0) break;
    if (read >= request.maxRows) {
      truncated = true;
      break;
    }
    cursor = page.cursor;
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucket_seconds: request.bucketSeconds,
    times,
    seams: [...bySeam.values()],
    rows,
    truncated,
    skipped,
  };
}
