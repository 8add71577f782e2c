/** The table rows go to when no `table` option is given. */
export const DEFAULT_SUBSTRATE_TABLE = 'kora_audit_events';

/**
 * The version of the table layout that {@link migrateSubstrate} creates: 1 the table, 2 daily
 * partitions as a layout, 3 the nullable `writer` and `seq` columns of envelope version 2 rows,
 * 4 the checkpoint table beside the event table (`<table>_checkpoints`).
 */
export const SUBSTRATE_SCHEMA_VERSION = 4;

// Plain lower-case identifiers only: a name that needs quoting to survive is more likely a
// mistake (or an injection) than a wish, and index names are derived from it.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

/** A validated table name, quoted for SQL, with the names of its indexes. */
export interface SubstrateTable {
  /** The name as given: `events` or `audit.events`. */
  readonly name: string;
  /** The name for SQL: `"events"` or `"audit"."events"`. */
  readonly sql: string;
  /** The schema, when the name is schema-qualified. */
  readonly schema: string | undefined;
  /** The table's own name, without its schema. */
  readonly relation: string;
  /** Index names (unqualified: an index lives in its table's schema). */
  readonly timeIndex: string;
  readonly seamIndex: string;
  readonly ingestIndex: string;
  readonly hostIndex: string;
  /** The checkpoint table's own name, in the event table's schema: `<table>_checkpoints`. */
  readonly checkpointsRelation: string;
  /** The checkpoint table for SQL: `"events_checkpoints"` or `"audit"."events_checkpoints"`. */
  readonly checkpointsSql: string;
}

/**
 * Check a table name (`name` or `schema.name`, lower-case letters, digits and `_`, at most 48
 * characters each) and quote it. Throws a RangeError on anything else.
 */
export function parseSubstrateTable(name: string | undefined): SubstrateTable {
  const given = name ?? DEFAULT_SUBSTRATE_TABLE;
  const parts = given.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new RangeError(`invalid table name '${given}': use lower-case letters, digits and _, optionally schema.table`);
  }
  const relation = parts[parts.length - 1] ?? DEFAULT_SUBSTRATE_TABLE;
  const schema = parts.length === 2 ? parts[0] : undefined;
  // At most 48 + 12 characters: within PostgreSQL's 63, so the name is never cut.
  const checkpointsRelation = `${relation}_checkpoints`;
  return {
    name: given,
    sql: parts.map((part) => `"${part}"`).join('.'),
    schema,
    relation,
    timeIndex: `${relation}_emitted_at_id_idx`,
    seamIndex: `${relation}_seam_emitted_at_id_idx`,
    ingestIndex: `${relation}_ingested_at_id_idx`,
    hostIndex: `${relation}_host_emitted_at_idx`,
    checkpointsRelation,
    checkpointsSql: schema === undefined ? `"${checkpointsRelation}"` : `"${schema}"."${checkpointsRelation}"`,
  };
}
