import { setTimeout as sleep } from 'node:timers/promises';
import { readDatabaseErrorCode } from '@kora/audit-substrate-pg';
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import type { SeamName } from '@kora/audit-sink';
import type { DaemonContext } from '../daemon-context.js';
import { limitRequestBody } from '../http/limit-request-body.js';
import { SEAL_OFF } from '../seal/seal-status.js';
import type { SealStatus } from '../seal/seal-status.js';
import { createFileSource } from './create-panel-sources.js';
import type { PanelSource } from './create-panel-sources.js';
import { OPERATOR_COOKIE, isOperator, readBearer } from './is-operator.js';
import { createOperatorSessions } from './operator-sessions.js';
import type { OperatorSessions } from './operator-sessions.js';
import { PANEL_DEFINITIONS, findPanel } from './panel-definitions.js';
import type { PanelDefinition } from './panel-definitions.js';
import { parseActivityQuery, parsePanelQuery, parseStreamQuery } from './parse-panel-query.js';
import type { QueryProblem } from './parse-panel-query.js';
import { PANEL_PAGE_FAVICON, PANEL_PAGE_HTML } from './page/panel-page-html.js';
import { bundlePanelPage } from './page/bundle-panel-page.js';
import { PANEL_PAGE_STYLE } from './page/panel-page-style.js';
import { readActivity } from './read-activity.js';
import type { RowsAfter } from './read-rows-after.js';

export { OPERATOR_COOKIE } from './is-operator.js';

const DEFAULT_POLL_INTERVAL_MS = 500;
const DEFAULT_HEARTBEAT_MS = 15_000;
const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 256;
// Rows one poll may deliver; a stream further behind than this starts over with a `reset`.
const MAX_ROWS_PER_POLL = 5_000;
// How long a disconnected EventSource waits before reconnecting.
const RECONNECT_MS = 2_000;
// Rows one activity request counts at most: its cost stays bounded however busy the window.
const MAX_ACTIVITY_ROWS = 50_000;
// Every seam some panel shows, in page order, each once.
const ACTIVITY_SEAMS = [...new Set(PANEL_DEFINITIONS.flatMap((panel) => panel.seams))] as [SeamName, ...SeamName[]];

// `script-src 'self'` with no 'unsafe-inline': injected markup could not run script even if
// a value ever escaped the page's text-only rendering.
const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
};

/** What {@link createPanelRoutes} needs. */
export interface PanelRoutesOptions {
  readonly context: DaemonContext;
  /** The live audit file the sink writes; rotated siblings are read after it. */
  readonly auditLogPath: string;
  /**
   * Where the panels read (default: the audit file). With PostgreSQL configured, the fleet's
   * event log: pages and live streams then show every host's rows.
   */
  readonly source?: PanelSource;
  /** The operator token: `Authorization: Bearer <token>`, or once to start a browser session. */
  readonly operatorToken: string;
  /** Where sealing the audit file stands, for the page's integrity section; left out, sealing shows as off. */
  readonly sealStatus?: () => Promise<SealStatus>;
  /** How often a live stream checks for new rows (default 500 ms). */
  readonly pollIntervalMs?: number;
  /** How often a live stream sends a keep-alive comment (default 15 s). */
  readonly heartbeatMs?: number;
  /** How long a browser session lasts (default 12 h). */
  readonly sessionTtlMs?: number;
}

/** The panel routes, mountable with `app.route(…)`, and their check of the operator for other routes. */
export type PanelRoutes = Hono & {
  /** Whether a request carries the operator token or a live session cookie (for `/healthz`). */
  readonly isOperator: (c: Context) => boolean;
};

const loginBody = z.strictObject({ token: z.string().min(1).max(1024) });

/**
 * The operator panels: a JSON API over the audit file (or, with PostgreSQL configured, over
 * the fleet's event log), live server-sent event streams, and the web page at `/`.
 *
 * Every `/api` route but `POST`/`DELETE /api/session` needs the operator token, as
 * `Authorization: Bearer <token>` (scripts) or as the `kora_operator` session cookie that
 * `POST /api/session` sets (the page: an EventSource cannot send headers, and a token in
 * its URL would end up in logs). The cookie holds a random session id, not the token; it is
 * HttpOnly, SameSite=Strict, and Secure when the browser came over HTTPS.
 *
 * - `GET /api/panels`: the panel definitions.
 * - `GET /api/panels/:panel?limit&since&until&cursor&seam` → `{ panel, rows, next_cursor, skipped }`.
 * - `GET /api/panels/:panel/stream?seam&after`: events `ready`, `row` (one row, `id` = row id),
 *   `reset` (the stream lost its place: reload), and heartbeat comments.
 * - `GET /api/activity?minutes&bucket&seam` → calls per seam per bucket over
 *   the last `minutes` (default 60, bucket 60 s), with denied and failed counts.
 * - `GET /api/integrity`: where sealing the audit file stands ({@link SealStatus}).
 */
export function createPanelRoutes(options: PanelRoutesOptions): PanelRoutes {
  const { context, auditLogPath: path } = options;
  const source = options.source ?? createFileSource(path);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const sessions = createOperatorSessions({
    token: options.operatorToken,
    clock: context.clock,
    ttlMs: sessionTtlMs,
    maxSessions: MAX_SESSIONS,
  });
  const requireOperator = createOperatorGuard(sessions);
  const app = new Hono();
  const readBundle = () =>
    bundlePanelPage().catch((error: unknown) => {
      context.audit.logger.warn(`[kora.panels.bundle_failed] error=${error instanceof Error ? error.name : 'Error'}`);
      return undefined;
    });

  // Only this module's paths: a `*` middleware would reach every route of the parent app.
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  });

  app.get('/', (c) => c.body(PANEL_PAGE_HTML, 200, { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' }));
  app.get('/assets/panels.js', async (c) => {
    const bundle = await readBundle();
    if (bundle === undefined) return c.text('the page script could not be built; see the daemon log', 500, PAGE_SECURITY_HEADERS);
    return c.body(bundle.script, 200, { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  app.get('/assets/chart.css', async (c) => {
    const bundle = await readBundle();
    if (bundle === undefined) return c.text('the page stylesheet could not be built; see the daemon log', 500, PAGE_SECURITY_HEADERS);
    return c.body(bundle.style, 200, { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get('/assets/panels.css', (c) =>
    c.body(PANEL_PAGE_STYLE, 200, { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'text/css; charset=utf-8' }),
  );
  app.get('/assets/favicon.svg', (c) => c.body(PANEL_PAGE_FAVICON, 200, { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'image/svg+xml' }));

  const smallBody = limitRequestBody({
    maxBytes: 4096,
    onTooLarge: (c) => problem(c, 413, 'body_too_large', 'the body is larger than 4 KiB'),
  });
  app.post('/api/session', smallBody, async (c) => {
    const presented = readBearer(c.req.header('authorization')) ?? (await readLoginToken(c));
    if (presented === undefined) {
      return problem(c, 400, 'invalid_body', 'send {"token": "<operator token>"} as application/json, or an Authorization: Bearer header');
    }
    if (!sessions.checkToken(presented)) return unauthorized(c);
    const session = sessions.start();
    setCookie(c, OPERATOR_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
      // No Path attribute: browsers then scope the cookie to this URL's directory, `/api` or
      // `/<prefix>/api` behind a proxy that mounts the daemon under a prefix.
      path: undefined,
      maxAge: Math.floor(sessionTtlMs / 1000),
    });
    return c.json({ ok: true, expires_at: new Date(session.expiresAt).toISOString() });
  });
  // A probe the page asks before anything else; answering 200 either way keeps a signed-out
  // visit free of failed requests. It tells no more than a 401 from any other route would.
  app.get('/api/session', (c) => c.json({ signed_in: isOperator(c, sessions) }));
  app.delete('/api/session', (c) => {
    const id = getCookie(c, OPERATOR_COOKIE);
    if (id !== undefined) sessions.end(id);
    deleteCookie(c, OPERATOR_COOKIE, { path: undefined, secure: isHttps(c) });
    return c.body(null, 204);
  });

  app.get('/api/panels', requireOperator, (c) => c.json({ panels: PANEL_DEFINITIONS }));

  app.get('/api/integrity', requireOperator, async (c) => c.json((await options.sealStatus?.()) ?? SEAL_OFF));

  app.get('/api/panels/:panel', requireOperator, async (c) => {
    const panel = findPanel(c.req.param('panel'));
    if (panel === undefined) return unknownPanel(c);
    const query = parsePanelQuery(panel, c.req.queries());
    if (!query.ok) return invalidQuery(c, query.problems);
    const { limit, since, until, cursor, seams } = query.value;
    let page;
    try {
      page = await source.readPage({ seams, since, until, limit, cursor });
    } catch (error) {
      if (error instanceof TypeError && error.message.includes('invalid cursor')) {
        return invalidQuery(c, [{ param: 'cursor', message: 'is not a cursor from this endpoint; pass next_cursor back unchanged' }]);
      }
      context.audit.logger.warn(`[kora.panels.read_failed] panel=${panel.name} source=${source.kind} error=${describeError(error)}`);
      if (source.kind === 'postgres') {
        c.header('Retry-After', '5');
        return problem(c, 503, 'substrate_unavailable', 'the event log database could not be read; see the daemon log');
      }
      return problem(c, 500, 'read_failed', 'the audit file could not be read; see the daemon log');
    }
    return c.json({ panel: panel.name, rows: page.entries, next_cursor: page.cursor, skipped: page.skipped });
  });

  app.get('/api/activity', requireOperator, async (c) => {
    const query = parseActivityQuery(ACTIVITY_SEAMS, c.req.queries());
    if (!query.ok) return invalidQuery(c, query.problems);
    try {
      const activity = await readActivity(source, { ...query.value, now: context.clock(), maxRows: MAX_ACTIVITY_ROWS });
      return c.json(activity);
    } catch (error) {
      context.audit.logger.warn(`[kora.panels.read_failed] panel=activity source=${source.kind} error=${describeError(error)}`);
      if (source.kind === 'postgres') {
        c.header('Retry-After', '5');
        return problem(c, 503, 'substrate_unavailable', 'the event log database could not be read; see the daemon log');
      }
      return problem(c, 500, 'read_failed', 'the audit file could not be read; see the daemon log');
    }
  });

  app.get('/api/panels/:panel/stream', requireOperator, async (c) => {
    const panel = findPanel(c.req.param('panel'));
    if (panel === undefined) return unknownPanel(c);
    const query = parseStreamQuery(panel, c.req.queries(), c.req.header('last-event-id'));
    if (!query.ok) return invalidQuery(c, query.problems);
    const { seams, after } = query.value;
    let position: string | null;
    try {
      // Fix the starting point before answering, so a client that loads its first page after
      // `ready` cannot miss a row written in between.
      position = after ?? (await source.readNewestId());
    } catch (error) {
      context.audit.logger.warn(`[kora.panels.read_failed] panel=${panel.name} error=${describeError(error)}`);
      return problem(c, 500, 'read_failed', 'the audit file could not be read; see the daemon log');
    }
    // Proxies that buffer responses (nginx) would hold rows back until the buffer fills.
    c.header('X-Accel-Buffering', 'no');
    const stop = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => stop.abort(), { once: true });
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => stop.abort());
      await followPanel(stream, {
        panel,
        seams: new Set(seams),
        source,
        position,
        pollIntervalMs,
        heartbeatMs,
        signal: stop.signal,
        onReadError: (error) => {
          context.audit.logger.warn(`[kora.panels.stream_read_failed] panel=${panel.name} error=${describeError(error)}`);
        },
      });
    });
  });

  return Object.assign(app, { isOperator: (c: Context) => isOperator(c, sessions) });
}

interface FollowOptions {
  readonly panel: PanelDefinition;
  readonly seams: ReadonlySet<string>;
  readonly source: PanelSource;
  readonly position: string | null;
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  readonly signal: AbortSignal;
  readonly onReadError: (error: unknown) => void;
}

/** Send the panel's new rows until the client goes away or the server closes the connection. */
async function followPanel(stream: SSEStreamingApi, options: FollowOptions): Promise<void> {
  const { source, signal } = options;
  let position = options.position;
  // The SSE id of `ready` and `reset` is the position too, so a reconnect resumes from there.
  await stream.writeSSE({
    event: 'ready',
    data: JSON.stringify({ panel: options.panel.name, seams: [...options.seams] }),
    retry: RECONNECT_MS,
    ...(position === null ? {} : { id: position }),
  });
  let lastSignature: string | undefined;
  // Transport timing, not audit time: the monotonic clock, not the injectable one.
  let lastWrite = performance.now();
  let failing = false;
  while (!signal.aborted) {
    try {
      await sleep(options.pollIntervalMs, undefined, { signal });
    } catch {
      break;
    }
    // Unchanged: nothing new to read.
    const signature = await source.readSignature?.();
    if (signature === undefined || signature !== lastSignature) {
      let found: RowsAfter;
      try {
        found = await source.readRowsAfter(position, MAX_ROWS_PER_POLL);
        failing = false;
        lastSignature = signature;
      } catch (error) {
        // Report the first failure of a run, not one per poll.
        if (!failing) options.onReadError(error);
        failing = true;
        continue;
      }
      if (!found.found) {
        position = found.position;
        await stream.writeSSE({
          event: 'reset',
          data: JSON.stringify({ reason: 'position_lost' }),
          ...(position === null ? {} : { id: position }),
        });
        lastWrite = performance.now();
        continue;
      }
      for (const row of found.rows) {
        if (signal.aborted) return;
        if (!options.seams.has(row.seam)) continue;
        await stream.writeSSE({ event: 'row', id: row.id, data: JSON.stringify(row) });
        lastWrite = performance.now();
      }
      position = found.position;
    }
    if (performance.now() - lastWrite >= options.heartbeatMs) {
      // A comment: EventSource ignores it, proxies see traffic and keep the connection.
      await stream.write(': heartbeat\n\n');
      lastWrite = performance.now();
    }
  }
}

/** Middleware: the operator token as a bearer header, or a live session cookie; 401 otherwise. */
function createOperatorGuard(sessions: OperatorSessions): MiddlewareHandler {
  return async (c, next) => {
    if (!isOperator(c, sessions)) return unauthorized(c);
    await next();
  };
}

/**
 * Whether the browser reached us over HTTPS, directly or through a TLS-terminating proxy.
 * Trusting the forwarded header is safe here: it can only add the cookie's Secure flag.
 */
function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || new URL(c.req.url).protocol === 'https:';
}

async function readLoginToken(c: Context): Promise<string | undefined> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) return undefined;
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return undefined;
  }
  const parsed = loginBody.safeParse(body);
  return parsed.success ? parsed.data.token : undefined;
}

function unauthorized(c: Context): Response {
  c.header('WWW-Authenticate', 'Bearer realm="kora-operator"');
  return problem(c, 401, 'unauthorized', 'send the operator token as Authorization: Bearer <token>, or sign in at /');
}

function unknownPanel(c: Context): Response {
  const names = PANEL_DEFINITIONS.map((panel) => panel.name).join(', ');
  return problem(c, 404, 'unknown_panel', `no such panel; the panels are ${names}`);
}

function invalidQuery(c: Context, problems: readonly QueryProblem[]): Response {
  const message = problems.map((entry) => `${entry.param} ${entry.message}`).join('; ');
  return c.json({ error: 'invalid_query', message, problems }, 400);
}

function problem(c: Context, status: 400 | 401 | 404 | 413 | 500 | 503, error: string, message: string): Response {
  return c.json({ error, message }, status);
}

/** An error's code (`ENOENT`, a SQLSTATE, pg's `query_timeout`) or its class name, never its message. */
function describeError(error: unknown): string {
  return error instanceof Error || (typeof error === 'object' && error !== null) ? readDatabaseErrorCode(error) : 'Error';
}
