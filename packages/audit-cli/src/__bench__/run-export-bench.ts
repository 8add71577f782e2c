// `pnpm bench` (export): `kora-audit export` of a realistic audit file in each format to a file,
// and as OTLP/HTTP to a local receiver in a process of its own (as a collector would be, so that
// its decoding does not share the exporter's CPU), each a child process as a user runs it, side by
// side with `kora-audit query --all` over the same file: the reader's whole pass (every line
// found, parsed, checked and printed), which every export also makes before it maps a row, and
// an export of one row, which is what any export costs to start. Prints rows per second (also once
// started), peak RSS, each target, and what the steps cost in one thread and so on every core,
// and writes the results as JSON under bench/results/.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepositoryRoot } from '@kora/test-support';
import { measureExportStages } from './measure-export-stages.js';
import { formatRss, formatSeconds, measureSideBySide, runRemovingScratch, writeBenchResults } from './measure-commands.js';
import type { Measurement, Subject } from './measure-commands.js';
import { writeRealisticAuditFile } from './write-realistic-audit-file.js';

const MIB = 1024 * 1024;
const ROUNDS = 3;
const FILE_TARGET_ROWS_PER_SECOND = 100_000;
const OTLP_TARGET_ROWS_PER_SECOND = 50_000;
const root = findRepositoryRoot();
const builtBin = join(root, 'packages', 'audit-cli', 'dist', 'cli', 'kora-audit.js');
const cli = existsSync(builtBin)
  ? { prefix: [builtBin], label: 'node dist/cli/kora-audit.js' }
  : {
      prefix: ['--conditions=@kora/source', '--import', 'tsx', join(root, 'packages', 'audit-cli', 'src', 'bin.ts')],
      label: 'node --import tsx src/bin.ts (no build found: start-up includes the tsx loader)',
    };
const directory = mkdtempSync(join(tmpdir(), 'kora-export-bench-'));

interface ReceiverReply {
  readonly url?: string;
  readonly count?: number;
  readonly cpu?: NodeJS.CpuUsage;
}

/** The OTLP receiver of the send bench, in its own process; answers its URL, then counts. */
async function startReceiverProcess(): Promise<{ url: string; count: () => Promise<ReceiverReply>; close: () => Promise<void> }> {
  const child: ChildProcess = fork(join(root, 'packages', 'audit-export', 'src', '__bench__', 'otlp-receiver-process.ts'), {
    execArgv: ['--import', 'tsx', '--conditions=@kora/source'],
  });
  const ask = async (message: string): Promise<ReceiverReply> => {
    const reply = once(child, 'message') as Promise<[ReceiverReply]>;
    if (message !== '') child.send(message);
    return (await reply)[0];
  };
  const { url } = await ask('');
  if (url === undefined) throw new Error('the receiver process gave no URL');
  return {
    url,
    count: () => ask('count'),
    close: async () => {
      child.send('close');
      await once(child, 'exit');
    },
  };
}

const exportArgs = (format: string, path: string, ...rest: string[]): string[] => [
  ...cli.prefix,
  'export',
  '--format',
  format,
  '--path',
  path,
  ...rest,
];

async function main(): Promise<void> {
  process.stdout.write(`kora-audit export benchmark: the CLI as ${cli.label}; medians of ${ROUNDS} rounds\n`);
  const file = writeRealisticAuditFile(join(directory, 'audit.jsonl'), 80 * MIB);
  process.stdout.write(`  generated ${file.rows.toLocaleString('en')} rows (${(file.bytes / MIB).toFixed(0)} MiB) of four seams\n`);
  // The same command over the file's first row: what any export costs before its first batch
  // (starting node, loading the command, starting the encoding workers).
  const oneRow = join(directory, 'one-row.jsonl');
  writeFileSync(oneRow, `${readFileSync(file.path, 'utf8').split('\n', 1)[0]!}\n`);
  const receiver = await startReceiverProcess();
  const fileSubjects: Subject[] = ['otel', 'ocsf', 'ecs'].map((format) => {
    const out = join(directory, `out.${format}.jsonl`);
    return {
      name: `export --format ${format} --out FILE`,
      command: process.execPath,
      args: exportArgs(format, file.path, '--out', out),
      // Each run starts from scratch: no output, no checkpoint to resume from.
      before: () => {
        rmSync(out, { force: true });
        rmSync(`${out}.checkpoint.json`, { force: true });
      },
    };
  });
  const otlpSubjects: Subject[] = (['gzip', 'none'] as const).map((compression) => {
    const checkpoint = join(directory, `otlp-${compression}.checkpoint.json`);
    return {
      name: `export --otlp-endpoint (${compression})`,
      command: process.execPath,
      args: exportArgs('otel', file.path, '--otlp-endpoint', receiver.url, '--otlp-compression', compression, '--checkpoint', checkpoint),
      before: () => rmSync(checkpoint, { force: true }),
    };
  });
  const receivedBefore = (await receiver.count()).count ?? 0;
  let measurements: Measurement[];
  let received: ReceiverReply;
  try {
    measurements = await measureSideBySide(ROUNDS, [
      { name: 'query --all (baseline)', command: process.execPath, args: [...cli.prefix, 'query', '--path', file.path, '--all'] },
      {
        name: 'export --format ocsf, one row (start-up)',
        command: process.execPath,
        args: exportArgs('ocsf', oneRow, '--out', join(directory, 'one-row.ocsf.jsonl')),
        before: () => {
          rmSync(join(directory, 'one-row.ocsf.jsonl'), { force: true });
          rmSync(join(directory, 'one-row.ocsf.jsonl.checkpoint.json'), { force: true });
        },
      },
      ...fileSubjects,
      ...otlpSubjects,
    ]);
  } finally {
    received = await receiver.count();
    await receiver.close();
  }
  const [baseline, startUp, ...exports] = measurements as [Measurement, Measurement, ...Measurement[]];

  // Every run exported every row: the receiver's count, and each output file's lines.
  const receivedRows = (received.count ?? 0) - receivedBefore;
  if (receivedRows !== file.rows * ROUNDS * otlpSubjects.length) {
    throw new Error(`the receiver acknowledged ${receivedRows} rows of ${file.rows * ROUNDS * otlpSubjects.length}`);
  }
  for (const format of ['ocsf', 'ecs']) {
    const lines = readFileSync(join(directory, `out.${format}.jsonl`), 'utf8').split('\n').length - 1;
    if (lines !== file.rows) throw new Error(`export --format ${format} wrote ${lines} records of ${file.rows}`);
  }
  if (baseline.lines !== file.rows) throw new Error(`query --all printed ${baseline.lines} rows of ${file.rows}`);

  const rowsPerSecond = (measurement: Measurement): number => file.rows / measurement.medianSeconds;
  // CPU seconds are the process's own cost whatever else the machine runs at the time.
  const rowsPerCpuSecond = (measurement: Measurement): number =>
    measurement.medianCpuSeconds === null ? Number.NaN : file.rows / measurement.medianCpuSeconds;
  const count = (value: number): string => (Number.isNaN(value) ? 'n/a' : Math.round(value).toLocaleString('en'));
  process.stdout.write(
    `\n${'measurement'.padEnd(40)} ${'median'.padStart(9)} ${'rows/s'.padStart(9)} ${'× query'.padStart(8)} ${'CPU'.padStart(9)} ${'rows/CPU s'.padStart(10)} ${'peak RSS'.padStart(15)}\n`,
  );
  for (const measurement of measurements) {
    const cpu = measurement.medianCpuSeconds === null ? 'n/a' : formatSeconds(measurement.medianCpuSeconds);
    process.stdout.write(
      `${measurement.name.padEnd(40)} ${formatSeconds(measurement.medianSeconds).padStart(9)} ${count(rowsPerSecond(measurement)).padStart(9)} ${(measurement.medianSeconds / baseline.medianSeconds).toFixed(2).padStart(8)} ${cpu.padStart(9)} ${count(rowsPerCpuSecond(measurement)).padStart(10)} ${formatRss(measurement.maxRssKiB).padStart(15)}\n`,
    );
  }

  // Rows a second once started: the run less what the one-row export took.
  process.stdout.write(`\nonce started (the median less the one-row export's ${formatSeconds(startUp.medianSeconds)}):\n`);
  for (const measurement of exports) {
    const steady = file.rows / (measurement.medianSeconds - startUp.medianSeconds);
    process.stdout.write(`  ${measurement.name.padEnd(40)} ${count(steady).padStart(9)} rows/s\n`);
  }

  // What one thread cannot go below: each step alone, in process, a batch at a time.
  const stages = await measureExportStages(file.path, 20_000);
  const cores = availableParallelism();
  const shared = stages.readLine + stages.allowList;
  process.stdout.write(
    `\nin process, µs a row (${stages.rows.toLocaleString('en')} rows, batches of 2000): read and check the line ${stages.readLine.toFixed(2)}, allow-list ${stages.allowList.toFixed(2)}, verbatim line ${stages.verbatimLine.toFixed(2)}\n`,
  );
  const floors = (['otel', 'ocsf', 'ecs'] as const).map((format) => {
    const total = shared + stages.map[format] + stages.encode[format];
    process.stdout.write(
      `  ${format}: map ${stages.map[format].toFixed(2)} + encode ${stages.encode[format].toFixed(2)} = ${total.toFixed(2)} with the reading: at most ${count(1e6 / total)} rows/s in one thread, ${count((cores * 1e6) / total)} in the ${cores} encoding workers of this machine's ${cores} cores\n`,
    );
    return { format, microsecondsPerRow: total, rowsPerSecond: 1e6 / total, rowsPerSecondOnAllCores: (cores * 1e6) / total, cores };
  });
  const targets = exports.map((measurement, index) => {
    const target = index < fileSubjects.length ? FILE_TARGET_ROWS_PER_SECOND : OTLP_TARGET_ROWS_PER_SECOND;
    return {
      name: `${measurement.name}: rows/s`,
      value: rowsPerSecond(measurement),
      target: `≥ ${target}`,
      met: rowsPerSecond(measurement) >= target,
    };
  });
  process.stdout.write('\n');
  for (const target of targets) {
    process.stdout.write(
      `${target.name.padEnd(52)} ${Math.round(target.value).toLocaleString('en').padStart(10)} (target ${target.target}) ${target.met ? 'met' : 'NOT MET'}\n`,
    );
  }

  writeBenchResults(root, 'export', {
    cli: cli.label,
    file: { bytes: file.bytes, rows: file.rows },
    startUpSeconds: startUp.medianSeconds,
    measurements,
    stages,
    floors,
    targets,
  });
}

// The generated file and the outputs go whatever happens.
await runRemovingScratch(directory, main);
