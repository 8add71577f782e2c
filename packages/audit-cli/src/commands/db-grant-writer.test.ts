import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SUBSTRATE_TIMEOUTS, createSubstratePool, migrateSubstrate } from '@kora/audit-substrate-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, parseJsonLines, rowsText } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

const BASE_URL = process.env.KORA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE_URL = BASE_URL.replace('//postgres@', '//postgres:pa55-word@');
const TABLE = `kora_test_cli_grant_${process.pid}`;
const ROLE = `kora_writer_cli_${process.pid}`;

/** The test database as `role` (trust auth on loopback). */
function urlAs(role: string): string {
  const url = new URL(BASE_URL);
  url.username = role;
  return url.toString();
}

const pool = createSubstratePool({ connectionString: DATABASE_URL, max: 2, ...DEFAULT_SUBSTRATE_TIMEOUTS });
const reachable = await pool.query('SELECT 1').then(
  () => true,
  () => false,
);
if (!reachable) console.warn('PostgreSQL at 127.0.0.1:5432 unreachable: db grant-writer tests against it skipped');

describe.skipIf(!reachable)('db grant-writer against PostgreSQL', () => {
  beforeAll(async () => {
    await pool.query(`CREATE ROLE "${ROLE}" LOGIN`);
    await migrateSubstrate(pool, { table: TABLE });
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${TABLE}", "${TABLE}_checkpoints"`);
    await pool.query(`DROP OWNED BY "${ROLE}"`).catch(() => undefined);
    await pool.query(`DROP ROLE IF EXISTS "${ROLE}"`);
    await pool.end();
  });

  it('grants INSERT and SELECT only, prints the statements, and kora-audit ship then runs as the role', async () => {
    const io = createTestIo();
    expect(await main(['db', 'grant-writer', ROLE, '--database-url', DATABASE_URL, '--table', TABLE], io)).toBe(0);
    expect({ out: io.out(), err: io.err() }).toEqual({
      out: [
        `REVOKE ALL ON TABLE "public"."${TABLE}", "public"."${TABLE}_checkpoints" FROM "${ROLE}";`,
        `GRANT SELECT, INSERT ON TABLE "public"."${TABLE}", "public"."${TABLE}_checkpoints" TO "${ROLE}";`,
        `${TABLE}: ${ROLE} may now insert and read rows and checkpoints, and change none`,
        '',
      ].join('\n'),
      err: '',
    });

    const dir = makeTempDir();
    writeFileSync(join(dir, 'audit.jsonl'), rowsText(0, 5));
    const ship = createTestIo({ cwd: dir, env: { KORA_DATABASE_URL: urlAs(ROLE) } });
    expect(await main(['ship', '--path', 'audit.jsonl', '--table', TABLE, '--origin-host', 'cli-writer'], ship)).toBe(0);
    expect(JSON.parse(ship.out())).toMatchObject({ rows_shipped: 5, rows_inserted: 5 });
    const stored = await pool.query<{ rows: string }>(`SELECT count(*) AS rows FROM "${TABLE}" WHERE origin_host = 'cli-writer'`);
    expect(stored.rows[0]?.rows).toBe('5');

    const writer = createSubstratePool({ connectionString: urlAs(ROLE), max: 1, ...DEFAULT_SUBSTRATE_TIMEOUTS });
    try {
      await expect(writer.query(`DELETE FROM "${TABLE}"`)).rejects.toMatchObject({ code: '42501' });
      await expect(writer.query(`TRUNCATE "${TABLE}_checkpoints"`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await writer.end();
    }
  });

  it('prints the outcome as one JSON line with --json', async () => {
    const io = createTestIo({ env: { KORA_DATABASE_URL: DATABASE_URL } });
    expect(await main(['db', 'grant-writer', '--json', '--table', TABLE, ROLE], io)).toBe(0);
    expect(parseJsonLines(io.out())).toEqual([
      {
        table: TABLE,
        role: ROLE,
        statements: [
          `REVOKE ALL ON TABLE "public"."${TABLE}", "public"."${TABLE}_checkpoints" FROM "${ROLE}"`,
          `GRANT SELECT, INSERT ON TABLE "public"."${TABLE}", "public"."${TABLE}_checkpoints" TO "${ROLE}"`,
        ],
        partitions: 0,
      },
    ]);
  });

  it('refuses a superuser, a missing role and a table not migrated with exit 2 and one line, never the password', async () => {
    for (const [role, table, message] of [
      ['postgres', TABLE, 'the role is a superuser, which no privilege binds: use a role without SUPERUSER'],
      [`${ROLE}_missing`, TABLE, 'the role does not exist: create it first (CREATE ROLE … LOGIN)'],
      ['pg_monitor', TABLE, 'role must be a login role of your own, not public, none or a pg_ role'],
      [ROLE, `${TABLE}_none`, `${TABLE}_none or its checkpoint table is missing: run kora-audit db migrate first`],
    ] as const) {
      const io = createTestIo();
      expect(await main(['db', 'grant-writer', role, '--database-url', DATABASE_URL, '--table', table], io)).toBe(2);
      expect({ out: io.out(), err: io.err() }).toEqual({ out: '', err: `kora-audit db grant-writer: ${message}\n` });
    }
  });
});

describe('db grant-writer arguments', () => {
  it('needs exactly one role and a database URL, checked before it connects', async () => {
    for (const [args, message] of [
      [[], 'give exactly one ROLE'],
      [['a', 'b'], 'give exactly one ROLE'],
      [['writer', '--table', 'x; DROP TABLE y', '--database-url', 'postgres://kora:pa55-word@127.0.0.1:1/kora'], 'invalid table name'],
      [['writer'], '--database-url is required'],
    ] as const) {
      const io = createTestIo({ env: {} });
      expect(await main(['db', 'grant-writer', ...args], io)).toBe(2);
      expect(io.err()).toContain(message);
      expect(io.err()).not.toContain('pa55-word');
    }
  });
});
