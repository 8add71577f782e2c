// `pnpm bench` (second part): how fast `kora-audit seal` turns an audit file into a signed
// tree, and how much memory it takes. A file of realistic sink rows is sealed from scratch by
// a child process (the sealer alone in it), several rounds, median; its peak RSS is compared
// with a child that only loads the same modules. Then a writer appends rows at a fixed high
// rate while a child seals with --follow's loop, and the age of the newest sealed row at each
// pass is the seal lag. Prints the ratios to the targets and writes JSON under bench/results/.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { auditRows } from '../__fixtures__/sealed-chain.js';
import { generateSealKey, privateKeyPem } from '../note/seal-key.js';

const ROWS = 400_000;
const ROUNDS = 3;
const TARGET_ROWS_PER_SECOND = 200_000;
const TARGET_RSS_MIB = 128;
// The keep-up scenario: a writer at this rate for this long, the sealer passing every interval.
const FOLLOW_ROWS_PER_SECOND = 50_000;
const FOLLOW_SECONDS = 8;
const FOLLOW_INTERVAL_MS = 1_000;
const WRITE_TICK_MS = 20;

const child = fileURLToPath(new URL('./seal-bench-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const childArgs = ['--import', 'tsx', '--conditions=@kora/source', child];
const directory = mkdtempSync(join(tmpdir(), 'kora-seal-bench-'));
const keyPath = join(directory, 'seal-key.pem');
writeFileSync(keyPath, privateKeyPem(generateSealKey().privateKey), { mode: 0o600 });

const path = join(directory, 'audit.jsonl');
for (let from = 0; from < ROWS; from += 10_000) appendFileSync(path, auditRows(from, Math.min(ROWS, from + 10_000)));
const fileBytes = statSync(path).size;
const removeSeal = (file: string): void => {
  for (const suffix of ['.checkpoints', '.leaves', '.seal-state']) rmSync(`${file}${suffix}`, { force: true });
};

const runChild = (args: readonly string[]): Record<string, number> =>
  JSON.parse(execFileSync(process.execPath, [...childArgs, ...args], { cwd: packageDir, encoding: 'utf8' })) as Record<string, number>;

// One untimed round warms the disk cache; then each round seals the whole file anew.
const rates: number[] = [];
const cpuRates: number[] = [];
const rssKiB: number[] = [];
for (let round = -1; round < ROUNDS; round += 1) {
  removeSeal(path);
  const result = runChild(['once', path, keyPath]);
  if (result.leaves !== ROWS) throw new Error(`sealed ${result.leaves} rows, not ${ROWS}`);
  if (round >= 0) {
    rates.push(ROWS / (result.ms! / 1000));
    cpuRates.push(ROWS / (result.cpuMs! / 1000));
    rssKiB.push(result.maxRssKiB!);
  }
}
const baselineKiB = runChild(['baseline']).maxRssKiB!;
const median = (values: number[]): number => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;
const rate = median(rates);
const cpuRate = median(cpuRates);
const peakMiB = Math.max(...rssKiB) / 1024;

// Peak RSS as the system's time(1) sees it, when it is there: the whole process, loader included.
let timeRssMiB: number | null = null;
if (existsSync('/usr/bin/time')) {
  removeSeal(path);
  const timed = spawnSync('/usr/bin/time', ['-v', process.execPath, ...childArgs, 'once', path, keyPath], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(timed.stderr);
  if (match?.[1] !== undefined) timeRssMiB = Number(match[1]) / 1024;
}

// The keep-up scenario.
const followPath = join(directory, 'follow.jsonl');
writeFileSync(followPath, '');
const follow = spawn(process.execPath, [...childArgs, 'follow', followPath, keyPath, String(FOLLOW_INTERVAL_MS)], {
  cwd: packageDir,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const passes: { size: number; at: number }[] = [];
let followRssKiB = 0;
createInterface({ input: follow.stdout }).on('line', (line) => {
  const report = JSON.parse(line) as { size?: number; at?: number; maxRssKiB?: number };
  if (report.size !== undefined && report.at !== undefined) passes.push({ size: report.size, at: report.at });
  if (report.maxRssKiB !== undefined) followRssKiB = report.maxRssKiB;
});
const followExited = new Promise<void>((resolve) => follow.on('close', () => resolve()));
// When each row was written: the writer's cumulative count after each tick.
const written: { rows: number; at: number }[] = [];
const perTick = (FOLLOW_ROWS_PER_SECOND * WRITE_TICK_MS) / 1000;
const writeStarted = Date.now();
let rowsWritten = 0;
while (Date.now() - writeStarted < FOLLOW_SECONDS * 1000) {
  // Ticks are scheduled from the start, so a slow tick is caught up and the rate holds.
  const due = Math.floor(((Date.now() - writeStarted) / WRITE_TICK_MS + 1) * perTick);
  if (due > rowsWritten) {
    appendFileSync(followPath, auditRows(ROWS + rowsWritten, ROWS + due));
    rowsWritten = due;
    written.push({ rows: rowsWritten, at: Date.now() });
  }
  await new Promise((resolve) => setTimeout(resolve, WRITE_TICK_MS / 2));
}
const writeEnded = Date.now();
while ((passes.at(-1)?.size ?? 0) < rowsWritten) await new Promise((resolve) => setTimeout(resolve, 20));
const caughtUpMs = (passes.at(-1)?.at ?? writeEnded) - writeEnded;
follow.kill('SIGTERM');
await followExited;
// The age of the newest row each pass sealed: when the write that held it ended, to the pass.
const lags = passes.map(({ size, at }) => at - (written.find((write) => write.rows >= size)?.at ?? at));
rmSync(directory, { recursive: true, force: true });

const writeRate = rowsWritten / ((writeEnded - writeStarted) / 1000);
process.stdout.write(
  `${ROWS} rows of ${(fileBytes / ROWS).toFixed(0)} bytes (${(fileBytes / 1e6).toFixed(0)} MB), sealed from scratch by a child process, median of ${ROUNDS} rounds, Node ${process.version}\n`,
);
process.stdout.write(
  `${'sealing throughput (openSealer().seal())'.padEnd(62)} ${(rate / 1e3).toFixed(0).padStart(6)} k rows/s  ratio to the ${TARGET_ROWS_PER_SECOND / 1e3}k target ${(rate / TARGET_ROWS_PER_SECOND).toFixed(2)}\n`,
);
process.stdout.write(
  `${'  per second of the process’s CPU time (user + system)'.padEnd(62)} ${(cpuRate / 1e3).toFixed(0).padStart(6)} k rows/s  ratio to the ${TARGET_ROWS_PER_SECOND / 1e3}k target ${(cpuRate / TARGET_ROWS_PER_SECOND).toFixed(2)}\n`,
);
process.stdout.write(
  `${'peak RSS of the sealing process (maxRSS)'.padEnd(62)} ${peakMiB.toFixed(0).padStart(6)} MiB       ratio to the ${TARGET_RSS_MIB} MiB target ${(peakMiB / TARGET_RSS_MIB).toFixed(2)}\n`,
);
process.stdout.write(
  `${'  of which the runtime and modules, sealing nothing'.padEnd(62)} ${(baselineKiB / 1024).toFixed(0).padStart(6)} MiB\n`,
);
if (timeRssMiB !== null) {
  process.stdout.write(`${'  the same, as /usr/bin/time -v reports it'.padEnd(62)} ${timeRssMiB.toFixed(0).padStart(6)} MiB\n`);
}
const sortedLags = [...lags].sort((left, right) => left - right);
process.stdout.write(
  `--follow (every ${FOLLOW_INTERVAL_MS} ms) while a writer appends ${(writeRate / 1e3).toFixed(0)}k rows/s for ${FOLLOW_SECONDS} s: ${passes.length} passes, ` +
    `seal lag median ${sortedLags[Math.floor(sortedLags.length / 2)] ?? 0} ms, max ${sortedLags.at(-1) ?? 0} ms; ` +
    `sealed everything ${caughtUpMs} ms after the last write; peak RSS ${(followRssKiB / 1024).toFixed(0)} MiB\n`,
);

const resultsDirectory = join(findRepositoryRoot(), 'bench', 'results');
mkdirSync(resultsDirectory, { recursive: true });
const output = join(resultsDirectory, `seal-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  output,
  `${JSON.stringify(
    {
      rows: ROWS,
      rowBytes: fileBytes / ROWS,
      rounds: ROUNDS,
      rowsPerSecond: rate,
      rowsPerCpuSecond: cpuRate,
      peakRssMiB: peakMiB,
      timePeakRssMiB: timeRssMiB,
      baselineRssMiB: baselineKiB / 1024,
      follow: {
        intervalMs: FOLLOW_INTERVAL_MS,
        writeRowsPerSecond: writeRate,
        passes: passes.length,
        lagMs: lags,
        caughtUpMs,
        peakRssMiB: followRssKiB / 1024,
      },
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`results: ${output}\n`);

/** The monorepo's root: the nearest directory up with pnpm-workspace.yaml. */
function findRepositoryRoot(): string {
  let directory = import.meta.dirname;
  while (!existsSync(join(directory, 'pnpm-workspace.yaml'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('pnpm-workspace.yaml not found above the bench');
    directory = parent;
  }
  return directory;
}
