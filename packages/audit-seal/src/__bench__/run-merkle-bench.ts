// `pnpm bench`: how fast the audit file's lines become leaf hashes and a tree root, side by side
// with `openssl dgst -sha256` hashing the same bytes as one file (a real child process), and
// with the slower ways Node offers to hash a leaf. Prints medians over rounds and the ratios,
// and writes the results as JSON under bench/results/.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTreeBuilder } from '../merkle/create-tree-builder.js';
import { hashLeaf } from '../merkle/hash-leaf.js';

const LEAVES = 1_000_000;
const LINE_BYTES = 300;
const ROUNDS = 5;

// One buffer holding every line, so the measured loops hash and do not allocate lines.
const text = Buffer.alloc(LEAVES * LINE_BYTES);
for (let index = 0; index < LEAVES; index += 1) {
  const line = `{"seq":${index},"emitted_at":"2026-12-06T09:00:00.000Z","event":"mcp.tool_called","details":{"tool_name":"kora__create_ticket","keys":["body","priority","title"]}`;
  text.write(line.padEnd(LINE_BYTES - 1, ' ') + '}', index * LINE_BYTES, 'ascii');
}
const line = (index: number): Buffer => text.subarray(index * LINE_BYTES, (index + 1) * LINE_BYTES);

const zero = Uint8Array.of(0x00);
const leafHashes = Buffer.alloc(LEAVES * 32);
for (let index = 0; index < LEAVES; index += 1) hashLeaf(line(index)).copy(leafHashes, index * 32);

// openssl hashes the same bytes as one file: the rate a single SHA-256 stream reaches, which
// hashing each leaf on its own cannot beat.
const directory = mkdtempSync(join(tmpdir(), 'kora-seal-bench-'));
const file = join(directory, 'lines.bin');
writeFileSync(file, text);

const bodies = {
  hashLeaf: () => {
    for (let index = 0; index < LEAVES; index += 1) hashLeaf(line(index));
  },
  createHashPerLeaf: () => {
    for (let index = 0; index < LEAVES; index += 1) createHash('sha256').update(zero).update(line(index)).digest();
  },
  buildFromLines: () => {
    const builder = createTreeBuilder();
    for (let index = 0; index < LEAVES; index += 1) builder.appendLeaf(line(index));
    builder.root();
  },
  buildFromLeafHashes: () => createTreeBuilder().appendLeafHashes(leafHashes),
  openssl: () => {
    execFileSync('openssl', ['dgst', '-sha256', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  },
};
type Variant = keyof typeof bodies;
const variants = Object.keys(bodies) as Variant[];

// One untimed round warms the code up; the timed rounds take turns, so a busy moment on the
// machine falls on every variant alike. Leaves per second, the median of `ROUNDS` rounds.
const rates = Object.fromEntries(variants.map((variant) => [variant, [] as number[]])) as Record<Variant, number[]>;
for (let round = -1; round < ROUNDS; round += 1) {
  for (const variant of variants) {
    const started = process.hrtime.bigint();
    bodies[variant]();
    if (round >= 0) rates[variant].push(LEAVES / (Number(process.hrtime.bigint() - started) / 1e9));
  }
}
const median = (values: number[]): number => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;
const results = Object.fromEntries(variants.map((variant) => [variant, median(rates[variant])])) as Record<Variant, number>;
rmSync(directory, { recursive: true, force: true });

const format = (rate: number): string => `${(rate / 1e6).toFixed(2).padStart(6)} M leaves/s`;
const rows: [string, number][] = [
  ['hashLeaf (crypto.hash, one reused input buffer)', results.hashLeaf],
  ['createHash per leaf (two updates and a digest)', results.createHashPerLeaf],
  ['tree builder from lines (leaf and node hashes)', results.buildFromLines],
  ['tree builder from stored leaf hashes (node hashes only)', results.buildFromLeafHashes],
  [`openssl dgst -sha256 over the same ${(text.length / 1e6).toFixed(0)} MB as one file`, results.openssl],
];
process.stdout.write(`${LEAVES} leaves of ${LINE_BYTES} bytes, median of ${ROUNDS} rounds, Node ${process.version}\n`);
for (const [name, rate] of rows) {
  process.stdout.write(`${name.padEnd(62)} ${format(rate)}  ratio to openssl ${(rate / results.openssl).toFixed(2)}\n`);
}
process.stdout.write(
  `hashLeaf vs createHash per leaf: ratio ${(results.hashLeaf / results.createHashPerLeaf).toFixed(2)}; ` +
    `openssl: ${((results.openssl * LINE_BYTES) / 1e6).toFixed(0)} MB/s\n`,
);

const resultsDirectory = join(findRepositoryRoot(), 'bench', 'results');
mkdirSync(resultsDirectory, { recursive: true });
const output = join(resultsDirectory, `merkle-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(output, `${JSON.stringify({ leaves: LEAVES, lineBytes: LINE_BYTES, rounds: ROUNDS, leavesPerSecond: results }, null, 2)}\n`);
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
