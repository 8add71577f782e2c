import { readErrorTypeName } from '@kora/audit-sink';
import type { AuditLogger } from '@kora/audit-sink';
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';

// The daemon's route families, for the log: a fixed word per family, never the request's path.
const PATH_KINDS: readonly (readonly [prefix: string, kind: string])[] = [
  ['/mcp', 'mcp'],
  ['/webhooks/', 'webhook'],
  ['/api/', 'panels_api'],
  ['/assets/', 'page'],
  ['/healthz', 'health'],
  ['/.well-known/', 'discovery'],
];

/** The family of routes `path` belongs to: `mcp`, `webhook`, `panels_api`, `page`, `health`, `discovery` or `other`. */
export function pathKindOf(path: string): string {
  if (path === '/') return 'page';
  for (const [prefix, kind] of PATH_KINDS) {
    if (path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)) return kind;
  }
  return 'other';
}

/**
 * Answer what no route answered, in the JSON shape of every other refusal: an unknown path is
 * a 404, and an exception escaping a route is a generic 500 logged as
 * `[kora.daemon.request_failed] path_kind=<family> error=<Type>`, unless the client had
 * already gone (its request could not be read to the end), which is not logged. Neither the answer nor the
 * log line carries the path, the query, the message or the stack: any of them can hold what a
 * caller sent, and the type name is enough to find the bug.
 */
export function installErrorHandlers(app: Hono, logger: AuditLogger): void {
  app.notFound((c) => c.json({ error: 'not_found', message: 'no such endpoint' }, 404));
  app.onError((error, c) => {
    // A deliberate HTTP answer thrown by middleware, not a failure.
    if (error instanceof HTTPException) return c.json({ error: 'request_refused', message: 'the request was refused' }, error.status);
    // The client went away or was cut off (a body that never finished): reading its request
    // failed because of that, not because of a bug, and nobody is left to answer. Logging
    // these would let any slow client write to the log at will.
    if (c.req.raw.signal.aborted) return c.json({ error: 'request_aborted', message: 'the connection ended before the request did' }, 400);
    logger.warn(`[kora.daemon.request_failed] path_kind=${pathKindOf(c.req.path)} error=${readErrorTypeName(error)}`);
    return c.json({ error: 'internal_error', message: 'the request failed; the daemon log has the error type' }, 500);
  });
}
