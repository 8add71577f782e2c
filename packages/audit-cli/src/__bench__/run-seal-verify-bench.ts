// `pnpm bench` (sealed files): `kora-audit seal` over a 1 GiB audit file, then `kora-audit verify
// --public-key` over it side by side with `openssl dgst -sha256` (the target is ≥ 0.2× openssl's
// speed) and with verify's row accounting alone, each a child process as a user runs it. Beside
// them, the bound: every line hashed into the tree in one thread, nothing else, which no
// single-threaded check with Node's SHA-256 can beat. Writes the results under bench/results/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTreeBuilder, hashLeaf } from '@kora/audit-seal';
import { findRepositoryRoot } from '@kora/test-support';
import {
  formatRss,
  formatSeconds,
  measure,
  measureInProcess,
  measureSideBySide,
  runRemovingScratch,
  writeBenchResults,
} from './measure-commands.js';
import { writeRealisticAuditFile } from './write-realistic-audit-file.js';

const MIB = 1024 * 1024;
const TARGET_RATIO = 0.2;
const TARGET_RSS_MIB = 128;
const root = findRepositoryRoot();
const builtBin = join(root, 'packages', 'audit-cli', 'dist', 'cli', 'kora-audit.js');
const cli = existsSync(builtBin)
  ? { prefix: [builtBin], label: 'node dist/cli/kora-audit.js' }
  : {
      prefix: ['--conditions=@kora/source', '--import', 'tsx', join(root, 'packages', 'audit-cli', 'src', 'bin.ts')],
      label: 'node --import tsx src/bin.ts (no build found)',
    };
const directory = mkdtempSync(join(tmpdir(), 'kora-seal-verify-bench-'));

/** Every line of the file hashed into the tree, in this thread: the bound of hashing alone. */
async function hashEveryLine(path: string): Promise<number> {
  const handle = await open(path, 'r');
  const builder = createTreeBuilder();
  const chunk = Buffer.allocUnsafe(MIB);
  let carry = Buffer.alloc(0);
  try {
    for (let position = 0; ;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const bytes = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
        builder.appendLeafHash(hashLeaf(bytes.subarray(start, newline)));
        start = newline + 1;
      }
      carry = Buffer.from(bytes.subarray(start));
    }
  } finally {
    await handle.close();
  }
  return builder.size;
}

async function main(): Promise<void> {
  process.stdout.write(`kora-audit seal and verify benchmark: the CLI as ${cli.label}; medians\n`);
  const file = writeRealisticAuditFile(join(directory, 'audit.jsonl'), 1024 * MIB);
  process.stdout.write(`  generated ${file.rows.toLocaleString('en')} rows (1 GiB)\n`);
  execFileSync(process.execPath, [...cli.prefix, 'keygen', '--out', join(directory, 'key')], { stdio: 'ignore' });
  const publicKey = join(directory, 'key', 'seal-key.pub.pem');

  const seal = await measure('seal (from scratch), 1 GiB', 1, process.execPath, [
    ...cli.prefix,
    'seal',
    '--key',
    join(directory, 'key', 'seal-key.pem'),
    '--path',
    file.path,
  ]);
  const [openssl, accounting, sealed] = (await measureSideBySide(3, [
    { name: 'openssl dgst -sha256, 1 GiB', command: 'openssl', args: ['dgst', '-sha256', file.path] },
    {
      name: 'verify, row accounting alone, 1 GiB',
      command: process.execPath,
      args: [...cli.prefix, 'verify', '--path', file.path, '--checkpoints', join(directory, 'none')],
    },
    {
      name: 'verify --public-key (accounting and seal), 1 GiB',
      command: process.execPath,
      args: [...cli.prefix, 'verify', '--path', file.path, '--public-key', publicKey],
    },
  ])) as [Awaited<ReturnType<typeof measure>>, Awaited<ReturnType<typeof measure>>, Awaited<ReturnType<typeof measure>>];
  let leaves = 0;
  const hashOnly = await measureInProcess(2, async () => {
    leaves = await hashEveryLine(file.path);
  });
  if (leaves !== file.rows) throw new Error(`hashed ${leaves} lines of ${file.rows}`);
  process.stdout.write(`  every line hashed into the tree, one thread, in process: ${formatSeconds(hashOnly)}\n`);

  const ratio = openssl.medianSeconds / sealed.medianSeconds;
  const bound = openssl.medianSeconds / hashOnly;
  const targets = [
    {
      name: 'seal: rows per second (1 GiB, one pass)',
      value: file.rows / seal.medianSeconds,
      target: '≥ 200000',
      met: file.rows / seal.medianSeconds >= 200_000,
    },
    { name: 'verify --public-key: speed relative to openssl dgst', value: ratio, target: `≥ ${TARGET_RATIO}`, met: ratio >= TARGET_RATIO },
    { name: '  bound: hashing alone (one thread) relative to openssl', value: bound, target: 'the ceiling', met: true },
    {
      name: '  the seal check costs verify (time ratio to accounting alone)',
      value: sealed.medianSeconds / accounting.medianSeconds,
      target: '≈ 1 on 2 cores',
      met: true,
    },
    {
      name: 'verify --public-key: peak RSS (MiB)',
      value: (sealed.maxRssKiB ?? Number.NaN) / 1024,
      target: `≤ ${TARGET_RSS_MIB}`,
      met: sealed.maxRssKiB === null || sealed.maxRssKiB <= TARGET_RSS_MIB * 1024,
    },
    {
      name: 'seal: peak RSS (MiB)',
      value: (seal.maxRssKiB ?? Number.NaN) / 1024,
      target: `≤ ${TARGET_RSS_MIB}`,
      met: seal.maxRssKiB === null || seal.maxRssKiB <= TARGET_RSS_MIB * 1024,
    },
  ];
  for (const target of targets) {
    process.stdout.write(
      `${target.name.padEnd(62)} ${Number.isNaN(target.value) ? 'n/a' : target.value.toFixed(3)} (target ${target.target}) ${target.met ? 'met' : 'NOT MET'}\n`,
    );
  }
  process.stdout.write(`  verify --public-key ${formatRss(sealed.maxRssKiB)}, seal ${formatRss(seal.maxRssKiB)}\n`);
  writeBenchResults(root, 'seal-verify', {
    cli: cli.label,
    file: { bytes: file.bytes, rows: file.rows },
    measurements: { seal, openssl, accounting, sealed },
    hashOnlySeconds: hashOnly,
    targets,
  });
}

// The gigabyte goes whatever happens.
await runRemovingScratch(directory, main);
