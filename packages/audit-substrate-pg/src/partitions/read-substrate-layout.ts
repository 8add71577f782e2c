import type pg from 'pg';
import type { SubstrateTable } from '../substrate-table.js';

/** One partition of a table partitioned by range on `emitted_at`. */
export interface SubstratePartition {
  /** The partition's own name (it lives in its parent's schema or its own). */
  readonly relation: string;
  /** The name for SQL, schema-qualified and quoted. */
  readonly sql: string;
  /** The inclusive lower bound; null for `MINVALUE` or the default partition. */
  readonly from: Date | null;
  /** The exclusive upper bound; null for `MAXVALUE` or the default partition. */
  readonly to: Date | null;
  /** The default partition: rows no range holds. */
  readonly isDefault: boolean;
}

/** How the event-log table is laid out. */
export type SubstrateLayout =
  | { readonly kind: 'missing' }
  | { readonly kind: 'plain' }
  | {
      readonly kind: 'partitioned';
      /** Every partition, ranges in order of their lower bound, the default last. */
      readonly partitions: readonly SubstratePartition[];
    };

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Read the table's layout from the catalog: missing, a plain table, or partitioned by range on
 * `emitted_at` with its partitions and their bounds. Rejects with a RangeError on any other
 * partitioning (by another column, by list or hash), which nothing here knows how to maintain.
 */
export async function readSubstrateLayout(connection: pg.ClientBase | pg.Pool, table: SubstrateTable): Promise<SubstrateLayout> {
  const found = await connection.query<{ oid: number; relkind: string; key: string | null }>(
    `SELECT c.oid::int AS oid, c.relkind::text AS relkind, pg_get_partkeydef(c.oid) AS key
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table.sql],
  );
  const relation = found.rows[0];
  if (relation === undefined) return { kind: 'missing' };
  if (relation.relkind !== 'p') return { kind: 'plain' };
  if (relation.key !== 'RANGE (emitted_at)') {
    throw new RangeError(`${table.name} is partitioned by ${relation.key ?? 'an unknown key'}: only RANGE (emitted_at) is supported`);
  }
  // The bounds' literals carry their UTC offset whatever the session's time zone, so the server
  // casts them back exactly; MINVALUE, MAXVALUE and DEFAULT leave them null.
  const partitions = await connection.query<{ relation: string; schema: string; bound: string; from: Date | null; to: Date | null }>(
    `SELECT child.relname AS relation, space.nspname AS schema, bounds.bound,
            (regexp_match(bounds.bound, $$FROM \\('([^']*)'\\)$$))[1]::timestamptz AS "from",
            (regexp_match(bounds.bound, $$TO \\('([^']*)'\\)$$))[1]::timestamptz AS "to"
       FROM pg_inherits inheritance
       JOIN pg_class child ON child.oid = inheritance.inhrelid
       JOIN pg_namespace space ON space.oid = child.relnamespace
       CROSS JOIN LATERAL (SELECT pg_get_expr(child.relpartbound, child.oid) AS bound) AS bounds
      WHERE inheritance.inhparent = $1::oid`,
    [relation.oid],
  );
  const list = partitions.rows.map((row): SubstratePartition => ({
    relation: row.relation,
    sql: `${quoteIdentifier(row.schema)}.${quoteIdentifier(row.relation)}`,
    from: row.from,
    to: row.to,
    isDefault: row.bound === 'DEFAULT',
  }));
  const order = (partition: SubstratePartition): number => (partition.isDefault ? Infinity : (partition.from?.getTime() ?? -Infinity));
  return { kind: 'partitioned', partitions: list.sort((left, right) => order(left) - order(right)) };
}
