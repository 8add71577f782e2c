import { randomBytes } from 'node:crypto';
import type { AuditEnvelope, SeamName } from '@kora/audit-sink';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from './__fixtures__/postgres-test-server.js';
import { insertAuditRows } from './insert-audit-rows.js';
import { migrateSubstrate } from './migrate-substrate.js';
import { createSubstratePartitions } from './partitions/create-day-partitions.js';
import { readNewestArrivalId, readSubstrateArrivals } from './read-substrate-arrivals.js';
import { readSubstrateEntries } from './read-substrate-entries.js';
import type { ReadSubstrateEntriesOptions } from './read-substrate-entries.js';

// Enough rows that an index range of one page is far cheaper than reading and sorting the
// table, so the planner's own choice shows whether the statement can use an index at all.
const ROWS = 30_000;
const BATCH = 5_000;
// Three rows per millisecond: pages must break ties in emitted_at by id.
const ROWS_PER_MS = 3;
const FIRST_MS = Date.parse('2026-11-26T00:00:00.000Z');
// The seams' real mix: tool calls common, dead letters uncommon (10%), failed replies rare
// (one row in 200), as in a fleet: a page of a rare seam must read that seam's own range.
const MIX: readonly SeamName[] = [
  'mcp.tool_called',
  'mcp.tool_called',
  'mcp.tool_called',
  'mcp.tool_called',
  'reasoning.tool_called',
  'reasoning.tool_called',
  'reasoning.tool_called',
  'reasoning.tool_called',
  'reasoning.tool_called',
  'webhook.dead_letter',
];
const RARE_SEAM: SeamName = 'slack_dm.reply_failed';

/** A UUIDv7 of `ms` with random bits, so ids within one millisecond come in no particular order. */
function makeId(ms: number): string {
  const time = ms.toString(16).padStart(12, '0');
  const random = randomBytes(10).toString('hex');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-8${random.slice(3, 6)}-${random.slice(6, 18)}`;
}

// On the daily layout the same rows spread over 30 days, three to a millisecond still.
const SPACING_MS = { plain: 1, daily: (30 * 86_400_000) / (ROWS / ROWS_PER_MS) } as const;
const DAY_MS = 86_400_000;

function makeRows(spacingMs: number): AuditEnvelope[] {
  const rows: AuditEnvelope[] = [];
  for (let n = 0; n < ROWS; n += 1) {
    const ms = FIRST_MS + Math.floor(n / ROWS_PER_MS) * spacingMs;
    const seam = n % 200 === 7 ? RARE_SEAM : (MIX[n % MIX.length] ?? 'mcp.tool_called');
    rows.push({
      v: 1,
      id: makeId(ms),
      emitted_at: new Date(ms).toISOString(),
      seam,
      source: null,
      caller_session_id: null,
      details: { n },
    });
  }
  return rows;
}

/** Newest first by (emitted_at, id), as the pages must come: both compare as their text does. */
function newestFirst(a: AuditEnvelope, b: AuditEnvelope): number {
  if (a.emitted_at !== b.emitted_at) return a.emitted_at < b.emitted_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

type ExplainRow = { 'QUERY PLAN': { Plan: PlanNode }[] };

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

/**
 * What in a plan reads or sorts the whole table: a sequential scan, or a sort above a scan of
 * it or of its partitions. A sequential scan of an empty partition (a day ahead) reads nothing.
 */
function planProblems(node: PlanNode, table: string, empty: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const isTable = (name: string | undefined): boolean => name !== undefined && (name === table || name.startsWith(`${table}_`));
  const scansTable = (child: PlanNode): boolean => isTable(child['Relation Name']) || (child.Plans ?? []).some(scansTable);
  const walk = (child: PlanNode): void => {
    const type = child['Node Type'];
    if (type === 'Seq Scan' && !empty.has(child['Relation Name'] ?? '')) problems.push(`Seq Scan on ${child['Relation Name'] ?? '?'}`);
    if ((type === 'Sort' || type === 'Incremental Sort') && scansTable(child)) problems.push(`${type} over ${table}`);
    // A rare seam is read from its own index range, not by reading every seam's rows and
    // filtering; nor is a seam given as a value, whose plan was made for an average seam.
    const filter = child.Filter ?? '';
    if (isTable(child['Relation Name']) && /\bseam\b/.test(filter) && (filter.includes(RARE_SEAM) || filter.includes('$'))) {
      problems.push(`${type} on ${child['Relation Name'] ?? '?'} filters ${filter}`);
    }
    for (const grandchild of child.Plans ?? []) walk(grandchild);
  };
  walk(node);
  return problems;
}

interface CapturedQuery {
  text: string;
  values: unknown[];
  /** Sent in a transaction that asked for a generic plan (`SET LOCAL plan_cache_mode`). */
  generic: boolean;
}

type QueryArguments = [string | { text: string; values?: unknown[] }, unknown[]?];

/** A recorder of the statements sent through `query`, as they were sent. */
function recordQuery(captured: CapturedQuery[], generic: () => boolean, send: (...args: QueryArguments) => Promise<unknown>) {
  return (...args: QueryArguments): Promise<unknown> => {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : first.text;
    const values = typeof first === 'string' ? (second ?? []) : (first.values ?? []);
    if (!/^\s*(BEGIN|COMMIT|ROLLBACK)/.test(text)) captured.push({ text, values, generic: generic() });
    return send(...args);
  };
}

/** The pool, with every statement sent through `query`, or through a connection it lends, recorded. */
function capturing(pool: pg.Pool, captured: CapturedQuery[]): pg.Pool {
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'query')
        return recordQuery(
          captured,
          () => false,
          (text, values) => target.query(text, values),
        );
      if (property === 'connect') {
        return async () => {
          const connection = await target.connect();
          let generic = false;
          return new Proxy(connection, {
            get(client, name) {
              if (name === 'query') {
                return (...args: QueryArguments) => {
                  const text = typeof args[0] === 'string' ? args[0] : args[0].text;
                  if (/plan_cache_mode = force_generic_plan/.test(text)) generic = true;
                  if (/^\s*(COMMIT|ROLLBACK)/.test(text)) generic = false;
                  return recordQuery(
                    captured,
                    () => generic,
                    (statement, values) => client.query(statement, values),
                  )(...args);
                };
              }
              const value: unknown = Reflect.get(client, name);
              return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
            },
          });
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describeWithPostgres('read paths', () => {
  describe.each(['plain', 'daily'] as const)('on the %s layout', (layout) => {
    const pool = createTestPool();
    const table = uniqueTableName('plans');
    const spacingMs = SPACING_MS[layout];
    const rows = makeRows(spacingMs);
    const empty = new Set<string>();

    beforeAll(async () => {
      await migrateSubstrate(pool, { table, layout });
      // The rows' 30 days, and empty days on either side, as a table with days ahead has.
      if (layout === 'daily')
        await createSubstratePartitions(pool, { table, from: new Date(FIRST_MS - 3 * DAY_MS), to: new Date(FIRST_MS + 33 * DAY_MS) });
      // Several transactions, so arrivals have ties in ingested_at and more than one value of it.
      for (let start = 0; start < ROWS; start += BATCH)
        await insertAuditRows(pool, rows.slice(start, start + BATCH), { table, originHost: 'test-host' });
      await pool.query(`ANALYZE "${table}"`);
      const partitions = await pool.query<{ name: string }>(
        "SELECT relname AS name FROM pg_class WHERE relname LIKE $1 AND relkind = 'r' AND reltuples = 0",
        [`${table}_%`],
      );
      for (const { name } of partitions.rows) empty.add(name);
    }, 120_000);
    afterAll(async () => {
      await dropTable(pool, table);
      await pool.end();
    });

    /** Every statement `read` sends, each with its plan's problems. */
    async function explainEach(read: (client: pg.Pool) => Promise<unknown>): Promise<{ text: string; problems: string[] }[]> {
      const captured: CapturedQuery[] = [];
      await read(capturing(pool, captured));
      expect(captured.length).toBeGreaterThan(0);
      const plans: { text: string; problems: string[] }[] = [];
      for (const { text, values, generic } of captured) {
        const plan = generic
          ? await explainGeneric(text, values)
          : (await pool.query<ExplainRow>(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows[0]?.['QUERY PLAN'][0]?.Plan;
        if (plan === undefined) throw new Error(`no plan for ${text}`);
        plans.push({ text, problems: planProblems(plan, table, empty) });
      }
      return plans;
    }

    /** The generic plan of a statement, the one a prepared statement runs under force_generic_plan. */
    async function explainGeneric(text: string, values: unknown[]): Promise<PlanNode | undefined> {
      const connection = await pool.connect();
      try {
        await connection.query('SET plan_cache_mode = force_generic_plan');
        await connection.query(`PREPARE kora_plan AS ${text}`);
        const literals = values.map((value) => connection.escapeLiteral(String(value))).join(', ');
        const result = await connection.query<ExplainRow>(`EXPLAIN (FORMAT JSON) EXECUTE kora_plan(${literals})`);
        return result.rows[0]?.['QUERY PLAN'][0]?.Plan;
      } finally {
        await connection.query('DEALLOCATE kora_plan').catch(() => undefined);
        await connection.query('RESET plan_cache_mode').catch(() => undefined);
        connection.release();
      }
    }

    /** The cursor after `pages` pages of `limit` rows. */
    async function cursorAfter(options: ReadSubstrateEntriesOptions, pages: number): Promise<string> {
      let cursor: string | null | undefined;
      for (let page = 0; page < pages; page += 1) cursor = (await readSubstrateEntries(pool, { table, ...options, cursor })).cursor;
      if (typeof cursor !== 'string') throw new Error('the table ran out of pages');
      return cursor;
    }

    describe('readSubstrateEntries', () => {
      const since = new Date(FIRST_MS + 4_000 * spacingMs).toISOString();
      const until = new Date(FIRST_MS + 6_000 * spacingMs).toISOString();
      const filters: [string, ReadSubstrateEntriesOptions][] = [
        ['no filter', {}],
        ['one seam', { seams: ['slack_dm.reply_failed'] }],
        ['several seams', { seams: ['webhook.dead_letter', 'slack_dm.reply_failed', 'mcp.tool_called'] }],
        ['since', { since }],
        ['until', { until }],
        ['since and until', { since, until }],
      ];

      it.each(filters)('reads a page from an index, without a sort or a sequential scan: %s', async (_name, options) => {
        for (const { text, problems } of await explainEach((client) => readSubstrateEntries(client, { table, ...options })))
          expect(problems, text).toEqual([]);
      });

      it.each([
        ['cursor', {}],
        ['seams and cursor', { seams: ['webhook.dead_letter', 'slack_dm.reply_failed'] as SeamName[] }],
        ['since, until and cursor', { since, until }],
      ] as [string, ReadSubstrateEntriesOptions][])(
        'reads a deep page from an index, without a sort or a sequential scan: %s',
        async (_name, options) => {
          const cursor = await cursorAfter({ ...options, limit: 100 }, 5);
          for (const { text, problems } of await explainEach((client) =>
            readSubstrateEntries(client, { table, ...options, limit: 100, cursor }),
          ))
            expect(problems, text).toEqual([]);
        },
      );

      it('pages through rows that share a millisecond in (emitted_at, id) order, newest first', async () => {
        const windows: { seams?: SeamName[]; since?: string; until?: string }[] = [
          {},
          { seams: ['webhook.dead_letter', 'slack_dm.reply_failed'] },
          { since, until },
        ];
        for (const options of windows) {
          const read: AuditEnvelope[] = [];
          let pages = 0;
          for (let cursor: string | null | undefined = undefined, first = true; first || cursor !== null; first = false) {
            const page: { entries: AuditEnvelope[]; cursor: string | null } = await readSubstrateEntries(pool, {
              table,
              ...options,
              limit: 1_000,
              cursor,
            });
            read.push(...page.entries);
            cursor = page.cursor;
            pages += 1;
          }
          const seams = options.seams === undefined ? undefined : new Set<string>(options.seams);
          const inWindow = (at: string): boolean =>
            (options.since === undefined || at >= options.since) && (options.until === undefined || at < options.until);
          const expected = rows.filter((row) => (seams === undefined || seams.has(row.seam)) && inWindow(row.emitted_at)).sort(newestFirst);
          expect(pages).toBeGreaterThan(1);
          expect(read.map((row) => row.id)).toEqual(expected.map((row) => row.id));
        }
      });
    });

    describe('readSubstrateArrivals', () => {
      it('reads arrivals from the arrival index, from the start and after a position', async () => {
        const position = rows[BATCH + 10]?.id ?? null;
        for (const after of [null, position]) {
          for (const { text, problems } of await explainEach((client) =>
            readSubstrateArrivals(client, { table, after, maxRows: 1_000, settleMs: 0 }),
          ))
            expect(problems, text).toEqual([]);
        }
      });
    });

    describe('readNewestArrivalId', () => {
      it('reads the newest settled row from the arrival index', async () => {
        for (const { text, problems } of await explainEach((client) => readNewestArrivalId(client, { table, settleMs: 0 })))
          expect(problems, text).toEqual([]);
      });
    });
  });
});
