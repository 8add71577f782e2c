// Real processes for the shipping tests: daemons' writers and the `kora-audit ship` command.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRepositoryRoot } from '@kora/test-support';

const writerFixture = fileURLToPath(new URL('./seam-writer-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI's entry point, run from its sources as `pnpm kora-audit:dev` does. */
const cliDir = join(findRepositoryRoot(packageDir), 'packages', 'audit-cli');

/** What a writer reports when it is done. */
export interface WriterReport {
  readonly acknowledged: number;
  /** The ids of the seam rows it wrote (not its own audit.opened and audit.closed rows). */
  readonly ids: string[];
  /** The sink as a writer once closed: its id, the closed row's sequence number, what it lost. */
  readonly writer: { readonly id: string | null; readonly seq: number; readonly lost: Record<string, number> };
}

/** Start a writer emitting `rows` rows of all four seams into `path`, `perTick` at a time. */
export function startWriter(
  path: string,
  writer: number,
  rows: number,
  perTick: number,
  mode: 'sync' | 'batched' = 'sync',
): Promise<WriterReport> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@kora/source', writerFixture, path, String(writer), String(rows), String(perTick), mode],
    {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exited with ${String(code)}`);
        resolve(JSON.parse(stdout) as WriterReport);
      } catch (error) {
        reject(new Error(`writer ${writer}: ${error instanceof Error ? error.message : String(error)}: ${stderr}`));
      }
    });
  });
}

/** A running `kora-audit ship`. */
export interface ShipProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the real `kora-audit ship` with `args`. */
export function startShip(args: readonly string[], env: Record<string, string> = {}): ShipProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', 'src/bin.ts', 'ship', ...args], {
    cwd: cliDir,
    env: { ...process.env, KORA_AUDIT_LOG_PATH: '', KORA_HOME: '', HERMES_HOME: '', KORA_DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}
