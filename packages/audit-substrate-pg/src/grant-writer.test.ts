import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEnvelope } from '@kora/audit-sink';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  TEST_DATABASE_URL,
  createTestPool,
  describeWithPostgres,
  dropTable,
  uniqueTableName,
} from './__fixtures__/postgres-test-server.js';
import { writeSeamRows } from './__fixtures__/write-seam-rows.js';
import { insertCheckpoint } from './checkpoints/insert-checkpoint.js';
import { readCheckpoints } from './checkpoints/read-checkpoints.js';
import { grantWriter } from './grant-writer.js';
import { insertAuditRows } from './insert-audit-rows.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { createSubstratePartitions } from './partitions/create-day-partitions.js';
import { createShipper } from './shipper/create-shipper.js';
import { SUBSTRATE_SCHEMA_VERSION } from './substrate-table.js';

/** The test database's URL as another user (trust auth on loopback). */
function urlAs(role: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.username = encodeURIComponent(role);
  url.password = '';
  return url.toString();
}

function envelope(emittedAt: string): AuditEnvelope {
  return {
    v: 1,
    id: `0193a0b0-0000-7000-8000-${randomBytes(6).toString('hex')}`,
    emitted_at: emittedAt,
    seam: 'mcp.tool_called',
    source: null,
    caller_session_id: null,
    details: { tool_name: 'read_file', server_name: 'fs', arg_keys: [], ok: true, duration_ms: 1 },
  };
}

function checkpointOf(size: number): { origin: string; size: number; root: string; note: string } {
  const root = createHash('sha256').update(String(size)).digest('base64');
  return { origin: 'kora-audit/grant-test/1', size, root, note: `kora-audit/grant-test/1\n${size}\n${root}\n\n— signature\n` };
}

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcomeOf(client: pg.ClientBase | pg.Pool, statement: string): Promise<string> {
  return client.query(statement).then(
    () => 'ok',
    (error: unknown) => String((error as { code?: unknown }).code),
  );
}

describeWithPostgres('grantWriter', () => {
  const pool = createTestPool();
  const suffix = randomBytes(4).toString('hex');
  const writer = `kora_writer_test_${suffix}`;
  const tables: string[] = [];
  const roles: string[] = [writer];
  const clients: pg.Client[] = [];
  let dir: string;
  const fresh = (label: string): string => {
    const table = uniqueTableName(label);
    tables.push(table);
    return table;
  };
  const createRole = async (role: string, options = 'LOGIN'): Promise<void> => {
    if (!roles.includes(role)) roles.push(role);
    await pool.query(`CREATE ROLE "${role}" ${options}`);
  };
  /** A connection as `role`, closed after the tests. */
  const connectAs = async (role: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: urlAs(role) });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kora-grant-writer-'));
    await createRole(writer);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    for (const table of tables) await dropTable(pool, table);
    for (const role of roles) {
      await pool.query(`DROP OWNED BY "${role}"`).catch(() => undefined);
      await pool.query(`DROP ROLE IF EXISTS "${role}"`);
    }
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the role insert and read rows and checkpoints, and refuses it UPDATE, DELETE, TRUNCATE and DDL on both tables', async () => {
    const table = fresh('grant_plain');
    await migrateSubstrate(pool, { table });
    const result = await grantWriter(pool, table, writer);
    expect(result).toEqual({
      statements: [
        `REVOKE ALL ON TABLE "public"."${table}", "public"."${table}_checkpoints" FROM "${writer}"`,
        `GRANT SELECT, INSERT ON TABLE "public"."${table}", "public"."${table}_checkpoints" TO "${writer}"`,
      ],
      partitions: 0,
    });

    const client = await connectAs(writer);
    expect((await client.query<{ user: string }>('SELECT current_user AS user')).rows[0]?.user).toBe(writer);
    expect(await insertAuditRows(client, [envelope('2026-12-06T10:00:00.000Z')], { table, originHost: 'h' })).toEqual({ inserted: 1 });
    expect(await insertCheckpoint(client, table, checkpointOf(1))).toEqual({ ok: true, inserted: true });
    expect(await insertCheckpoint(client, table, checkpointOf(1))).toEqual({ ok: true, inserted: false });
    expect((await readCheckpoints(client, table, 'kora-audit/grant-test/1')).map((checkpoint) => checkpoint.size)).toEqual([1]);
    expect(await outcomeOf(client, `SELECT count(*) FROM "${table}"`)).toBe('ok');

    for (const relation of [`"${table}"`, `"${table}_checkpoints"`]) {
      const column = relation.endsWith('_checkpoints"') ? 'note' : 'seam';
      expect(
        {
          update: await outcomeOf(client, `UPDATE ${relation} SET ${column} = ${column}`),
          delete: await outcomeOf(client, `DELETE FROM ${relation}`),
          truncate: await outcomeOf(client, `TRUNCATE ${relation}`),
          alter: await outcomeOf(client, `ALTER TABLE ${relation} ADD COLUMN sneaky text`),
          drop: await outcomeOf(client, `DROP TABLE ${relation}`),
          grant: await outcomeOf(client, `GRANT DELETE ON ${relation} TO "${writer}"`),
        },
        relation,
      ).toEqual({ update: '42501', delete: '42501', truncate: '42501', alter: '42501', drop: '42501', grant: 'ok' });
    }
    // The GRANT above was a warning only: the role may not grant what it does not hold.
    expect(await outcomeOf(client, `DELETE FROM "${table}_checkpoints"`)).toBe('42501');
    const counts = await pool.query<{ rows: string; checkpoints: string }>(
      `SELECT (SELECT count(*) FROM "${table}") AS rows, (SELECT count(*) FROM "${table}_checkpoints") AS checkpoints`,
    );
    expect(counts.rows[0]).toEqual({ rows: '1', checkpoints: '1' });
  });

  it('covers partitions made after the grant on a daily table, and refuses the role each partition directly', async () => {
    const table = fresh('grant_daily');
    const now = new Date('2026-12-06T10:00:00.000Z');
    await migrateSubstrate(pool, { table, layout: 'daily', daysAhead: 1, now: () => now });
    const role = `kora_writer_test_${suffix}_daily`;
    await createRole(role);
    // A grant made on a partition before is taken back.
    await pool.query(`GRANT DELETE ON "${table}_p20261206" TO "${role}"`);
    expect((await grantWriter(pool, table, role)).partitions).toBe(3);
    // The owner adds days later; the role inserts into them through the table.
    await createSubstratePartitions(pool, { table, from: new Date('2026-12-20T00:00:00.000Z'), to: new Date('2026-12-21T00:00:00.000Z') });

    const client = await connectAs(role);
    // Its migration finds the partitioned layout current and leaves the days to the owner.
    await expect(migrateSubstrate(client, { table, layout: 'daily', daysAhead: 30 })).resolves.toBe(SUBSTRATE_SCHEMA_VERSION);
    const rows = ['2026-12-06T11:00:00.000Z', '2026-12-20T11:00:00.000Z', '2027-03-01T00:00:00.000Z'].map(envelope);
    expect(await insertAuditRows(client, rows, { table, originHost: 'h' })).toEqual({ inserted: 3 });
    const placed = await pool.query<{ partition: string }>(
      `SELECT tableoid::regclass::text AS partition FROM "${table}" ORDER BY emitted_at`,
    );
    expect(placed.rows.map((row) => row.partition)).toEqual([`${table}_p20261206`, `${table}_p20261220`, `${table}_default`]);

    for (const relation of [`"${table}"`, `"${table}_p20261206"`, `"${table}_p20261220"`, `"${table}_default"`]) {
      expect(
        {
          delete: await outcomeOf(client, `DELETE FROM ${relation}`),
          update: await outcomeOf(client, `UPDATE ${relation} SET seam = seam`),
          truncate: await outcomeOf(client, `TRUNCATE ${relation}`),
        },
        relation,
      ).toEqual({ delete: '42501', update: '42501', truncate: '42501' });
    }
    expect(await outcomeOf(client, `SELECT count(*) FROM "${table}_p20261220"`)).toBe('42501');
    expect((await pool.query(`SELECT 1 FROM "${table}"`)).rowCount).toBe(3);
  });

  it('ships as the role: the migration of a current layout runs no DDL, and one that is not current names what the owner must add', async () => {
    const table = fresh('grant_ship');
    await migrateSubstrate(pool, { table });
    const role = `kora_writer_test_${suffix}_ship`;
    await createRole(role);
    await grantWriter(pool, table, role);

    const client = await connectAs(role);
    await expect(migrateSubstrate(client, { table })).resolves.toBe(SUBSTRATE_SCHEMA_VERSION);
    const path = join(dir, 'audit.jsonl');
    const lines = await writeSeamRows(path, 50, Date.parse('2026-12-06T09:00:00.000Z'));
    const shipper = createShipper({
      databaseUrl: urlAs(role),
      table,
      path,
      originHost: 'ship-host',
      logger: { info: () => undefined, warn: () => undefined },
    });
    const stats = await shipper.run();
    expect(stats).toMatchObject({ rowsShipped: lines.length, rowsInserted: lines.length, offset: readFileSync(path).length });
    const stored = await pool.query<{ rows: string }>(`SELECT count(*) AS rows FROM "${table}" WHERE origin_host = 'ship-host'`);
    expect(stored.rows[0]?.rows).toBe(String(lines.length));

    // A layout the role cannot finish: it says what is missing and who can add it, and changes nothing.
    await pool.query(`DROP TABLE "${table}_checkpoints"`);
    await pool.query(`DROP INDEX "${table}_host_emitted_at_idx"`);
    await expect(migrateSubstrate(client, { table })).rejects.toThrow(
      `${table} lacks ${table}_host_emitted_at_idx, ${table}_checkpoints of layout version ${SUBSTRATE_SCHEMA_VERSION}, and only its owner can add them: run kora-audit db migrate as the owner`,
    );
    await expect(migrateSubstrate(pool, { table })).resolves.toBe(SUBSTRATE_SCHEMA_VERSION);
    expect((await pool.query(`SELECT to_regclass('"${table}_checkpoints"') IS NOT NULL AS made`)).rows[0]).toEqual({ made: true });
  });

  it('grants USAGE on the schema of a schema-qualified table when the role lacks it', async () => {
    const schema = `kora_test_grant_${suffix}`;
    const table = `${schema}.events`;
    await migrateSubstrate(pool, { table });
    const role = `kora_writer_test_${suffix}_schema`;
    await createRole(role);
    try {
      const result = await grantWriter(pool, table, role);
      expect(result.statements[0]).toBe(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
      expect(result.statements[1]).toBe(`REVOKE ALL ON TABLE "${schema}"."events", "${schema}"."events_checkpoints" FROM "${role}"`);
      const client = await connectAs(role);
      expect(await insertCheckpoint(client, table, checkpointOf(2))).toEqual({ ok: true, inserted: true });
      expect(await outcomeOf(client, `DELETE FROM "${schema}"."events_checkpoints"`)).toBe('42501');
      // Granted once, USAGE is not granted again.
      expect((await grantWriter(pool, table, role)).statements).toHaveLength(2);
    } finally {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('refuses a missing role, a superuser, a reserved name, a role that owns or may act as the owner, and a caller that is not the owner', async () => {
    const table = fresh('grant_refused');
    await migrateSubstrate(pool, { table });
    await expect(grantWriter(pool, table, `kora_writer_test_${suffix}_missing`)).rejects.toThrow('grantWriter: the role does not exist');
    await expect(grantWriter(pool, table, 'postgres')).rejects.toThrow('the role is a superuser');
    for (const reserved of ['public', 'none', 'pg_write_all_data', '', 'x'.repeat(64), 'a\u0000b'])
      await expect(grantWriter(pool, table, reserved), JSON.stringify(reserved)).rejects.toThrow(TypeError);
    await expect(grantWriter(pool, 'Bad-Table', writer)).rejects.toThrow(RangeError);
    await expect(grantWriter(pool, fresh('grant_missing'), writer)).rejects.toThrow('run kora-audit db migrate first');

    // The owner of the checkpoint table, and a member of the event table's owner.
    const owner = `kora_writer_test_${suffix}_owner`;
    const member = `kora_writer_test_${suffix}_member`;
    await createRole(owner, 'NOLOGIN');
    await createRole(member);
    await pool.query(`ALTER TABLE "${table}_checkpoints" OWNER TO "${owner}"`);
    await expect(grantWriter(pool, table, owner)).rejects.toThrow(`the role owns public.${table}_checkpoints or may act as its owner`);
    await pool.query(`ALTER TABLE "${table}_checkpoints" OWNER TO postgres`);
    await pool.query(`ALTER TABLE "${table}" OWNER TO "${owner}"`);
    await pool.query(`GRANT "${owner}" TO "${member}"`);
    await expect(grantWriter(pool, table, member)).rejects.toThrow(`the role owns public.${table} or may act as its owner`);
    await pool.query(`ALTER TABLE "${table}" OWNER TO postgres`);

    // A session that does not own the tables cannot grant; GRANT alone would only warn.
    const role = `kora_writer_test_${suffix}_other`;
    await createRole(role);
    const client = await connectAs(member);
    await expect(grantWriter(client, table, role)).rejects.toThrow(`only the owner of public.${table} can grant on it`);
  });

  it('refuses, changing nothing, when PUBLIC holds a privilege the role must not have', async () => {
    const table = fresh('grant_public');
    await migrateSubstrate(pool, { table });
    const role = `kora_writer_test_${suffix}_public`;
    await createRole(role);
    await pool.query(`GRANT UPDATE (seam) ON "${table}" TO PUBLIC`);
    await expect(grantWriter(pool, table, role)).rejects.toThrow(
      `the role still has UPDATE on public.${table}, through PUBLIC or a role it is a member of: revoke it there`,
    );
    // Rolled back: the role got nothing.
    const granted = await pool.query<{ insert: boolean }>(`SELECT has_table_privilege($1, $2, 'INSERT') AS insert`, [role, `"${table}"`]);
    expect(granted.rows[0]).toEqual({ insert: false });
    await pool.query(`REVOKE UPDATE (seam) ON "${table}" FROM PUBLIC`);
    await expect(grantWriter(pool, table, role)).resolves.toMatchObject({ partitions: 0 });
  });
});
