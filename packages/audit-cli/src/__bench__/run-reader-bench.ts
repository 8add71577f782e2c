// `pnpm bench` (reader side): `kora-audit query` and `scan` run as a user runs them, a child
// process per run, on the same realistic files, beside jq and grep. Prints medians over rounds,
// the ratios and each target, and writes the results as JSON under bench/results/.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAuditEnvelope, readAuditEntries, streamAuditEntries, streamAuditLines } from '@kora/audit-sink/reader';
import type { StreamAuditEntriesOptions } from '@kora/audit-sink';
import { findRepositoryRoot } from '@kora/test-support';
import {
  TIME,
  formatRss,
  formatSeconds,
  hasTime,
  measure,
  measureInProcess,
  measureSideBySide,
  runRemovingScratch,
  writeBenchResults,
} from './measure-commands.js';
import type { Measurement } from './measure-commands.js';
import { SELECTED_SEAM, makeRealisticRow, writeRealisticAuditFile } from './write-realistic-audit-file.js';

const MIB = 1024 * 1024;
const JQ = '/usr/bin/jq';
const root = findRepositoryRoot();
const builtBin = join(root, 'packages', 'audit-cli', 'dist', 'cli', 'kora-audit.js');
// The published package runs its bundled dist/cli/kora-audit.js with plain node; tsx's loader
// would add its own start-up.
const cli = existsSync(builtBin)
  ? { command: process.execPath, prefix: [builtBin], label: 'node dist/cli/kora-audit.js' }
  : {
      command: process.execPath,
      prefix: ['--conditions=@kora/source', '--import', 'tsx', join(root, 'packages', 'audit-cli', 'src', 'bin.ts')],
      label: 'node --import tsx src/bin.ts (no build found: start-up includes the tsx loader)',
    };
const hasJq = existsSync(JQ);
const directory = mkdtempSync(join(tmpdir(), 'kora-reader-bench-'));

const query = (...args: string[]): string[] => [...cli.prefix, 'query', ...args];

async function main(): Promise<void> {
  process.stdout.write(`kora-audit reader benchmark: the CLI as ${cli.label}; medians\n`);
  // Both change every Node process's start-up (a CA bundle is parsed at start, before any code).
  const startupEnvironment = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']
    .map((name) => `${name} ${process.env[name] === undefined ? 'unset' : 'set'}`)
    .join(', ');
  process.stdout.write(`  environment of each run: ${startupEnvironment}\n`);
  if (!hasTime) process.stdout.write(`  ${TIME} is missing (apt package 'time'): peak RSS is not measured\n`);

  const started = process.hrtime.bigint();
  const small = writeRealisticAuditFile(join(directory, 'small.jsonl'), 10 * MIB);
  const large = writeRealisticAuditFile(join(directory, 'large.jsonl'), 1024 * MIB);
  const generateSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `  generated ${small.rows.toLocaleString('en')} + ${large.rows.toLocaleString('en')} rows (10 MiB, 1 GiB) in ${generateSeconds.toFixed(1)} s; ${SELECTED_SEAM} is ${((100 * large.selectedRows) / large.rows).toFixed(0)}% of rows\n`,
  );

  // What a CLI process costs before it reads anything, beside the reads: Node's own start-up,
  // then the same query over an empty file (the CLI's and the reader's modules, and exit).
  const empty = join(directory, 'empty.jsonl');
  writeFileSync(empty, '');
  const [nodeStart, emptyQuery, newestSmall, newestLarge] = (await measureSideBySide(7, [
    { name: 'node start-up (node -e 0)', command: process.execPath, args: ['-e', '0'] },
    {
      name: 'query --limit 100 of an empty file',
      command: process.execPath,
      args: query('--path', empty, '--seam', SELECTED_SEAM, '--limit', '100'),
    },
    {
      name: 'newest 100 of one seam, 10 MiB',
      command: process.execPath,
      args: query('--path', small.path, '--seam', SELECTED_SEAM, '--limit', '100'),
    },
    {
      name: 'newest 100 of one seam, 1 GiB',
      command: process.execPath,
      args: query('--path', large.path, '--seam', SELECTED_SEAM, '--limit', '100'),
    },
  ])) as [Measurement, Measurement, Measurement, Measurement];
  const readerSmall = await measureInProcess(7, () => readAuditEntries({ path: small.path, seams: [SELECTED_SEAM], limit: 100 }));
  const readerLarge = await measureInProcess(7, () => readAuditEntries({ path: large.path, seams: [SELECTED_SEAM], limit: 100 }));
  process.stdout.write(
    `  readAuditEntries in process, newest 100: ${formatSeconds(readerSmall)} (10 MiB), ${formatSeconds(readerLarge)} (1 GiB)\n`,
  );

  // The whole-file query and grep take turns, so their ratio is measured under the same load.
  const [fullQuery, grep] = (await measureSideBySide(5, [
    {
      name: 'query --all --seam --since, 1 GiB',
      command: process.execPath,
      args: query('--path', large.path, '--seam', SELECTED_SEAM, '--since', large.firstEmittedAt, '--all'),
    },
    { name: 'grep -c -F, 1 GiB', command: 'grep', args: ['-c', '-F', `"seam":"${SELECTED_SEAM}"`, large.path] },
  ])) as [Measurement, Measurement];
  // verify reads every row, as query --all prints every row: side by side, verify's time is to
  // stay within twice that of query --all, and its memory bounded however large the file.
  const [allRows, verify] = (await measureSideBySide(3, [
    { name: 'query --all, 1 GiB', command: process.execPath, args: query('--path', large.path, '--all') },
    { name: 'verify, 1 GiB', command: process.execPath, args: [...cli.prefix, 'verify', '--path', large.path] },
  ])) as [Measurement, Measurement];
  const jq = hasJq
    ? await measure("jq -c 'select(.seam == …)', 1 GiB", 2, JQ, ['-c', `select(.seam == "${SELECTED_SEAM}")`, large.path])
    : null;
  if (!hasJq) process.stdout.write(`  ${JQ} is missing (apt package 'jq'): the jq comparison is skipped\n`);
  const scan = await measure('scan --json, 1 GiB', 1, process.execPath, [...cli.prefix, 'scan', '--json', large.path]);

  // What a full query cannot go below: finding every line of the file, then parsing and checking
  // every printed row (rows as written are printed as read, so none is serialized again).
  const sample = Array.from({ length: 100_000 }, (_, index) => Buffer.from(makeRealisticRow(index * 10 + 8).trimEnd()));
  const perRowSeconds =
    (await measureInProcess(3, async () => {
      for (const bytes of sample)
        if (!isAuditEnvelope(JSON.parse(bytes.toString('utf8')))) throw new Error('a generated row failed the envelope check');
      await Promise.resolve();
    })) / sample.length;
  const splitSeconds = await measureInProcess(3, async () => {
    const handle = await open(large.path, 'r');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let lines = 0;
    try {
      for (let position = 0; ;) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        for (let at = chunk.indexOf(0x0a); at !== -1 && at < bytesRead; at = chunk.indexOf(0x0a, at + 1)) lines += 1;
      }
    } finally {
      await handle.close();
    }
    if (lines !== large.rows) throw new Error(`split ${lines} lines of ${large.rows}`);
  });
  const validationFloor = perRowSeconds * large.selectedRows;
  const queryFloor = splitSeconds + validationFloor + newestLarge.medianSeconds;

  // The whole query in this process, without start-up or printing: what the in-place check of
  // rows in the sink's layout and the scanning thread each buy.
  const wholeRead = (read: () => AsyncGenerator<unknown>) => async () => {
    const batches = read();
    while ((await batches.next()).done !== true);
  };
  const queryOptions: StreamAuditEntriesOptions = { path: large.path, seams: [SELECTED_SEAM], since: large.firstEmittedAt };
  const linesOneThread = await measureInProcess(
    3,
    wholeRead(() => streamAuditLines({ ...queryOptions, offloadAfterBytes: Number.POSITIVE_INFINITY })),
  );
  const linesTwoThreads = await measureInProcess(
    3,
    wholeRead(() => streamAuditLines(queryOptions)),
  );
  const entriesTwoThreads = await measureInProcess(
    3,
    wholeRead(() => streamAuditEntries(queryOptions)),
  );

  const matched = fullQuery.lines === large.selectedRows && (jq === null || jq.lines === large.selectedRows);
  const mb = large.bytes / 1e6;
  const limitKiB = 128 * 1024;
  const targets = [
    {
      name: 'newest-100: 1 GiB ≤ 2× 10 MiB',
      value: newestLarge.medianSeconds / newestSmall.medianSeconds,
      target: '≤ 2',
      met: newestLarge.medianSeconds <= 2 * newestSmall.medianSeconds,
    },
    {
      name: 'newest-100 from 1 GiB under 50 ms (CLI process)',
      value: newestLarge.medianSeconds,
      target: '< 0.05 s',
      met: newestLarge.medianSeconds < 0.05,
    },
    {
      name: '  of which the same query over an empty file',
      value: emptyQuery.medianSeconds,
      target: '< 0.05 s',
      met: emptyQuery.medianSeconds < 0.05,
    },
    { name: '  of which node start-up alone', value: nodeStart.medianSeconds, target: '< 0.05 s', met: nodeStart.medianSeconds < 0.05 },
    { name: 'newest-100 from 1 GiB under 50 ms (reader in process)', value: readerLarge, target: '< 0.05 s', met: readerLarge < 0.05 },
    ...(jq === null
      ? []
      : [
          {
            name: 'full query vs jq (speed ratio)',
            value: jq.medianSeconds / fullQuery.medianSeconds,
            target: '≥ 5',
            met: jq.medianSeconds / fullQuery.medianSeconds >= 5,
          },
        ]),
    {
      name: 'full query vs grep -c -F (speed ratio)',
      value: grep.medianSeconds / fullQuery.medianSeconds,
      target: '≥ 0.2',
      met: grep.medianSeconds / fullQuery.medianSeconds >= 0.2,
    },
    {
      name: '  floor had every row been parsed: grep / (split + parse + start-up)',
      value: grep.medianSeconds / queryFloor,
      target: '≥ 0.2',
      met: grep.medianSeconds / queryFloor >= 0.2,
    },
    {
      name: 'verify vs query --all (time ratio)',
      value: verify.medianSeconds / allRows.medianSeconds,
      target: '≤ 2',
      met: verify.medianSeconds <= 2 * allRows.medianSeconds,
    },
    ...[newestLarge, fullQuery, scan, verify].map((measurement) => ({
      name: `peak RSS, ${measurement.name}`,
      value: measurement.maxRssKiB === null ? Number.NaN : measurement.maxRssKiB / 1024,
      target: '≤ 128 MiB',
      met: measurement.maxRssKiB !== null && measurement.maxRssKiB <= limitKiB,
    })),
  ];

  process.stdout.write(`\n${'measurement'.padEnd(48)} ${'median'.padStart(10)} ${'peak RSS'.padStart(14)}\n`);
  for (const measurement of [
    nodeStart,
    emptyQuery,
    newestSmall,
    newestLarge,
    fullQuery,
    grep,
    ...(jq === null ? [] : [jq]),
    scan,
    allRows,
    verify,
  ]) {
    process.stdout.write(
      `${measurement.name.padEnd(48)} ${formatSeconds(measurement.medianSeconds).padStart(10)} ${formatRss(measurement.maxRssKiB).padStart(14)}\n`,
    );
  }
  process.stdout.write(
    `${'readAuditEntries newest 100, 10 MiB / 1 GiB'.padEnd(48)} ${formatSeconds(readerSmall).padStart(10)} / ${formatSeconds(readerLarge)}\n`,
  );
  process.stdout.write(`${'split 1 GiB into lines (in process)'.padEnd(48)} ${formatSeconds(splitSeconds).padStart(10)}\n`);
  process.stdout.write(
    `${'JSON.parse + check, matching rows (in process)'.padEnd(48)} ${formatSeconds(validationFloor).padStart(10)}  (${(perRowSeconds * 1e6).toFixed(2)} µs a row × ${large.selectedRows.toLocaleString('en')})\n`,
  );
  process.stdout.write(`${'streamAuditLines, one thread (in process)'.padEnd(48)} ${formatSeconds(linesOneThread).padStart(10)}\n`);
  process.stdout.write(`${'streamAuditLines, scanning thread (in process)'.padEnd(48)} ${formatSeconds(linesTwoThreads).padStart(10)}\n`);
  process.stdout.write(
    `${'streamAuditEntries, scanning thread (in process)'.padEnd(48)} ${formatSeconds(entriesTwoThreads).padStart(10)}\n`,
  );
  process.stdout.write(`scan: ${(mb / scan.medianSeconds).toFixed(1)} MB/s over ${mb.toFixed(0)} MB\n`);
  process.stdout.write(
    `rows printed: query ${fullQuery.lines}, jq ${jq?.lines ?? 'n/a'}, expected ${large.selectedRows}: ${matched ? 'agree' : 'DIFFER'}\n\n`,
  );
  for (const target of targets) {
    process.stdout.write(
      `${target.name.padEnd(58)} ${Number.isNaN(target.value) ? 'n/a' : target.value.toFixed(3)} (target ${target.target}) ${target.met ? 'met' : 'NOT MET'}\n`,
    );
  }

  const files = {
    small: { bytes: small.bytes, rows: small.rows },
    large: { bytes: large.bytes, rows: large.rows, selectedRows: large.selectedRows },
  };
  const measurements = { nodeStart, emptyQuery, newestSmall, newestLarge, fullQuery, grep, jq, scan, allRows, verify };
  const inProcess = {
    readerNewest100SmallSeconds: readerSmall,
    readerNewest100LargeSeconds: readerLarge,
    validationFloorSeconds: validationFloor,
    splitSeconds,
    queryFloorSeconds: queryFloor,
    perRowSeconds,
    streamAuditLinesOneThreadSeconds: linesOneThread,
    streamAuditLinesScanningThreadSeconds: linesTwoThreads,
    streamAuditEntriesScanningThreadSeconds: entriesTwoThreads,
  };
  writeBenchResults(root, 'reader', {
    cli: cli.label,
    startupEnvironment,
    seam: SELECTED_SEAM,
    generateSeconds,
    files,
    measurements,
    inProcess,
    scanMBps: mb / scan.medianSeconds,
    rowsAgree: matched,
    targets,
  });
}

// The gigabyte goes whatever happens: a failed or interrupted run must not leave it behind.
await runRemovingScratch(directory, main);
