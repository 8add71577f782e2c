// Running commands as a user runs them, a child process per run, for `pnpm bench`: the median
// time over rounds, taken side by side, and the peak RSS from /usr/bin/time.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME = '/usr/bin/time';
export const hasTime = existsSync(TIME);
const directory = mkdtempSync(join(tmpdir(), 'kora-bench-rss-'));

export interface Run {
  readonly seconds: number;
  /** Peak resident set size in KiB, from /usr/bin/time; null when it is missing. */
  readonly maxRssKiB: number | null;
  /** User and system CPU seconds of the process, from /usr/bin/time; null when it is missing. */
  readonly cpuSeconds: number | null;
  /** Lines the process printed. */
  readonly lines: number;
}

/** Run a command to its end, counting its output lines, timing it and taking its peak RSS. */
export async function runOnce(command: string, args: readonly string[]): Promise<Run> {
  const rssFile = join(directory, 'rss.txt');
  const argv = hasTime ? ['-f', '%M %U %S', '-o', rssFile, command, ...args] : [...args];
  const started = process.hrtime.bigint();
  const child = spawn(hasTime ? TIME : command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let lines = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines += 1;
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // grep exits 1 when nothing matched, scan 1 when it found something: both are answers.
  if (code !== 0 && code !== 1) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`);
  // The last line: time writes a note on a signal or exit status before it.
  const [rss, user, system] = hasTime ? (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number) : [];
  const maxRssKiB = rss ?? null;
  const cpuSeconds = user === undefined || system === undefined ? null : user + system;
  return { seconds, maxRssKiB, cpuSeconds, lines };
}

export interface Measurement {
  readonly name: string;
  readonly rounds: number;
  readonly medianSeconds: number;
  readonly maxRssKiB: number | null;
  /** The median of the runs' CPU seconds (user and system); null without /usr/bin/time. */
  readonly medianCpuSeconds: number | null;
  readonly lines: number;
}

export const median = (values: readonly number[]): number =>
  [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

/** What to run for one measurement. */
export interface Subject {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Run before each of its runs, untimed: e.g. removing the output of the run before. */
  readonly before?: (() => void) | undefined;
}

/**
 * The median time of `rounds` runs of each subject and the largest peak RSS among them. The
 * subjects take turns, round by round, so a machine that speeds up or slows down over the
 * minutes (a shared host does) weighs on each the same and their ratio stays fair.
 */
export async function measureSideBySide(rounds: number, subjects: readonly Subject[]): Promise<Measurement[]> {
  const runs: Run[][] = subjects.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, subject] of subjects.entries()) {
      subject.before?.();
      runs[index]!.push(await runOnce(subject.command, subject.args));
    }
  }
  return subjects.map((subject, index) => {
    const own = runs[index]!;
    const rss = own.map((run) => run.maxRssKiB).filter((value): value is number => value !== null);
    const cpu = own.map((run) => run.cpuSeconds).filter((value): value is number => value !== null);
    const measurement = {
      name: subject.name,
      rounds,
      medianSeconds: median(own.map((run) => run.seconds)),
      maxRssKiB: rss.length > 0 ? Math.max(...rss) : null,
      medianCpuSeconds: cpu.length > 0 ? median(cpu) : null,
      lines: own[0]?.lines ?? 0,
    };
    process.stdout.write(`  ${subject.name}: ${formatSeconds(measurement.medianSeconds)}, ${formatRss(measurement.maxRssKiB)}\n`);
    return measurement;
  });
}

/** The median time of `rounds` runs and the largest peak RSS among them. */
export async function measure(name: string, rounds: number, command: string, args: readonly string[]): Promise<Measurement> {
  const [measurement] = await measureSideBySide(rounds, [{ name, command, args }]);
  return measurement!;
}

/** The median time of `rounds` calls of `body` in this process. */
export async function measureInProcess(rounds: number, body: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = process.hrtime.bigint();
    await body();
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return median(times);
}

export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(2)} s`;
}

export function formatRss(kib: number | null): string {
  return kib === null ? 'RSS n/a' : `${(kib / 1024).toFixed(1)} MiB RSS`;
}

/**
 * Write a bench's results under `bench/results/` of the repository at `root`, as
 * `<name>-<ISO time>.json`, and say where on standard output.
 */
export function writeBenchResults(root: string, name: string, results: unknown): void {
  const directory = join(root, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const output = join(directory, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results: ${output}\n`);
}

/** Run a bench; its scratch `directory` (generated files, outputs) goes whatever happens, Ctrl-C included. */
export async function runRemovingScratch(directory: string, main: () => Promise<void>): Promise<void> {
  const cleanUp = (): void => rmSync(directory, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    await main();
  } finally {
    cleanUp();
  }
}
