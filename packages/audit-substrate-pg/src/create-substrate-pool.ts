import pg from 'pg';

/**
 * How long a connection may take before it counts as failed. A database that stops answering
 * (a failover, a peer gone behind a load balancer) otherwise holds a query, and everything
 * queued behind it, for as long as the operating system keeps the socket: minutes to hours.
 */
export interface SubstrateTimeouts {
  /** To connect and log in, in milliseconds (default 5,000). */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * Longest wait for the answer to any statement, in milliseconds, measured by the client
   * (default 15,000): a connection that stops answering fails its query with
   * `code=query_timeout` and is closed, not lent out again.
   */
  readonly queryTimeoutMs?: number | undefined;
  /**
   * The server's `statement_timeout` for the session, in milliseconds (default 10,000): the
   * server cancels a statement that runs longer (SQLSTATE 57014). Keep it below the query timeout,
   * so a slow server says so before the client gives up on it.
   */
  readonly statementTimeoutMs?: number | undefined;
  /**
   * TCP keepalive: an idle connection is probed after this many milliseconds (default 10,000),
   * so a peer that vanished is noticed by the operating system, not by the next query.
   */
  readonly keepAliveInitialDelayMs?: number | undefined;
}

/** Options of {@link createSubstratePool}. */
export interface SubstratePoolOptions extends SubstrateTimeouts {
  /** A `postgres://` connection string. */
  readonly connectionString: string;
  /** Connections at most (default 4). */
  readonly max?: number | undefined;
  /** Shown in `pg_stat_activity.application_name`. */
  readonly applicationName?: string | undefined;
  /** An idle connection is closed after this many milliseconds (default 30,000). */
  readonly idleTimeoutMs?: number | undefined;
}

/** The timeouts {@link createSubstratePool} uses for those not given. */
export const DEFAULT_SUBSTRATE_TIMEOUTS = {
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 15_000,
  statementTimeoutMs: 10_000,
  keepAliveInitialDelayMs: 10_000,
} as const satisfies Required<SubstrateTimeouts>;

/**
 * A `pg.Pool` for the event log with every timeout set: connect, query (client side),
 * statement (server side) and TCP keepalive, so a frozen connection fails its query instead of
 * stalling the writer, the shipper or a panel forever. An error on an idle connection (a server
 * restart) is absorbed (the next query reconnects); add a listener of your own to log it.
 * Rejects nothing itself; throws a RangeError on a timeout that is not a positive integer.
 */
export function createSubstratePool(options: SubstratePoolOptions): pg.Pool {
  const timeouts = readSubstrateTimeouts(options);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 4,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    query_timeout: timeouts.queryTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveInitialDelayMs,
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  // Without a listener an idle connection's error would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** The timeouts with defaults filled in, each checked to be a positive whole number of milliseconds. */
export function readSubstrateTimeouts(timeouts: SubstrateTimeouts): Required<{ [K in keyof SubstrateTimeouts]: number }> {
  const read = (name: keyof SubstrateTimeouts): number => {
    const value = timeouts[name] ?? DEFAULT_SUBSTRATE_TIMEOUTS[name];
    // pg reads 0 as "no timeout": a stall would be back.
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`createSubstratePool: ${name} must be a positive whole number of milliseconds`);
    return value;
  };
  return {
    connectTimeoutMs: read('connectTimeoutMs'),
    queryTimeoutMs: read('queryTimeoutMs'),
    statementTimeoutMs: read('statementTimeoutMs'),
    keepAliveInitialDelayMs: read('keepAliveInitialDelayMs'),
  };
}
