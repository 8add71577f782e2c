// `pnpm bench` (emit side): the product's write paths measured side by side with what a user
// would use instead, on the same realistic rows, in one run. Prints medians over rounds and
// the ratios between them, and writes the results as JSON under bench/results/.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, constants } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { findSecrets, mayHoldSecret } from '../guard/find-secrets.js';
import { mayHoldSecretBefore } from './guard-before-hardening.js';
import { createAuditSink } from '../sink/create-audit-sink.js';
import { nextRowId } from '../sink/next-row-id.js';
import { formatEmittedAt, serializeRow } from '../sink/serialize-row.js';
import { findRepositoryRoot } from '@kora/test-support';

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
    const row = {
      v: 1,
      id: '0192f7c2-0000-7000-8000-000000000000',
      emitted_at: new Date().toISOString(),
      seam: 'mcp.tool_called',
      source: 'mcp_http',
      caller_session_id: null,
      details: details(index),
    };
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

// The best any batched JSONL writer can do with these rows: JSON.stringify and one write per
// batch, with no validation, no guard and no row id. What separates the sink from it is the
// cost of those steps, measured one by one below.
const batchedFloor = await measure((path) => {
  const descriptor = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  let batch: string[] = [];
  for (let index = 0; index < ROWS; index += 1) {
    // The time formatted once per millisecond, as the sink does: the floor is the best writer.
    const row = {
      v: 1,
      id: '0192f7c2-0000-7000-8000-000000000000',
      emitted_at: formatEmittedAt(Date.now()),
      seam: 'mcp.tool_called',
      source: 'mcp_http',
      caller_session_id: null,
      details: details(index),
    };
    batch.push(`${JSON.stringify(row)}\n`);
    if (batch.length === 256) {
      writeSync(descriptor, batch.join(''));
      batch = [];
    }
  }
  if (batch.length > 0) writeSync(descriptor, batch.join(''));
  closeSync(descriptor);
});

// The steps the sink cannot leave out, in one loop and nothing else: validation, the JSON of the
// details, the guard, the id and the row, then one `write` per 256 rows. Measured whole, the
// steps cost what they cost together (each one's garbage slows the others), which the sum of
// their costs measured one by one leaves out. What the sink adds on top is its bookkeeping.
const requiredSteps = await measure((path) => {
  const descriptor = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  let batch: string[] = [];
  for (let index = 0; index < ROWS; index += 1) {
    const parsed = exampleSeam.details.safeParse(details(index));
    if (!parsed.success) throw new Error('a benchmark row failed validation');
    const json = JSON.stringify(parsed.data);
    if (mayHoldSecret(json)) throw new Error('a benchmark row tripped the guard');
    const now = Date.now();
    batch.push(
      serializeRow(
        {
          v: 1,
          id: nextRowId(now),
          emitted_at: formatEmittedAt(now),
          seam: 'mcp.tool_called',
          source: 'mcp_http',
          caller_session_id: null,
        },
        json,
      ),
    );
    if (batch.length === 256) {
      writeSync(descriptor, batch.join(''));
      batch = [];
    }
  }
  if (batch.length > 0) writeSync(descriptor, batch.join(''));
  closeSync(descriptor);
});

/** Nanoseconds per call of `step`, the median of `ROUNDS` rounds of `ROWS` calls. */
function costOf(step: (index: number) => unknown): number {
  const costs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < ROWS; index += 1) step(index);
    costs.push(Number(process.hrtime.bigint() - started) / ROWS);
  }
  return costs.sort((left, right) => left - right)[Math.floor(costs.length / 2)]!;
}
const detailsJson = JSON.stringify(details(42));
const stepCosts = {
  buildDetails: costOf(details),
  validation: costOf((index) => exampleSeam.details.safeParse(details(index))),
  serializeDetails: costOf((index) => JSON.stringify(details(index))),
  guard: costOf(() => mayHoldSecret(detailsJson)),
  rowId: costOf(() => nextRowId()),
  line: costOf((index) => exampleSeam.formatLine(details(index))),
};
const nanoseconds = (rate: number): number => 1e9 / rate;
// Validation, the guard and the id are what the sink must add to the floor; nothing faster is
// possible without dropping one of them.
const batchedBound = nanoseconds(pinoSync) / (nanoseconds(batchedFloor) + stepCosts.validation + stepCosts.guard + stepCosts.rowId);
// The dual write logs the very line pino logs alone, and writes a row besides.
const dualBound = nanoseconds(pinoLineOnly) / (nanoseconds(pinoLineOnly) + nanoseconds(batched));

// The guard over clean text and over text dense with near-misses, in MB/s.
const clean = 'ticket_id=tkt-0042 state=normal priority=high tool=kora__list_tickets '.repeat(20_000);
const nearMisses =
  'icon@2x.png desk-ant-farm bearer_token_missing password_reset_requested v0=a2114d57b4...(truncated) D0123ABCD 1700000000.000100 '.repeat(
    10_000,
  );
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
  {
    name: 'emit, sync vs floor (JSON.stringify + writeSync, O_APPEND)',
    product: sync,
    baseline: floor,
    unit: 'rows/s',
    target: 0.7,
    bound: null,
  },
  {
    name: 'emit, batched vs pino sync destination',
    product: batched,
    baseline: pinoSync,
    unit: 'rows/s',
    target: 2,
    bound:
      `at most ${batchedBound.toFixed(2)} possible (the floor plus validation, guard and id, each at its cost alone); ` +
      `${(requiredSteps / pinoSync).toFixed(2)} for those steps run together without the sink's bookkeeping`,
  },
  {
    name: 'dual write (line + batched row) vs pino line alone',
    product: dualWrite,
    baseline: pinoLineOnly,
    unit: 'rows/s',
    target: 1,
    // pino writes asynchronously, so part of the row's cost can hide in its wait: an estimate, and always below 1.
    bound: `about ${dualBound.toFixed(2)} if the line's and the row's costs add up; below 1 always, as it makes the same pino call`,
  },
  {
    name: 'batched floor (no validation, guard or id) vs pino sync',
    product: batchedFloor,
    baseline: pinoSync,
    unit: 'rows/s',
    target: null,
    bound: null,
  },
  {
    name: 'required steps in one loop (no sink bookkeeping) vs pino sync',
    product: requiredSteps,
    baseline: pinoSync,
    unit: 'rows/s',
    target: null,
    bound: null,
  },
];
process.stdout.write(`kora-audit emit benchmark: ${ROWS} rows × ${ROUNDS} rounds, medians\n\n`);
const format = (rate: number): string => Math.round(rate).toLocaleString('en').padStart(10);
for (const result of results) {
  const ratio = result.product / result.baseline;
  const verdict = result.target === null ? '' : ` (target ≥ ${result.target}) ${ratio >= result.target ? 'met' : 'NOT MET'}`;
  const bound = result.bound === null ? '' : `; ${result.bound}`;
  process.stdout.write(
    `${result.name.padEnd(62)} ${format(result.product)} vs ${format(result.baseline)} ${result.unit}  ratio ${ratio.toFixed(2)}${verdict}${bound}\n`,
  );
}
process.stdout.write(
  `\ncost per row, ns: floor ${nanoseconds(batchedFloor).toFixed(0)}, validation ${stepCosts.validation.toFixed(0)}, guard ${stepCosts.guard.toFixed(0)}, ` +
    `row id ${stepCosts.rowId.toFixed(0)}, details JSON ${stepCosts.serializeDetails.toFixed(0)}, line ${stepCosts.line.toFixed(0)}; ` +
    `required steps together ${nanoseconds(requiredSteps).toFixed(0)}, sync emit ${nanoseconds(sync).toFixed(0)}, batched emit ${nanoseconds(batched).toFixed(0)}, pino sync ${nanoseconds(pinoSync).toFixed(0)}, pino line ${nanoseconds(pinoLineOnly).toFixed(0)}\n`,
);
/**
 * CPU nanoseconds per call of each step, the median of `ROUNDS * 3` rounds of `ROWS` calls,
 * the steps taking turns round by round: time the process spends waiting for the CPU does not
 * count, and a busy spell on the machine does not land on one step only.
 */
function cpuCostsOf(steps: Record<string, (index: number) => unknown>): Record<string, number> {
  const costs = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS * 3; round += 1) {
    for (const [name, step] of Object.entries(steps)) {
      const started = process.cpuUsage();
      for (let index = 0; index < ROWS; index += 1) step(index);
      const used = process.cpuUsage(started);
      costs.set(name, [...(costs.get(name) ?? []), ((used.user + used.system) * 1000) / ROWS]);
    }
  }
  return Object.fromEntries(
    [...costs].map(([name, values]) => [name, values.sort((left, right) => left - right)[Math.floor(values.length / 2)]!]),
  );
}
// The guard's cost on a clean row beside JSON.stringify of the same details: the ratio moves far
// less between machines, and with the load on one, than either time does.
// Beside it, the same check as it was before the hardened rules, in the same rounds: the clean-row
// cost may grow by at most a quarter.
const guardCpu = cpuCostsOf({
  guard: () => mayHoldSecret(detailsJson),
  guardBefore: () => mayHoldSecretBefore(detailsJson),
  stringify: (index) => JSON.stringify(details(index)),
});
const guardPerStringify = guardCpu.guard! / guardCpu.stringify!;
const guardPerBefore = guardCpu.guard! / guardCpu.guardBefore!;
process.stdout.write(
  `guard on a clean row (CPU time): ${guardCpu.guard!.toFixed(0)} ns vs ${guardCpu.stringify!.toFixed(0)} ns for JSON.stringify of its details, ratio ${guardPerStringify.toFixed(3)}\n` +
    `guard on a clean row vs the guard before the hardened rules (${guardCpu.guardBefore!.toFixed(0)} ns): ratio ${guardPerBefore.toFixed(2)} (target ≤ 1.25) ${guardPerBefore <= 1.25 ? 'met' : 'NOT MET'}\n`,
);
process.stdout.write(`guard: ${guardClean.toFixed(1)} MB/s over clean text, ${guardNearMisses.toFixed(1)} MB/s over near-misses\n`);

const resultsDirectory = join(findRepositoryRoot(), 'bench', 'results');
mkdirSync(resultsDirectory, { recursive: true });
const output = join(resultsDirectory, `emit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  output,
  `${JSON.stringify({ rows: ROWS, rounds: ROUNDS, results, stepCostsNs: stepCosts, guard: { cleanRowPerStringify: guardPerStringify, cleanRowPerBefore: guardPerBefore, cleanMBps: guardClean, nearMissesMBps: guardNearMisses } }, null, 2)}\n`,
);
process.stdout.write(`results: ${output}\n`);
rmSync(directory, { recursive: true, force: true });
