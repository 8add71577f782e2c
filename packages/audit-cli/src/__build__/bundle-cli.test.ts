import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeRow, makeTempDir, packageDir, rowsText, runCli } from '../__fixtures__/cli-harness.js';
import { bundleCli } from './bundle-cli.js';

// Inside the package, so that what the bundle leaves to its dependencies resolves as installed.
mkdirSync(join(packageDir, 'node_modules', '.cache'), { recursive: true });
const outdir = mkdtempSync(join(packageDir, 'node_modules', '.cache', 'kora-audit-bundle-'));
const dataDir = makeTempDir();
// Preloaded (`--import`) beside the bundle, so plain JavaScript: says at exit how many worker
// threads started and how many failed (a worker whose module is missing fails).
const reportWorkers = join(outdir, 'report-workers-at-exit.mjs');
const REPORT_WORKERS = `import { createRequire } from 'node:module';
const threads = createRequire(import.meta.url)('node:worker_threads');
const { Worker } = threads;
let started = 0;
let failed = 0;
threads.Worker = class extends Worker {
  constructor(...args) {
    super(...args);
    started += 1;
    this.once('error', () => (failed += 1));
  }
};
process.on('exit', () => process.stderr.write(\`workers started: \${started}, failed: \${failed}\\n\`));
`;

let metafile: Metafile;

beforeAll(async () => {
  metafile = await bundleCli(outdir);
  writeFileSync(reportWorkers, REPORT_WORKERS);
}, 60_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** Run the bundled executable with plain node, as the published package runs. */
function runBundled(args: readonly string[], preload: readonly string[] = []): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...preload, join(outdir, 'kora-audit.js'), ...args], {
    cwd: dataDir,
    encoding: 'utf8',
    env: { ...process.env, KORA_AUDIT_LOG_PATH: '', KORA_HOME: '', HERMES_HOME: '' },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bundled kora-audit', () => {
  it('leaves out only Node built-ins and the dependencies the package declares', () => {
    const { dependencies } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const external = new Set(
      Object.values(metafile.outputs).flatMap((output) => output.imports.filter((item) => item.external).map((item) => item.path)),
    );
    const packageOf = (path: string): string =>
      path
        .split('/')
        .slice(0, path.startsWith('@') ? 2 : 1)
        .join('/');
    const undeclared = [...external].filter((path) => !isBuiltin(path) && !(packageOf(path) in dependencies));
    expect(undeclared).toEqual([]);
    // What the commands beyond reading and scanning load, as installed.
    for (const name of ['@kora/audit-sink', '@kora/audit-substrate-pg', 'zod']) expect(external).toContain(name);
    // The reader and the guard are inside, not loaded from the core's files.
    for (const path of external) expect(path).not.toMatch(/^@kora\/(audit-sink\/(reader|guard)|audit-seal)$/);
  });

  it('prints the version of the package.json it is installed with', () => {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(runBundled([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('makes a key with keygen, the seal bundled in', () => {
    const out = join(dataDir, 'keys');
    const { code, stdout } = runBundled(['keygen', '--out', out, '--name', 'audit.example.com/host-7']);
    expect(code).toBe(0);
    const vkey = readFileSync(join(out, 'seal-key.vkey'), 'utf8');
    expect(stdout).toContain(vkey);
    expect(vkey).toMatch(/^audit\.example\.com\/host-7\+[0-9a-f]{8}\+/);
  });

  it('answers the reading, scanning and database commands as the CLI run from its sources does', async () => {
    const clean = join(dataDir, 'clean.jsonl');
    writeFileSync(clean, rowsText(0, 300));
    // A row only the schema can judge (zod loads from its own chunk), and a secret for scan.
    const mixed = join(dataDir, 'mixed.jsonl');
    writeFileSync(
      mixed,
      `${rowsText(0, 20)}${JSON.stringify({ ...envelopeRow(20), extra: true })}\n${JSON.stringify(envelopeRow(21, { details: { result: 'mail alice.liddell@example.com' } }))}\n`,
    );
    const runs: (readonly string[])[] = [
      ['query', '--path', clean, '--seam', 'webhook.dead_letter', '--limit', '5'],
      ['query', '--path', mixed, '--limit', '50'],
      ['tail', '--path', clean, '-n', '3'],
      ['stats', '--path', mixed],
      ['scan', '--json', mixed],
      ['no-such-command'],
      ['qeury'],
      ['--version'],
      ['help', 'db', 'lag'],
      // The database commands' chunks, short of the driver (a dependency, built separately).
      ['db', 'lag', '--help'],
      ['db', 'lag', '--database-url', 'postgres://kora:pa55-word@127.0.0.1:1/kora', '--behind', 'soon'],
      ['db'],
      ['db', 'prune', '--help'],
      ['db', 'prune', '--database-url', 'postgres://kora:pa55-word@127.0.0.1:1/kora', '--older-than', '30m'],
      ['db', 'migrate', '--database-url', 'postgres://kora:pa55-word@127.0.0.1:1/kora', '--layout', 'monthly'],
      ['keygen', '--help'],
      ['keygen', '--out', dataDir, '--name', 'bad name'],
    ];
    for (const args of runs) {
      const fromSources = await runCli(args);
      const bundled = runBundled(args);
      expect(bundled, args.join(' ')).toEqual(fromSources);
    }
  }, 120_000);

  it('starts its scanning thread for a long file and prints the same rows', async () => {
    // Past the 16 MiB the calling thread reads itself, so a scanning thread takes the rest.
    const long = join(dataDir, 'long.jsonl');
    writeFileSync(long, rowsText(0, 120_000));
    const args = ['query', '--path', long, '--seam', 'slack_dm.reply_failed', '--all'];
    const bundled = runBundled(args, ['--import', reportWorkers]);
    expect(bundled.code).toBe(0);
    expect(bundled.stderr).toMatch(/workers started: 1, failed: 0\n$/);
    const fromSources = await runCli(args);
    expect(bundled.stdout).toBe(fromSources.stdout);
    expect(bundled.stdout.split('\n').length - 1).toBe(30_000);
  }, 120_000);
});
