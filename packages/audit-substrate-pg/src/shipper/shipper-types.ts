import type { CheckpointAnchorStats } from '../checkpoints/create-checkpoint-anchor.js';
import type { AuditLogger } from '@kora/audit-sink';
import type pg from 'pg';
import type { SubstrateTimeouts } from '../create-substrate-pool.js';

/**
 * Options of {@link createShipper}. An option left out (or `undefined`) takes its default; one
 * that is given must be valid, else `createShipper` throws a TypeError (wrong type, or neither or
 * both of `pool` and `databaseUrl`) or a RangeError (out of range, not a whole number, an empty
 * `originHost`, a table name that is not an identifier). Nothing is clamped.
 */
export interface ShipperOptions {
  /** The live audit file; its rotated files `path.1`, `path.2`, … are shipped too, oldest first. */
  readonly path: string;
  /** A pool to insert through (the caller ends it). Give this or `databaseUrl`. */
  readonly pool?: pg.Pool | undefined;
  /** A PostgreSQL connection string; the shipper opens and ends its own pool. */
  readonly databaseUrl?: string | undefined;
  /**
   * Timeouts of the pool opened for `databaseUrl` (default: connect 10 s, statement 60 s, query
   * 70 s, keepalive after 10 s; a batch may be large). A statement that times out counts as an
   * outage: the batch is retried with backoff. Give your own `pool` its timeouts yourself
   * ({@link createSubstratePool}).
   */
  readonly timeouts?: SubstrateTimeouts | undefined;
  /** The checkpoint file (default `<path>.ship-checkpoint.json`). */
  readonly checkpointPath?: string | undefined;
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /** Stored in every row's `origin_host` (default `os.hostname()`). */
  readonly originHost?: string | undefined;
  /** Rows per insert, 1–50,000 (default 2,000). */
  readonly batchRows?: number | undefined;
  /** Keep shipping new rows until stopped (default false: ship what is there, then resolve). */
  readonly follow?: boolean | undefined;
  /** How often a followed file is checked when no change is signalled, 1–3,600,000 ms (default 500 ms). */
  readonly pollMs?: number | undefined;
  /** Stops the shipper, as {@link Shipper.stop} does. */
  readonly signal?: AbortSignal | undefined;
  /** Where `[kora.ship.*]` lines go (default: stderr). */
  readonly logger?: AuditLogger | undefined;
  /** Create the table if it is missing, before shipping (default true). */
  readonly migrate?: boolean | undefined;
  /**
   * Backoff while the database is unreachable: the first (and least) delay and the cap, each
   * 1–3,600,000 ms, the cap not under the first delay (default 100 ms, and 30 s or the first
   * delay if that is longer).
   */
  readonly retry?: { readonly initialDelayMs?: number | undefined; readonly maxDelayMs?: number | undefined } | undefined;
  /**
   * Stop once the database has been unreachable this long (default: never). `run` then
   * resolves with what was committed, and `stats().gaveUp` is true; the rest waits in the file
   * for the next run.
   */
  readonly giveUpAfterMs?: number | undefined;
}

/** Counters of one shipper. */
export interface ShipperStats {
  /** Rows committed to the table by this shipper (new or already there). */
  readonly rowsShipped: number;
  /** Of those, rows that were new to the table. */
  readonly rowsInserted: number;
  /** Statements that committed. */
  readonly batches: number;
  /** Lines passed over, by kind. `rejected`: valid rows the database refused to store. */
  readonly linesSkipped: { readonly blank: number; readonly malformed: number; readonly invalid: number; readonly rejected: number };
  /** Failed attempts to reach or write to the database. */
  readonly databaseFailures: number;
  /** False from a failed attempt until one succeeds. */
  readonly databaseAvailable: boolean;
  /** True when the shipper stopped because the database stayed away past `giveUpAfterMs`. */
  readonly gaveUp: boolean;
  /** The last database error's code (SQLSTATE or Node code), for the record. */
  readonly lastError: { readonly code: string; readonly at: string } | null;
  /** The file being shipped (as it was named when opened) and the committed offset in it. */
  readonly file: string | null;
  readonly offset: number;
  /** The seal's checkpoints (`<path>.checkpoints`) stored in `<table>_checkpoints`, when the file is sealed. */
  readonly checkpoints: CheckpointAnchorStats;
}

/** A shipper of one audit file (and its rotated files) into the event log. */
export interface Shipper {
  /**
   * Ship until caught up (or, with `follow`, until stopped) and resolve with the counters.
   * Rejects on what an operator must fix: a damaged checkpoint, one kept for another file, or
   * one another shipper is using (`<checkpoint>.lock`). A database that is down is waited for
   * (up to `giveUpAfterMs`), never a rejection.
   */
  run(): Promise<ShipperStats>;
  /** Stop: the batch in flight is finished and checkpointed, then `run` resolves. */
  stop(): void;
  /** A snapshot of the counters. */
  stats(): ShipperStats;
}
