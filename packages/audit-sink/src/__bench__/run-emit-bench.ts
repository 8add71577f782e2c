// `pnpm bench` (emit side): the product's write paths measured side by side with what a user
// would use instead, on the same realistic rows, in one run. Prints medians over rounds and
// the ratios between them, and writes the results as JSON under bench/results/.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, constants } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { findSecrets } from '../guard/find-secrets.js';
import { createAuditSink } from '../sink/create-audit-sink.js';
import { findRepositoryRoot } from '../testing/read-golden-lines.js';

const ROWS = 20_000;
const ROUNDS = 7;
const directory = mkdtempSync(join(tmpdir(), 'kora-bench-'));
let fileNumber = 0;
const nextPath = (): string => join(directory, `run-${(fileNumber += 1)}.jsonl`);

// A realistic MCP tool-call row: short identifiers, a handful of key names, a result code.
const details = (index: number): Record<string, unknown> => ({
  tool_name: 'kora__create_ticket',
  count: index,
  note: 'ticket_id=tkt-0042 state=normal priority=high',
  keys: ['body', 'priority', 'title'],
});
const silentLogger = { info: (): void => undefined, warn: (): void => undefined };

/** Rows per second of `body`, run `ROWS` times; the median of `ROUNDS` rounds. */
async function measure(body: (path: string) => Promise<void> | void): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const path = nextPath();
    const started = process.hrtime.bigint();
    await body(path);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(ROWS / seconds);
    rmSync(path, { force: true });
  }
  rates.sort((left, right) => left - right);
  return rates[Math.floor(rates.length / 2)]!;
}

/** pino's asynchronous destination, opened and ready to take lines. */
async function openAsyncDestination(path: string): Promise<ReturnType<typeof pino.destination>> {
  const destination = pino.destination({ dest: path, sync: false });
  await once(destination, 'ready');
  return destination;
}

/** Wait until everything logged to `destination` is on disk, then close it. */
async function drain(destination: ReturnType<typeof pino.destination>): Promise<void> {
  await new Promise<void>((resolve, reject) => destination.flush((error) => (error ? reject(error) : resolve())));
  destination.end();
}

const floor = await measure((path) => {
  const descriptor = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  for (let index = 0; index < ROWS; index += 1) {
    const row = { v: 1, id: '0192f7c2-0000-7000-8000-000000000000', emitted_at: new Date().toISOString(), seam: 'mcp.tool_called', source: 'mcp_http', caller_session_id: null, details: details(index) };
    writeSync(descriptor, `${JSON.stringify(row)}\n`);
  }
  closeSync(descriptor);
});
const sync = await measure(async (path) => {
  const sink = createAuditSink({ path, mode: 'sync', logger: silentLogger, flushOnExit: false, reopenOnHangup: false });
  for (let index = 0; index < ROWS; index += 1) sink.emit(exampleSeam, details(index));
  await sink.close();
});
const batched = await measure(async (path) => {
  const sink = createAuditSink({ path, mode: 'batched', batchSize: 256, logger: silentLogger, flushOnExit: false, reopenOnHangup: false });
  for (let index = 0; index < ROWS; index += 1) sink.emit(exampleSeam, details(index));
  await sink.close();
});
const pinoSync = await measure((path) => {
  const destination = pino.destination({ dest: path, sync: true });
  const logger = pino({ base: null }, destination);
  for (let index = 0; index < ROWS; index += 1) logger.info(details(index));
  destination.flushSync();
  destination.end();
});
const dualWrite = await measure(async (path) => {
  const lines = await openAsyncDestination(`${path}.log`);
  const logger = pino({ name: 'kora' }, lines);
  const sink = createAuditSink({ path, mode: 'batched', batchSize: 256, logger, flushOnExit: false, reopenOnHangup: false });
  for (let index = 0; index < ROWS; index += 1) sink.emitWithLine(exampleSeam, details(index), undefined, logger);
  await sink.close();
  await drain(lines);
  rmSync(`${path}.log`, { force: true });
});
const pinoLineOnly = await measure(async (path) => {
  const lines = await openAsyncDestination(path);
  const logger = pino({ name: 'kora' }, lines);
  for (let index = 0; index < ROWS; index += 1) logger.info(exampleSeam.formatLine(details(index)));
  await drain(lines);
});

// The guard over clean text and over text dense with near-misses, in MB/s.
const clean = 'ticket_id=tkt-0042 state=normal priority=high tool=kora__list_tickets '.repeat(20_000);
const nearMisses = 'icon@2x.png desk-ant-farm bearer_token_missing password_reset_requested v0=a2114d57b4...(truncated) D0123ABCD 1700000000.000100 '.repeat(10_000);
const guardRate = (text: string): number => {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    findSecrets(text);
    rates.push(Buffer.byteLength(text) / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  return rates.sort((left, right) => left - right)[Math.floor(rates.length / 2)]!;
};
const guardClean = guardRate(clean);
const guardNearMisses = guardRate(nearMisses);

const results = [
  { name: 'emit, sync vs floor (JSON.stringify + writeSync, O_APPEND)', product: sync, baseline: floor, unit: 'rows/s', target: 0.7 },
  { name: 'emit, batched vs pino sync destination', product: batched, baseline: pinoSync, unit: 'rows/s', target: 2 },
  { name: 'dual write (line + batched row) vs pino line alone', product: dualWrite, baseline: pinoLineOnly, unit: 'rows/s', target: 1 },
];
process.stdout.write(`kora-audit emit benchmark: ${ROWS} rows × ${ROUNDS} rounds, medians\n\n`);
for (const result of results) {
  const ratio = result.product / result.baseline;
  process.stdout.write(
    `${result.name.padEnd(62)} ${Math.round(result.product).toLocaleString('en').padStart(10)} vs ${Math.round(result.baseline).toLocaleString('en').padStart(10)} ${result.unit}  ratio ${ratio.toFixed(2)} (target ≥ ${result.target}) ${ratio >= result.target ? 'met' : 'NOT MET'}\n`,
  );
}
process.stdout.write(`\nguard: ${guardClean.toFixed(1)} MB/s over clean text, ${guardNearMisses.toFixed(1)} MB/s over near-misses\n`);

const resultsDirectory = join(findRepositoryRoot(), 'bench', 'results');
mkdirSync(resultsDirectory, { recursive: true });
const output = join(resultsDirectory, `emit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(output, `${JSON.stringify({ rows: ROWS, rounds: ROUNDS, results, guard: { cleanMBps: guardClean, nearMissesMBps: guardNearMisses } }, null, 2)}\n`);
process.stdout.write(`results: ${output}\n`);
rmSync(directory, { recursive: true, force: true });
