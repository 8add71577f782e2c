import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from './__fixtures__/postgres-test-server.js';
import { grantWriter } from './grant-writer.js';
import { migrateSubstrate } from './migrate-substrate.js';

/** Characters that end an identifier, a statement or a comment, and some that are merely unusual. */
const hostileUnit = fc.oneof(
  fc.constantFrom('"', "'", ';', '-', '/', '*', '\\', ' ', '\n', '\t', '$', '(', ')', ',', '.', 'K', 'ß', '名', '😀', '\u202e'),
  fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme-ascii' }),
);
const hostileName = fc
  .array(hostileUnit, { minLength: 1, maxLength: 30 })
  .map((units) => `kora_writer_prop_${units.join('')}`)
  .filter((name) => Buffer.byteLength(name, 'utf8') <= 63);
const injections = fc.constantFrom(
  'kora_writer_prop_" TO PUBLIC; --',
  'kora_writer_prop_"; DROP TABLE kora_canary; --',
  "kw_'; GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;--",
  'kora_writer_prop_""',
  'kora_writer_prop_"" "',
  'kora_writer_prop_" FROM x; GRANT DELETE ON x TO "y',
);

describeWithPostgres('grantWriter with hostile role names', () => {
  const pool = createTestPool();
  const table = uniqueTableName('grant_hostile');
  const canary = uniqueTableName('grant_canary');
  /** Who holds what on a relation, as the catalog says (grantee 0 is PUBLIC). */
  const grantsOn = async (relation: string): Promise<string[]> => {
    const found = await pool.query<{ grant: string }>(
      `SELECT coalesce(r.rolname, 'PUBLIC') || ':' || acl.privilege_type AS grant
         FROM pg_class c CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) acl
         LEFT JOIN pg_roles r ON r.oid = acl.grantee
        WHERE c.oid = to_regclass($1) ORDER BY 1`,
      [relation],
    );
    return found.rows.map((row) => row.grant);
  };
  let canaryGrants: string[];
  beforeAll(async () => {
    await migrateSubstrate(pool, { table });
    await pool.query(`CREATE TABLE "${canary}" (x int)`);
    canaryGrants = await grantsOn(`"${canary}"`);
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.query(`DROP TABLE IF EXISTS "${canary}"`);
    await pool.end();
  });

  it('grants exactly INSERT and SELECT to the role so named, or refuses it, and changes nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileName, injections), fc.boolean(), async (name, exists) => {
        // The role is made with the server's own quoting, not the code under test's.
        const make = await pool.query<{ create: string; drop: string }>(
          `SELECT format('CREATE ROLE %I', $1::text) AS create, format('DROP ROLE IF EXISTS %I', $1::text) AS drop`,
          [name],
        );
        const { create, drop } = make.rows[0] ?? { create: '', drop: '' };
        if (exists) await pool.query(create);
        try {
          const outcome = await grantWriter(pool, table, name).then(
            () => 'granted',
            (error: unknown) => (error instanceof Error ? error.message : String(error)),
          );
          if (!exists) {
            expect(outcome).toBe('grantWriter: the role does not exist: create it first (CREATE ROLE … LOGIN)');
          } else {
            expect(outcome).toBe('granted');
            for (const relation of [`"${table}"`, `"${table}_checkpoints"`]) {
              const held = await pool.query<Record<string, boolean>>(
                `SELECT ${['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']
                  .map((privilege) => `has_table_privilege($1, $2, '${privilege}') AS "${privilege}"`)
                  .join(', ')}`,
                [name, relation],
              );
              expect(held.rows[0]).toEqual({
                SELECT: true,
                INSERT: true,
                UPDATE: false,
                DELETE: false,
                TRUNCATE: false,
                REFERENCES: false,
                TRIGGER: false,
              });
              expect((await grantsOn(relation)).filter((grant) => grant.startsWith('PUBLIC:'))).toEqual([]);
            }
          }
          expect(await grantsOn(`"${canary}"`)).toEqual(canaryGrants);
        } finally {
          if (exists) await pool.query(`DROP OWNED BY ${create.slice('CREATE ROLE '.length)}`);
          await pool.query(drop);
        }
      }),
      { numRuns: 40 },
    );
  });
});
