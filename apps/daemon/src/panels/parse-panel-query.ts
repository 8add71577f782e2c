import type { SeamName } from '@kora/audit-sink';
import { z } from 'zod';
import type { PanelDefinition } from './panel-definitions.js';

/** Rows per page when the caller does not say. */
export const DEFAULT_PANEL_LIMIT = 50;
/** The most rows one page may ask for. */
export const MAX_PANEL_LIMIT = 500;

/** A page request of one panel, parsed. */
export interface PanelQuery {
  /** Rows per page, 1–500. */
  readonly limit: number;
  /** ISO-8601 lower bound on `emitted_at`, inclusive. */
  readonly since: string | undefined;
  /** ISO-8601 upper bound on `emitted_at`, exclusive. */
  readonly until: string | undefined;
  /** The previous page's `next_cursor`. */
  readonly cursor: string | undefined;
  /** The seams to show: the panel's own, or the subset the caller asked for. */
  readonly seams: readonly SeamName[];
}

/** A live stream request of one panel, parsed. */
export interface StreamQuery {
  /** The seams to send: the panel's own, or the subset the caller asked for. */
  readonly seams: readonly SeamName[];
  /** The row id to continue after (`Last-Event-ID`, else `after`), or undefined to start now. */
  readonly after: string | undefined;
}

/** Minutes the activity chart covers when the caller does not say, and at most. */
export const DEFAULT_ACTIVITY_MINUTES = 60;
export const MAX_ACTIVITY_MINUTES = 1440;
/** Bucket width in seconds when the caller does not say, and its bounds. */
export const DEFAULT_ACTIVITY_BUCKET_SECONDS = 60;
export const MIN_ACTIVITY_BUCKET_SECONDS = 10;
export const MAX_ACTIVITY_BUCKET_SECONDS = 3600;
/** The most buckets one activity request may ask for. */
export const MAX_ACTIVITY_BUCKETS = 720;

/** An activity request, parsed. */
export interface ActivityQuery {
  /** How far back the window reaches, 1–1440 minutes. */
  readonly minutes: number;
  /** The width of one bucket, 10–3600 seconds. */
  readonly bucketSeconds: number;
  /** The seams to count: `seams`, or the subset the caller asked for. */
  readonly seams: readonly SeamName[];
}

/** One thing wrong with a request, by parameter name. */
export interface QueryProblem {
  readonly param: string;
  readonly message: string;
}

/** A parsed request, or everything wrong with it. */
export type QueryOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: QueryProblem[] };

/** Query parameters as Hono's `c.req.queries()` gives them: every value of every name. */
export type RawQuery = Readonly<Record<string, readonly string[]>>;

const ROW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with seconds and a time zone, like 2026-01-31T09:00:00Z',
});

/** A parameter that may appear at most once. */
function once<T extends z.ZodType<unknown, string>>(inner: T) {
  return z
    .array(z.string())
    .max(1, { error: 'must be given once' })
    .transform((values) => values[0] ?? '')
    .pipe(inner)
    .optional();
}

function seamList(panel: PanelDefinition) {
  return z.array(z.enum(panel.seams, { error: `must be one of the ${panel.name} panel's seams: ${panel.seams.join(', ')}` })).optional();
}

/**
 * Parse `?limit&since&until&cursor&seam` for one panel. `seam` may repeat; every other
 * parameter appears at most once; unknown parameters are refused so a typo is not silently
 * ignored; `since` must be before `until`.
 */
export function parsePanelQuery(panel: PanelDefinition, query: RawQuery): QueryOutcome<PanelQuery> {
  const schema = z
    .strictObject({
      limit: once(
        z
          .string()
          .regex(/^\d{1,4}$/, { error: `must be an integer from 1 to ${MAX_PANEL_LIMIT}` })
          .transform(Number)
          .pipe(
            z
              .number()
              .min(1, { error: `must be an integer from 1 to ${MAX_PANEL_LIMIT}` })
              .max(MAX_PANEL_LIMIT, { error: `must be an integer from 1 to ${MAX_PANEL_LIMIT}` }),
          ),
      ),
      since: once(isoTime),
      until: once(isoTime),
      cursor: once(z.string().min(1, { error: 'must not be empty' }).max(4096, { error: 'is too long' })),
      seam: seamList(panel),
    })
    .refine((value) => value.since === undefined || value.until === undefined || Date.parse(value.since) < Date.parse(value.until), {
      error: 'must be later than since',
      path: ['until'],
    });
  const parsed = schema.safeParse(query);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues) };
  const value = parsed.data;
  return {
    ok: true,
    value: {
      limit: value.limit ?? DEFAULT_PANEL_LIMIT,
      since: value.since,
      until: value.until,
      cursor: value.cursor,
      seams: narrowSeams(panel, value.seam),
    },
  };
}

/**
 * Parse a stream request: `?seam` (repeatable) and `?after=<row id>`; a `Last-Event-ID`
 * header, which a reconnecting EventSource sends, wins over `after`.
 */
export function parseStreamQuery(panel: PanelDefinition, query: RawQuery, lastEventId: string | undefined): QueryOutcome<StreamQuery> {
  const rowId = z.string().regex(ROW_ID, { error: 'must be the id of an audit row' });
  const schema = z.strictObject({ seam: seamList(panel), after: once(rowId) });
  const parsed = schema.safeParse(query);
  const problems = parsed.success ? [] : describeIssues(parsed.error.issues);
  // An empty Last-Event-ID is what a stream that never sent an id reconnects with.
  const header = lastEventId === undefined || lastEventId === '' ? undefined : lastEventId;
  if (header !== undefined && !rowId.safeParse(header).success) {
    problems.push({ param: 'Last-Event-ID', message: 'must be the id of an audit row' });
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { seams: narrowSeams(panel, parsed.data.seam), after: header ?? parsed.data.after } };
}

function integerParam(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,5}$/, { error: message })
    .transform(Number)
    .pipe(z.number().min(min, { error: message }).max(max, { error: message }));
}

/**
 * Parse `?minutes&bucket&seam` for the activity chart, counting among `seams` (every panel's).
 * `seam` may repeat; the others appear at most once; unknown parameters are refused; the
 * window holds at most 720 buckets and at least one whole one.
 */
export function parseActivityQuery(seams: readonly [SeamName, ...SeamName[]], query: RawQuery): QueryOutcome<ActivityQuery> {
  const schema = z
    .strictObject({
      minutes: once(integerParam(1, MAX_ACTIVITY_MINUTES)),
      bucket: once(integerParam(MIN_ACTIVITY_BUCKET_SECONDS, MAX_ACTIVITY_BUCKET_SECONDS)),
      seam: z.array(z.enum(seams, { error: `must be one of ${seams.join(', ')}` })).optional(),
    })
    .transform((value) => ({
      minutes: value.minutes ?? DEFAULT_ACTIVITY_MINUTES,
      bucketSeconds: value.bucket ?? DEFAULT_ACTIVITY_BUCKET_SECONDS,
      seam: value.seam,
    }))
    .refine((value) => value.bucketSeconds <= value.minutes * 60, {
      error: 'must not be longer than the window (minutes)',
      path: ['bucket'],
    })
    .refine((value) => (value.minutes * 60) / value.bucketSeconds <= MAX_ACTIVITY_BUCKETS, {
      error: `makes more than ${MAX_ACTIVITY_BUCKETS} buckets; ask for fewer minutes or a wider bucket`,
      path: ['bucket'],
    });
  const parsed = schema.safeParse(query);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues) };
  const { minutes, bucketSeconds, seam } = parsed.data;
  const asked = seam === undefined || seam.length === 0 ? seams : seams.filter((name) => seam.includes(name));
  return { ok: true, value: { minutes, bucketSeconds, seams: asked } };
}

function narrowSeams(panel: PanelDefinition, asked: readonly SeamName[] | undefined): readonly SeamName[] {
  if (asked === undefined || asked.length === 0) return panel.seams;
  // Keep the panel's order and drop repeats.
  return panel.seams.filter((seam) => asked.includes(seam));
}

// Unknown parameter names are the caller's own text: only plain ones are named back.
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,32}$/;

function describeIssues(issues: readonly z.core.$ZodIssue[]): QueryProblem[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      if (issue.keys.every((key) => PLAIN_NAME.test(key))) {
        return { param: issue.keys.join(', '), message: 'is not a parameter of this endpoint' };
      }
      const count = issue.keys.length;
      return { param: 'query', message: `has ${count} unknown ${count === 1 ? 'parameter' : 'parameters'}` };
    }
    const [name] = issue.path;
    return { param: typeof name === 'string' ? name : 'query', message: issue.message };
  });
}
