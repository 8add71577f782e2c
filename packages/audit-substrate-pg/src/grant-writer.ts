import pg from 'pg';
import type { SubstrateClient } from './substrate-client.js';
import { parseSubstrateTable } from './substrate-table.js';
import { withMigrationLock } from './with-migration-lock.js';

/** What {@link grantWriter} did. */
export interface GrantWriterResult {
  /** The statements it ran, in order, as an operator would type them. */
  readonly statements: readonly string[];
  /** The partitions of the event table the role was refused direct access to (0 on a plain table). */
  readonly partitions: number;
}

// PostgreSQL cuts a longer name to 63 bytes, which could then name another role.
const MAX_ROLE_BYTES = 63;
const GRANTED = ['SELECT', 'INSERT'] as const;
// Column-level privileges (UPDATE, REFERENCES) count too: `has_any_column_privilege`.
const REFUSED = [
  { privilege: 'UPDATE', check: 'has_any_column_privilege' },
  { privilege: 'DELETE', check: 'has_table_privilege' },
  { privilege: 'TRUNCATE', check: 'has_table_privilege' },
  { privilege: 'REFERENCES', check: 'has_any_column_privilege' },
  { privilege: 'TRIGGER', check: 'has_table_privilege' },
] as const;

function parseRole(role: unknown): string {
  if (typeof role !== 'string' || role === '' || role.includes('\u0000') || Buffer.byteLength(role, 'utf8') > MAX_ROLE_BYTES)
    throw new TypeError(`grantWriter: role must be a role name of 1 to ${MAX_ROLE_BYTES} bytes`);
  // `public` and `none` are not roles; pg_ names are PostgreSQL's own roles.
  if (role === 'public' || role === 'none' || role.startsWith('pg_'))
    throw new TypeError('grantWriter: role must be a login role of your own, not public, none or a pg_ role');
  return role;
}

interface Relation {
  readonly oid: number;
  readonly sql: string;
  readonly label: string;
}

/**
 * Make an existing role an append-only writer of the event log: exactly SELECT and INSERT on the
 * event table and its checkpoint table, USAGE on their schema when it lacks it, and nothing
 * else (every other privilege on both is revoked, column privileges included). Partitions need
 * nothing: a row inserted through the partitioned table is routed by the server with the
 * parent's privileges checked, so partitions made later are covered as they come; every
 * privilege on the existing ones is revoked, so the role cannot change rows through one.
 *
 * It creates no role and sets no password. It runs as the tables' owner, on a table of the
 * current layout (run `migrateSubstrate` first), in one transaction under the migration lock,
 * and checks the outcome: it refuses (RangeError, nothing changed) when the role does not exist, is
 * a superuser, or owns or may act as the owner of a table or partition (an owner can alter,
 * empty or drop its tables whatever it was granted), when the session cannot grant, or when
 * the role still has a refused privilege afterwards (through PUBLIC or another role), or when
 * the table or its checkpoint table is missing. Throws a TypeError on an invalid role name, a
 * RangeError on an invalid table name; rejects with the driver's error when the database fails.
 */
export async function grantWriter(client: SubstrateClient, table: string | undefined, role: string): Promise<GrantWriterResult> {
  const name = parseRole(role);
  const target = parseSubstrateTable(table);
  const grantee = pg.escapeIdentifier(name);
  return withMigrationLock(client, async (connection) => {
    const found = await connection.query<{ superuser: boolean }>('SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = $1', [name]);
    const account = found.rows[0];
    if (account === undefined) throw new RangeError('grantWriter: the role does not exist: create it first (CREATE ROLE … LOGIN)');
    if (account.superuser)
      throw new RangeError('grantWriter: the role is a superuser, which no privilege binds: use a role without SUPERUSER');

    // The two tables and every partition below the event table, with who may act as their owner.
    const relations = await connection
      .query<{
        oid: number;
        schema: string;
        relation: string;
        leaf: boolean;
        mine: boolean;
        theirs: boolean;
      }>(
        `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS relation, c.oid <> ALL ($1::regclass[]) AS leaf,
              pg_has_role(c.relowner, 'USAGE') AS mine, pg_has_role($2, c.relowner, 'MEMBER') AS theirs
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = ANY ($1::regclass[])
           OR c.oid IN (SELECT relid FROM pg_partition_tree(to_regclass($3)) WHERE relid <> to_regclass($3))
        ORDER BY leaf, c.oid = to_regclass($4), c.relname`,
        [[target.sql, target.checkpointsSql], name, target.sql, target.checkpointsSql],
      )
      .catch((error: unknown) => {
        // A name that is not a table fails the regclass cast: say which to create.
        if (error instanceof Error && 'code' in error && error.code === '42P01')
          throw new RangeError(`grantWriter: ${target.name} or its checkpoint table is missing: run kora-audit db migrate first`);
        throw error;
      });
    const tables = relations.rows.filter((row) => !row.leaf);
    const partitions = relations.rows.filter((row) => row.leaf);
    for (const row of relations.rows) {
      const label = `${row.schema}.${row.relation}`;
      if (row.theirs)
        throw new RangeError(
          `grantWriter: the role owns ${label} or may act as its owner, and an owner can change or drop it whatever it is granted: give the table another owner or use another role`,
        );
      if (!row.mine) throw new RangeError(`grantWriter: only the owner of ${label} can grant on it: run this as the owner`);
    }
    const quote = (row: { schema: string; relation: string }): string =>
      `${pg.escapeIdentifier(row.schema)}.${pg.escapeIdentifier(row.relation)}`;
    const both: Relation[] = tables.map((row) => ({ oid: row.oid, sql: quote(row), label: `${row.schema}.${row.relation}` }));
    const schema = tables[0]?.schema ?? 'public';

    const statements: string[] = [];
    const run = async (statement: string): Promise<void> => {
      statements.push(statement);
      await connection.query(statement);
    };
    const usage = await connection.query<{ granted: boolean }>(`SELECT has_schema_privilege($1, $2, 'USAGE') AS granted`, [name, schema]);
    if (usage.rows[0]?.granted !== true) await run(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(schema)} TO ${grantee}`);
    const list = both.map((relation) => relation.sql).join(', ');
    await run(`REVOKE ALL ON TABLE ${list} FROM ${grantee}`);
    await run(`GRANT ${GRANTED.join(', ')} ON TABLE ${list} TO ${grantee}`);
    if (partitions.length > 0) await run(`REVOKE ALL ON TABLE ${partitions.map(quote).join(', ')} FROM ${grantee}`);

    // What the role can do now, through PUBLIC and its memberships too: a GRANT the session may
    // not make is only a warning, and a privilege of another role survives the REVOKE.
    const wanted = [
      ...both.flatMap((relation) => [
        ...GRANTED.map((privilege) => ({ relation, privilege, check: 'has_table_privilege', expected: true })),
        ...REFUSED.map(({ privilege, check }) => ({ relation, privilege, check, expected: false })),
      ]),
      ...partitions.flatMap((row) =>
        (['INSERT', ...REFUSED.map((refused) => refused.privilege)] as const).map((privilege) => ({
          relation: { oid: row.oid, sql: quote(row), label: `${row.schema}.${row.relation}` },
          privilege,
          check: privilege === 'UPDATE' || privilege === 'REFERENCES' ? 'has_any_column_privilege' : 'has_table_privilege',
          expected: false,
        })),
      ),
    ];
    const checks = await connection.query<Record<string, boolean>>(
      `SELECT has_schema_privilege($1, $2, 'USAGE') AS usage, ${wanted
        .map((entry, index) => `${entry.check}($1, ${entry.relation.oid}::oid, '${entry.privilege}') AS c${index}`)
        .join(', ')}`,
      [name, schema],
    );
    const outcome = checks.rows[0] ?? {};
    if (outcome.usage !== true)
      throw new RangeError(
        `grantWriter: the role lacks USAGE on schema ${schema}, which only the schema's owner can grant: have it granted first`,
      );
    for (const [index, entry] of wanted.entries()) {
      if (outcome[`c${index}`] === entry.expected) continue;
      throw new RangeError(
        entry.expected
          ? `grantWriter: the role did not get ${entry.privilege} on ${entry.relation.label}`
          : `grantWriter: the role still has ${entry.privilege} on ${entry.relation.label}, through PUBLIC or a role it is a member of: revoke it there`,
      );
    }
    return { statements, partitions: partitions.length };
  });
}
