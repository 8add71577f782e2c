import type { AuditSink } from '@kora/audit-sink';
import type { SubstrateWriterStats } from '@kora/audit-substrate-pg';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { SEAL_OFF } from '../seal/seal-status.js';
import type { SealStatus } from '../seal/seal-status.js';

/** What {@link createHealthRoutes} needs. */
export interface HealthRoutesOptions {
  readonly sink: AuditSink;
  /** The event log writer's counters, when PostgreSQL is configured. */
  readonly substrateStats?: () => SubstrateWriterStats;
  /** What the daemon refused or dropped, by name (see `describeRequestCounters` in create-daemon). */
  readonly readRequestCounters: () => Readonly<Record<string, number>>;
  /** Whether a request comes from the operator (token or session), as the panels decide it. */
  readonly isOperator: (c: Context) => boolean;
  /** Where sealing the audit file stands; left out, sealing shows as off. */
  readonly sealStatus?: () => Promise<SealStatus>;
}

/**
 * `GET /healthz`. Anyone may ask whether the daemon is ok (a load balancer's probe): without an
 * `Authorization` header the answer is `{ ok }` alone, 200 when ok and 503 when not. The
 * counters are the operator's (the `redacted` counts alone would tell an outsider which shapes
 * the guard catches, a writer id ties rows to this process): with the operator token the answer
 * adds the sink's stats (its writer's id, sequence position and losses among them), the event
 * log's and the request counters, and `audit.seal`, where sealing the file stands (a failed
 * seal does not make the daemon unhealthy: the rows are still written), with the same status;
 * a wrong token is answered 401.
 */
export function createHealthRoutes(options: HealthRoutesOptions): Hono {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    const stats = options.sink.stats();
    // Not ok while the disk refuses rows; the counters keep the history once it is back.
    const ok = !stats.writeFailing;
    const status = ok ? 200 : 503;
    c.header('Cache-Control', 'no-store');
    const operator = options.isOperator(c);
    if (!operator && c.req.header('authorization') !== undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="kora-operator"');
      return c.json(
        { error: 'unauthorized', message: 'send the operator token as Authorization: Bearer <token>, or no token for ok alone' },
        401,
      );
    }
    if (!operator) return c.json({ ok }, status);
    const substrate = options.substrateStats?.();
    const seal = describeSeal((await options.sealStatus?.()) ?? SEAL_OFF);
    return c.json(
      {
        ok,
        audit: {
          rows_written: stats.rowsWritten,
          rows_pending: stats.rowsPending,
          skipped: stats.skipped,
          redacted: stats.redacted,
          truncated: stats.truncated,
          write_failures: stats.writeFailures,
          last_error: stats.lastError?.code ?? null,
          mirror_failures: stats.mirrorFailures,
          // The sink as a writer: the id its rows carry (null before its first row), the last
          // sequence number it gave out, and the rows it numbered that never reach the file.
          writer: { id: stats.writer.id, seq: stats.writer.seq, lost: stats.writer.lost },
          seal,
        },
        // The event log is a copy: its outage does not make the daemon unhealthy, the file has every row.
        ...(substrate === undefined ? {} : { substrate: describeSubstrate(substrate) }),
        requests: options.readRequestCounters(),
      },
      status,
    );
  });
  return app;
}

function describeSeal(status: SealStatus): Record<string, unknown> {
  return {
    enabled: status.enabled,
    state: status.state,
    origin: status.origin,
    key: status.key,
    size: status.size,
    last_checkpoint_at: status.last_checkpoint_at,
    lag_seconds: status.lag_seconds,
    unsealed_bytes: status.unsealed_bytes,
    open_check: status.open_check,
    ...(status.error === undefined ? {} : { error: status.error }),
  };
}

function describeSubstrate(stats: SubstrateWriterStats): Record<string, unknown> {
  return {
    failing: stats.failing,
    rows_delivered: stats.rowsDelivered,
    rows_queued: stats.rowsQueued,
    rows_dropped: stats.rowsDropped,
    rows_rejected: stats.rowsRejected,
    last_error: stats.lastError?.code ?? null,
  };
}
