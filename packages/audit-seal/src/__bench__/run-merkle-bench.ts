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

/** Leaves per second of `body` over all the leaves; the median of `ROUNDS` rounds. */
function measure(body: () => void): number {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    body();
    rates.push(LEAVES / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  rates.sort((left, right) => left - right);
  return rates[Math.floor(rates.length / 2)]!;
}

const zero = Uint8Array.of(0x00);
const results = {
  hashLeaf: measure(() => {
    for (let index = 0; index < LEAVES; index += 1) hashLeaf(line(index));
  }),
  createHashPerLeaf: measure(() => {
    for (let index = 0; index < LEAVES; index += 1) createHash('sha256').update(zero).update(line(index)).digest();
  }),
  buildFromLines: measure(() => {
    const builder = createTreeBuilder();
    for (let index = 0; index < LEAVES; index += 1) builder.appendLeaf(line(index));
    builder.root();
  }),
  buildFromLeafHashes: 0,
  openssl: 0,
};

const leafHashes = Buffer.alloc(LEAVES * 32);
for (let index = 0; index < LEAVES; index += 1) hashLeaf(line(index)).copy(leafHashes, index * 32);
results.buildFromLeafHashes = measure(() => createTreeBuilder().appendLeafHashes(leafHashes));

// openssl hashes the same bytes, one leaf's worth of prefix byte added per line, as one file:
// the rate a single SHA-256 stream reaches, which per-leaf hashing cannot beat.
const directory = mkdtempSync(join(tmpdir(), 'kora-seal-bench-'));
const file = join(directory, 'lines.bin');
writeFileSync(file, text);
results.openssl = measure(() => {
  execFileSync('openssl', ['dgst', '-sha256', file], { stdio: ['ignore', 'pipe', 'inherit'] });
});
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
