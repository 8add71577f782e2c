import type pg from 'pg';
import type { SubstrateTable } from '../substrate-table.js';
import type { SubstratePartition } from './read-substrate-layout.js';

const DAY_MS = 86_400_000;

// By name: a default partition an operator attached may hold its columns in another order.
const COLUMNS = 'id, v, emitted_at, seam, source, caller_session_id, details, origin_host, ingested_at';

/** The UTC midnight at or before `time`. */
export function startOfUtcDay(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
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
