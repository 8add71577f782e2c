// `pnpm bench` (the event log at scale): the panels' reads, the live stream's poll and the lag
// check on a fleet's event log of millions of rows beside the same at 50,000 rows, and
// retention's prune of 20 days, against the targets each must meet. Printed and written under
// bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { auditClosedDetails, auditEnvelope, auditLostDetails, auditOpenedDetails } from '@kora/audit-sink';
import { findRepositoryRoot } from '@kora/test-support';
import { mcpToolCalledDetails } from '@kora/seam-mcp';
import { reasoningToolCalledDetails } from '@kora/seam-reasoning';
import { slackDmReplyFailedDetails } from '@kora/seam-slack-dm';
import { webhookDeadLetterDetails } from '@kora/seam-webhook-dead-letter';
import pg from 'pg';
import { insertAuditLines } from '../insert-audit-rows.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { createSubstratePartitions } from '../partitions/create-day-partitions.js';
import { pruneSubstrate } from '../partitions/prune-substrate.js';
import { readHostLag } from '../read-host-lag.js';
import { readNewestArrivalId, readSubstrateArrivals } from '../read-substrate-arrivals.js';
import { readSubstrateEntries } from '../read-substrate-entries.js';
import { SCALE_HOSTS, makeScaleLines } from './make-scale-lines.js';

const DATABASE_URL = process.env.KORA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LARGE_ROWS = readRowCount(process.env.KORA_BENCH_SCALE_ROWS);
const SMALL_ROWS = Math.min(50_000, LARGE_ROWS);
// Filling a plain table of the full size as well doubles the fill; the daily layout is the one
// retention needs, so the plain one is measured at full size only when asked.
const PLAIN_LARGE = process.env.KORA_BENCH_SCALE_PLAIN === '1';
const RUNS = 200;
const WARM_UP = 20;
const DAY_MS = 86_400_000;
const SPAN_MS = 30 * DAY_MS;
// Rows per insert: each host ships its own batches, as a shipper does.
const BATCH = 2_000;
const PAGE_TARGET_MS = 20;
const POLL_TARGET_MS = 5;
const PRUNE_TARGET_MS = 5_000;
const MAX_RATIO = 2;

function readRowCount(value: string | undefined): number {
  if (value === undefined || value === '') return 5_000_000;
  const rows = Number(value);
  if (!Number.isInteger(rows) || rows < 10_000 || rows > 50_000_000) {
    process.stderr.write(
      `KORA_BENCH_SCALE_ROWS must be a whole number from 10000 to 50000000 (page 50 needs 5,000 rows), got '${value}'\n`,
    );
    process.exit(2);
  }
  return rows;
}

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, connectionTimeoutMillis: 3_000 });
pool.on('error', () => undefined);
try {
  await pool.query('SELECT 1');
} catch (error) {
  process.stdout.write(
    `PostgreSQL at ${DATABASE_URL} unreachable (${(error as { code?: string }).code ?? String(error)}): scale benchmark skipped\n`,
  );
  await pool.end();
  process.exit(0);
}

type Layout = 'daily' | 'plain';
interface Fill {
  readonly table: string;
  readonly layout: Layout;
  readonly rows: number;
  readonly fillMs: number;
  readonly vacuumMs: number;
}

const endMs = Date.now();
const fills: Fill[] = [];
const tableName = (layout: Layout, rows: number): string => `kora_bench_scale_${layout}_${rows}`;

/** The rows of the first fill, checked against the envelope and each seam's schema: the bench reads what the seams write. */
function checkRowShapes(): void {
  const schemas = {
    'mcp.tool_called': mcpToolCalledDetails,
    'reasoning.tool_called': reasoningToolCalledDetails,
    'slack_dm.reply_failed': slackDmReplyFailedDetails,
    'webhook.dead_letter': webhookDeadLetterDetails,
    'audit.opened': auditOpenedDetails,
    'audit.lost': auditLostDetails,
    'audit.closed': auditClosedDetails,
  } as const;
  for (const { line } of makeScaleLines({ rows: LARGE_ROWS, endMs, spanMs: SPAN_MS }, 0, 20_000)) {
    const entry = auditEnvelope.parse(JSON.parse(line));
    schemas[entry.seam].parse(entry.details);
  }
}

/** The sum of the sizes of the table, its partitions, indexes and TOAST. */
async function tableBytes(table: string): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>(
    // pg_partition_tree lists a partitioned table and its partitions, and nothing for a plain table.
    'SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree($1::regclass)), pg_total_relation_size($1::regclass)) AS bytes',
    [table],
  );
  return Number(rows[0]?.bytes ?? 0);
}

/**
 * A fresh table of `layout` holding `rows` rows, inserted through `insertAuditLines` on two
 * connections at once, oldest first, in batches of one host's rows. Then each table (each
 * partition) is vacuumed and analyzed, as autovacuum does after a load.
 */
async function fill(layout: Layout, rows: number): Promise<Fill> {
  const table = tableName(layout, rows);
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await migrateSubstrate(pool, { table, layout });
  if (layout === 'daily') await createSubstratePartitions(pool, { table, from: new Date(endMs - SPAN_MS), to: new Date(endMs) });
  const span = { rows, endMs, spanMs: SPAN_MS };
  const chunk = BATCH * SCALE_HOSTS.length;
  const batches = (function* (): Generator<{ host: string; lines: string[] }> {
    for (let from = 0; from < rows; from += chunk) {
      const byHost = new Map<string, string[]>();
      for (const { host, line } of makeScaleLines(span, from, Math.min(rows, from + chunk))) {
        let lines = byHost.get(host);
        if (lines === undefined) byHost.set(host, (lines = []));
        lines.push(line);
      }
      for (const [host, lines] of byHost) yield { host, lines };
    }
  })();
  let inserted = 0;
  let reported = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let next = batches.next(); next.done !== true; next = batches.next()) {
      // Awaited first: `inserted += await …` would add to the count read before the other worker's batch.
      const batch = await insertAuditLines(pool, next.value.lines, { table, originHost: next.value.host });
      inserted += batch.inserted;
      if (rows >= 1_000_000 && inserted - reported >= 1_000_000) {
        reported = inserted - (inserted % 1_000_000);
        process.stdout.write(
          `  ${table}: ${inserted.toLocaleString('en')} rows in ${((performance.now() - started) / 1_000).toFixed(0)} s\n`,
        );
      }
    }
  };
  await Promise.all([worker(), worker()]);
  const fillMs = performance.now() - started;
  if (inserted !== rows) throw new Error(`${table}: expected ${rows} rows inserted, got ${inserted}`);
  const vacuumStarted = performance.now();
  const { rows: leaves } = await pool.query<{ relid: string }>('SELECT relid::text FROM pg_partition_tree($1::regclass) WHERE isleaf', [
    table,
  ]);
  for (const leaf of leaves.length === 0 ? [{ relid: table }] : leaves) await pool.query(`VACUUM (ANALYZE) ${leaf.relid}`);
  const result = { table, layout, rows, fillMs, vacuumMs: performance.now() - vacuumStarted };
  process.stdout.write(
    `filled ${table}: ${rows.toLocaleString('en')} rows in ${(fillMs / 1_000).toFixed(1)} s (${Math.round(rows / (fillMs / 1_000)).toLocaleString('en')} rows/s), vacuum and analyze ${(result.vacuumMs / 1_000).toFixed(1)} s\n`,
  );
  return result;
}

interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

/** p50 and p99 in milliseconds of `RUNS` runs of `body`, after `WARM_UP` runs not counted. */
async function measure(body: () => Promise<unknown>): Promise<Percentiles> {
  for (let run = 0; run < WARM_UP; run += 1) await body();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    await body();
    times.push(performance.now() - started);
  }
  times.sort((left, right) => left - right);
  const at = (share: number): number => times[Math.min(times.length - 1, Math.ceil(share * times.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

interface Operation {
  readonly name: string;
  /** Which target applies: a panel's page, the live stream's poll, or none. */
  readonly target: 'page' | 'poll' | 'none';
  /** One run against `table`, prepared by `prepare` (untimed) once per table. */
  readonly prepare?: (table: string) => Promise<(table: string) => Promise<unknown>>;
  readonly run?: (table: string) => Promise<unknown>;
}

const tenDaysBack = new Date(Math.floor((endMs - 10 * DAY_MS) / DAY_MS) * DAY_MS);
const OPERATIONS: readonly Operation[] = [
  { name: 'newest 100', target: 'page', run: (table) => readSubstrateEntries(pool, { table }) },
  {
    name: 'rare seam (slack_dm.reply_failed)',
    target: 'page',
    run: (table) => readSubstrateEntries(pool, { table, seams: ['slack_dm.reply_failed'] }),
  },
  {
    name: 'agent activity (mcp + reasoning)',
    target: 'page',
    run: (table) => readSubstrateEntries(pool, { table, seams: ['mcp.tool_called', 'reasoning.tool_called'] }),
  },
  {
    name: '24 h window, 10 days back',
    target: 'page',
    run: (table) => readSubstrateEntries(pool, { table, since: tenDaysBack, until: new Date(tenDaysBack.getTime() + DAY_MS) }),
  },
  {
    name: 'page 50 by cursor',
    target: 'page',
    prepare: async (table) => {
      let cursor: string | null = null;
      for (let page = 1; page < 50; page += 1) cursor = (await readSubstrateEntries(pool, { table, cursor })).cursor;
      if (cursor === null) throw new Error(`${table}: fewer than 50 pages`);
      const at = cursor;
      return (name) => readSubstrateEntries(pool, { table: name, cursor: at });
    },
  },
  {
    name: 'live stream poll (readSubstrateArrivals)',
    target: 'poll',
    prepare: async (table) => {
      const position = await readNewestArrivalId(pool, { table });
      return async (name) => {
        const arrivals = await readSubstrateArrivals(pool, { table: name, after: position, maxRows: 5_000 });
        if (!arrivals.found || arrivals.rows.length !== 0)
          throw new Error(`${name}: the steady-state poll found rows or lost its position`);
      };
    },
  },
  { name: 'live stream start (readNewestArrivalId)', target: 'poll', run: (table) => readNewestArrivalId(pool, { table }) },
  {
    name: 'host lag (readHostLag)',
    target: 'none',
    run: async (table) => {
      const hosts = await readHostLag(pool, { table });
      if (hosts.length !== SCALE_HOSTS.length) throw new Error(`${table}: ${hosts.length} hosts`);
    },
  },
];

interface Row {
  readonly layout: Layout;
  readonly name: string;
  readonly small: Percentiles | undefined;
  readonly large: Percentiles | undefined;
  readonly target: string;
  readonly verdict: string;
}

/** The target of an operation and whether the measurements meet it. */
function judge(
  target: Operation['target'],
  small: Percentiles | undefined,
  large: Percentiles | undefined,
): { target: string; verdict: string } {
  if (target === 'none' || large === undefined) return { target: '—', verdict: large === undefined ? 'not measured' : '—' };
  if (target === 'poll') return { target: `p99 < ${POLL_TARGET_MS} ms`, verdict: large.p99 < POLL_TARGET_MS ? 'met' : 'not met' };
  const ratio = small === undefined ? Number.NaN : large.p50 / small.p50;
  const misses = [
    ...(large.p99 < PAGE_TARGET_MS ? [] : [`p99 ≥ ${PAGE_TARGET_MS} ms`]),
    ...(ratio <= MAX_RATIO ? [] : [`p50 ratio > ${MAX_RATIO}`]),
  ];
  return {
    target: `p99 < ${PAGE_TARGET_MS} ms, ≤ ${MAX_RATIO}× 50k`,
    verdict: misses.length === 0 ? 'met' : `not met: ${misses.join(', ')}`,
  };
}

interface Prune {
  readonly layout: Layout;
  readonly rows: number;
  readonly ms: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly removedRows: number;
  readonly droppedPartitions: number;
  readonly deletedRows: number;
  /** Where the time went: detaching and dropping whole partitions, deleting in batches, the rest (reading the layout, the days ahead). */
  readonly dropMs: number;
  readonly slowestDropMs: number;
  readonly deleteMs: number;
}

/** Prune every row emitted more than 10 days before the fill's end, timed, with the table's size around it. */
async function prune(layout: Layout, rows: number): Promise<Prune> {
  const table = tableName(layout, rows);
  const bytesBefore = await tableBytes(table);
  const started = performance.now();
  let stepStarted = started;
  const drops: number[] = [];
  let deleteMs = 0;
  const result = await pruneSubstrate(pool, {
    table,
    before: new Date(endMs - 10 * DAY_MS),
    // Told as each step completes: the time since the previous one is that step's.
    onStep: (step) => {
      const now = performance.now();
      if (step.kind === 'dropped') drops.push(now - stepStarted);
      else deleteMs += now - stepStarted;
      stepStarted = now;
    },
  });
  const ms = performance.now() - started;
  const { rows: left } = await pool.query<{ count: string; oldest: Date | null }>(
    `SELECT count(*)::text AS count, min(emitted_at) AS oldest FROM ${table}`,
  );
  if (left[0]?.oldest != null && left[0].oldest.getTime() < endMs - 10 * DAY_MS)
    throw new Error(`${table}: rows older than the cut remain`);
  if (Number(left[0]?.count) + result.removedRows !== rows)
    throw new Error(`${table}: prune removed ${result.removedRows} and left ${left[0]?.count} of ${rows}`);
  return {
    layout,
    rows,
    ms,
    bytesBefore,
    bytesAfter: await tableBytes(table),
    removedRows: result.removedRows,
    droppedPartitions: result.steps.filter((step) => step.kind === 'dropped').length,
    deletedRows: result.steps.reduce((sum, step) => sum + (step.kind === 'deleted' ? step.rows : 0), 0),
    dropMs: drops.reduce((sum, time) => sum + time, 0),
    slowestDropMs: Math.max(0, ...drops),
    deleteMs,
  };
}

const layouts: { layout: Layout; large: boolean }[] = [
  { layout: 'daily', large: true },
  { layout: 'plain', large: PLAIN_LARGE },
];
const sizes = (large: boolean): number[] => (large && LARGE_ROWS !== SMALL_ROWS ? [SMALL_ROWS, LARGE_ROWS] : [SMALL_ROWS]);
const results: Row[] = [];
const prunes: Prune[] = [];
try {
  checkRowShapes();
  const { rows: version } = await pool.query<{ server_version: string }>('SHOW server_version');
  process.stdout.write(
    `kora-audit event log at scale: ${SCALE_HOSTS.length} hosts, 30 days ending now, ${RUNS} runs per read after ${WARM_UP} warm-up runs; PostgreSQL ${version[0]?.server_version ?? '?'}, ${cpus().length} cores\n`,
  );
  for (const { layout, large } of layouts) for (const rows of sizes(large)) fills.push(await fill(layout, rows));
  // The poll delivers rows that have settled for 2 s: wait until the last fill's have.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  // Percentiles move with whatever else the machine runs: the load is printed beside them.
  process.stdout.write(
    `load average before the reads: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(', ')}\n`,
  );
  for (const { layout, large } of layouts) {
    for (const operation of OPERATIONS) {
      const measured = new Map<number, Percentiles>();
      for (const rows of sizes(large)) {
        const table = tableName(layout, rows);
        const run = operation.prepare === undefined ? operation.run : await operation.prepare(table);
        if (run === undefined) throw new Error(`${operation.name}: nothing to run`);
        measured.set(rows, await measure(() => run(table)));
      }
      const small = measured.get(SMALL_ROWS);
      const largeResult = large && LARGE_ROWS !== SMALL_ROWS ? measured.get(LARGE_ROWS) : undefined;
      results.push({ layout, name: operation.name, small, large: largeResult, ...judge(operation.target, small, largeResult) });
    }
  }
  for (const { layout, large } of layouts) for (const rows of sizes(large)) prunes.push(await prune(layout, rows));
} finally {
  // Dropped even when a step failed; a server that went away keeps them until the next run drops them.
  for (const { layout, large } of layouts) {
    for (const rows of sizes(large)) {
      await pool.query(`DROP TABLE IF EXISTS ${tableName(layout, rows)}`).catch((error: unknown) => {
        process.stderr.write(`could not drop ${tableName(layout, rows)}: ${(error as { code?: string }).code ?? String(error)}\n`);
      });
    }
  }
  await pool.end();
}

const ms = (value: number | undefined): string => (value === undefined ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const pair = (value: Percentiles | undefined): string => (value === undefined ? '— / —' : `${ms(value.p50)} / ${ms(value.p99)}`);
const large = `${(LARGE_ROWS / 1e6).toLocaleString('en')}M`;
const smallLabel = `${(SMALL_ROWS / 1e3).toLocaleString('en')}k`;
const header = [
  'layout',
  'operation',
  `p50 / p99 ms at ${smallLabel}`,
  `p50 / p99 ms at ${large}`,
  `p50 ratio ${large}/${smallLabel}`,
  'target',
  'verdict',
];
const lines = results.map((row) => [
  row.layout,
  row.name,
  pair(row.small),
  pair(row.large),
  row.small === undefined || row.large === undefined ? '—' : (row.large.p50 / row.small.p50).toFixed(2),
  row.target,
  row.verdict,
]);
const mib = (bytes: number): string => `${(bytes / 1_048_576).toFixed(0)} MiB`;
for (const layout of ['daily', 'plain'] as const) {
  const small = prunes.find((entry) => entry.layout === layout && entry.rows === SMALL_ROWS);
  const full = prunes.find((entry) => entry.layout === layout && entry.rows === LARGE_ROWS && LARGE_ROWS !== SMALL_ROWS);
  const target = layout === 'daily' ? `< ${PRUNE_TARGET_MS / 1_000} s at ${large}` : '—';
  const verdict = layout === 'daily' ? (full === undefined ? 'not measured' : full.ms < PRUNE_TARGET_MS ? 'met' : 'not met') : '—';
  lines.push([
    layout,
    'prune rows older than 10 days',
    small === undefined ? '—' : ms(small.ms),
    full === undefined ? '—' : ms(full.ms),
    small && full ? (full.ms / small.ms).toFixed(2) : '—',
    target,
    verdict,
  ]);
}
const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)));
const format = (cells: readonly string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
process.stdout.write(
  `\n${format(header)}\n|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|\n${lines.map(format).join('\n')}\n\n`,
);
for (const entry of prunes) {
  process.stdout.write(
    `prune ${entry.layout} ${entry.rows.toLocaleString('en')}: ${entry.removedRows.toLocaleString('en')} rows removed in ${ms(entry.ms)} ms: ` +
      `${entry.droppedPartitions} partitions dropped in ${ms(entry.dropMs)} ms (slowest ${ms(entry.slowestDropMs)} ms), ` +
      `${entry.deletedRows.toLocaleString('en')} rows deleted in batches in ${ms(entry.deleteMs)} ms; size ${mib(entry.bytesBefore)} → ${mib(entry.bytesAfter)}\n`,
  );
}
process.stdout.write(
  `load average after: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')}\n`,
);
if (!PLAIN_LARGE && LARGE_ROWS !== SMALL_ROWS)
  process.stdout.write(`plain layout at ${large} not filled (set KORA_BENCH_SCALE_PLAIN=1 to measure it)\n`);

const resultsDirectory = join(findRepositoryRoot(), 'bench', 'results');
mkdirSync(resultsDirectory, { recursive: true });
const output = join(resultsDirectory, `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  output,
  `${JSON.stringify({ rows: { small: SMALL_ROWS, large: LARGE_ROWS }, hosts: SCALE_HOSTS.length, days: 30, runs: RUNS, warmUp: WARM_UP, fills, results, prunes }, null, 2)}\n`,
);
process.stdout.write(`results: ${output}\n`);
