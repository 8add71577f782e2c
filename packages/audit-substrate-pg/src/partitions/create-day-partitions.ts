import type pg from 'pg';
import { withMigrationLock } from '../with-migration-lock.js';
import type { SubstrateClient } from '../substrate-client.js';
import { parseSubstrateTable } from '../substrate-table.js';
import type { SubstrateTable } from '../substrate-table.js';
import { readSubstrateLayout } from './read-substrate-layout.js';
import type { SubstratePartition } from './read-substrate-layout.js';

const DAY_MS = 86_400_000;

// By name: a default partition an operator attached may hold its columns in another order.
const COLUMNS = 'id, v, emitted_at, seam, source, caller_session_id, details, origin_host, ingested_at';

/** The UTC midnight at or before `time`. */
export function startOfUtcDay(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

/** The days kept covered with partitions: today (UTC) and the `daysAhead` days after it. */
export function daysAheadRange(now: Date, daysAhead: number): { readonly from: Date; readonly to: Date } {
  const today = startOfUtcDay(now);
  return { from: today, to: new Date(today.getTime() + (daysAhead + 1) * DAY_MS) };
}

/** The name of the partition holding one UTC day: `<table>_p20261206`. */
export function dayPartitionName(table: SubstrateTable, day: Date): string {
  return `${table.relation}_p${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The name of the default partition {@link createDayPartitions} adds: `<table>_default`. */
export function defaultPartitionName(table: SubstrateTable): string {
  return `${table.relation}_default`;
}

function inSchema(table: SubstrateTable, relation: string): string {
  return table.schema === undefined ? `"${relation}"` : `"${table.schema}"."${relation}"`;
}

function overlaps(partition: SubstratePartition, from: Date, to: Date): boolean {
  if (partition.isDefault) return false;
  const lower = partition.from?.getTime() ?? -Infinity;
  const upper = partition.to?.getTime() ?? Infinity;
  return lower < to.getTime() && from.getTime() < upper;
}

/**
 * Give a table partitioned by range on `emitted_at` a default partition, if it has none, and a
 * partition for every UTC day from `from` to `to` (exclusive) that no partition covers yet
 * (a month an operator made stays as it is). Rows of a new day already in the default partition
 * are moved into it in the same transaction, as PostgreSQL refuses to create a partition whose
 * rows sit in the default one.
 *
 * Runs its statements on `connection`, inside the caller's transaction. Resolves to the names of
 * the partitions it created.
 */
export async function createDayPartitions(
  connection: pg.ClientBase,
  table: SubstrateTable,
  partitions: readonly SubstratePartition[],
  range: { readonly from: Date; readonly to: Date },
): Promise<string[]> {
  const created: string[] = [];
  let fallback = partitions.find((partition) => partition.isDefault)?.sql;
  if (fallback === undefined) {
    fallback = inSchema(table, defaultPartitionName(table));
    await connection.query(`CREATE TABLE ${fallback} PARTITION OF ${table.sql} DEFAULT`);
    created.push(defaultPartitionName(table));
  }
  for (let day = startOfUtcDay(range.from); day < range.to; day = new Date(day.getTime() + DAY_MS)) {
    const next = new Date(day.getTime() + DAY_MS);
    if (partitions.some((partition) => overlaps(partition, day, next))) continue;
    const name = dayPartitionName(table, day);
    const bounds = `FOR VALUES FROM ('${day.toISOString()}') TO ('${next.toISOString()}')`;
    const stray = await connection.query(`SELECT 1 FROM ${fallback} WHERE emitted_at >= $1 AND emitted_at < $2 LIMIT 1`, [day, next]);
    if (stray.rows.length === 0) {
      await connection.query(`CREATE TABLE ${inSchema(table, name)} PARTITION OF ${table.sql} ${bounds}`);
    } else {
      // A standalone table with the day's rows, then attached: ATTACH finds the rows in range
      // and the default partition without them, and builds the parent's indexes on it.
      await connection.query(`CREATE TABLE ${inSchema(table, name)} (LIKE ${table.sql} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await connection.query(
        `WITH moved AS (DELETE FROM ${fallback} WHERE emitted_at >= $1 AND emitted_at < $2 RETURNING ${COLUMNS})
         INSERT INTO ${inSchema(table, name)} (${COLUMNS}) SELECT ${COLUMNS} FROM moved`,
        [day, next],
      );
      await connection.query(`ALTER TABLE ${table.sql} ATTACH PARTITION ${inSchema(table, name)} ${bounds}`);
    }
    created.push(name);
  }
  return created;
}

/** Options of {@link createSubstratePartitions}. */
export interface CreateSubstratePartitionsOptions {
  /** The table, `name` or `schema.name` (default `kora_audit_events`). */
  readonly table?: string | undefined;
  /** The first day to cover (its UTC day). */
  readonly from: Date;
  /** The end of the range, exclusive: a day that starts before it is covered. */
  readonly to: Date;
}

/**
 * Cover the UTC days from `from` to `to` with day partitions on a table partitioned by range on
 * `emitted_at`, as `migrateSubstrate` does for the days ahead: for a backfill of past days, or
 * after converting a table. Moves rows of those days out of the default partition. Safe from
 * many hosts at once (it takes the migration lock). Resolves to the partitions it created;
 * rejects with a RangeError when the table is missing, not partitioned, or the range is longer
 * than 3,660 days.
 */
export async function createSubstratePartitions(client: SubstrateClient, options: CreateSubstratePartitionsOptions): Promise<string[]> {
  const table = parseSubstrateTable(options.table);
  const { from, to } = options;
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    throw new RangeError('from and to must be valid Dates');
  if (to.getTime() - from.getTime() > 3_660 * DAY_MS) throw new RangeError('from and to lie more than 3660 days apart');
  return withMigrationLock(client, async (connection) => {
    const layout = await readSubstrateLayout(connection, table);
    if (layout.kind !== 'partitioned')
      throw new RangeError(`${table.name} is ${layout.kind === 'missing' ? 'missing' : 'not partitioned'}`);
    return createDayPartitions(connection, table, layout.partitions, { from, to });
  });
}
