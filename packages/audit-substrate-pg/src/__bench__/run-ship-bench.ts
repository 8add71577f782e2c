// `pnpm bench` (shipping side): the shipper against psql's `\copy` of the same rows into the
// same table, medians over rounds, the ratio printed and written under bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readErrorCode } from '@kora/audit-sink';
import { findRepositoryRoot } from '@kora/test-support';
import pg from 'pg';
import { migrateSubstrate } from '../migrate-substrate.js';
import { createShipper } from '../shipper/create-shipper.js';
import { writeBenchRows } from './write-bench-rows.js';

const ROWS = 200_000;
const ROUNDS = 3;
const DATABASE_URL = process.env.KORA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE = 'kora_bench_ship';
const COLUMNS = 'id, v, emitted_at, seam, source, caller_session_id, details, origin_host';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, connectionTimeoutMillis: 3_000 });
pool.on('error', () => undefined);
try {
  await pool.query('SELECT 1');
} catch (error) {
  process.stdout.write(`PostgreSQL at ${DATABASE_URL} unreachable (${readErrorCode(error) ?? String(error)}): ship benchmark skipped\n`);
  await pool.end();
  process.exit(0);
}

const directory = mkdtempSync(join(tmpdir(), 'kora-ship-bench-'));
const jsonl = join(directory, 'audit.jsonl');
const csv = join(directory, 'rows.csv');
writeBenchRows(jsonl, ROWS);
// The same rows as CSV for psql, converted before timing: `\copy` is given its best case,
// the table's own columns, with no JSON to take apart on the way in.
const quote = (value: string | null): string => (value === null ? '' : `"${value.replaceAll('"', '""')}"`);
writeFileSync(
  csv,
  readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const row = JSON.parse(line) as {
        v: number;
        id: string;
        emitted_at: string;
        seam: string;
        source: string | null;
        caller_session_id: string | null;
        details: unknown;
      };
      return [
        row.id,
        row.v,
        row.emitted_at,
        row.seam,
        quote(row.source),
        quote(row.caller_session_id),
        quote(JSON.stringify(row.details)),
        'bench-host',
      ].join(',');
    })
    .join('\n') + '\n',
);

/** A fresh, empty table with its indexes, as a new deployment has. */
async function freshTable(): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await migrateSubstrate(pool, { table: TABLE });
}

/** Rows per second of `body`, the median of `ROUNDS` rounds, each into a fresh table. */
async function measure(body: () => Promise<void> | void): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    await freshTable();
    const started = process.hrtime.bigint();
    await body();
    rates.push(ROWS / (Number(process.hrtime.bigint() - started) / 1e9));
    const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${TABLE}`);
    if (Number(rows[0]?.count) !== ROWS) throw new Error(`expected ${ROWS} rows, found ${rows[0]?.count}`);
  }
  return rates.sort((left, right) => left - right)[Math.floor(rates.length / 2)] ?? 0;
}

const quiet = { info: (): void => undefined, warn: (message: string): void => void process.stderr.write(`${message}\n`) };
const shipper = await measure(async () => {
  rmSync(`${jsonl}.ship-checkpoint.json`, { force: true });
  await createShipper({
    path: jsonl,
    databaseUrl: DATABASE_URL,
    table: TABLE,
    originHost: 'bench-host',
    logger: quiet,
    migrate: false,
  }).run();
});
const psqlCopy = await measure(() => {
  execFileSync('psql', [DATABASE_URL, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy ${TABLE} (${COLUMNS}) from '${csv}' csv`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
});
await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
await pool.end();

const ratio = shipper / psqlCopy;
const format = (rate: number): string => Math.round(rate).toLocaleString('en').padStart(9);
process.stdout.write(
  `kora-audit ship benchmark: ${ROWS.toLocaleString('en')} rows × ${ROUNDS} rounds, medians, into a fresh indexed table\n\n`,
);
process.stdout.write(`shipper (JSONL file → checkpointed batches of 2,000)  ${format(shipper)} rows/s\n`);
process.stdout.write(`psql \\copy of the same rows as CSV (one COPY)         ${format(psqlCopy)} rows/s\n`);
process.stdout.write(`ratio ${ratio.toFixed(2)}\n`);

const resultsDirectory = join(findRepositoryRoot(), 'bench', 'results');
mkdirSync(resultsDirectory, { recursive: true });
const output = join(resultsDirectory, `ship-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  output,
  `${JSON.stringify({ rows: ROWS, rounds: ROUNDS, results: [{ name: 'ship vs psql \\copy (CSV)', product: shipper, baseline: psqlCopy, unit: 'rows/s', ratio }] }, null, 2)}\n`,
);
process.stdout.write(`results: ${output}\n`);
rmSync(directory, { recursive: true, force: true });
