import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { AuditEnvelope } from '@kora/audit-sink';
import type { CliIo } from '../cli-io.js';

/** The audit-cli package directory. */
export const packageDir = fileURLToPath(new URL('../..', import.meta.url));

const BASE_MS = Date.parse('2026-11-26T17:00:00.000Z');
const ROW_SEAMS = ['mcp.tool_called', 'webhook.dead_letter', 'slack_dm.reply_failed', 'reasoning.tool_called'] as const;

/** A valid row numbered `n`: seams cycle, `emitted_at` is `n` seconds after a fixed time. */
export function envelopeRow(n: number, overrides: Partial<AuditEnvelope> = {}): AuditEnvelope {
  return {
    v: 1,
    id: `0192f7c2-6d3e-7a4b-9c1d-${n.toString(16).padStart(12, '0')}`,
    emitted_at: new Date(BASE_MS + n * 1000).toISOString(),
    seam: ROW_SEAMS[n % ROW_SEAMS.length] ?? 'mcp.tool_called',
    source: 'mcp_http',
    caller_session_id: null,
    details: {},
    ...overrides,
  };
}

/** Rows `from` to `to` (exclusive) as JSONL text. */
export function rowsText(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n += 1) text += `${JSON.stringify(envelopeRow(n))}\n`;
  return text;
}

/** A fresh temp directory. */
export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kora-cli-'));
}

/** A writable that keeps everything written to it. */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** An in-process `io` whose output can be read back. */
export interface TestIo extends CliIo {
  out(): string;
  err(): string;
}

/** Make an in-process `io` with the given environment and working directory. */
export function createTestIo(
  options: Partial<Pick<CliIo, 'env' | 'cwd' | 'signal' | 'now' | 'interactive' | 'stdin' | 'isTTY' | 'color'>> = {},
): TestIo {
  const stdout = new Collector();
  const stderr = new Collector();
  return {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? tmpdir(),
    signal: options.signal,
    now: options.now,
    interactive: options.interactive,
    stdin: options.stdin,
    isTTY: options.isTTY,
    color: options.color,
    out: () => stdout.text,
    err: () => stderr.text,
  };
}

/** A running `kora-audit` child process. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves to the exit code (null when killed by a signal it did not handle). */
  readonly exited: Promise<number | null>;
  /** Wait until stdout satisfies `condition`; rejects if the process exits first. */
  waitForOutput(condition: (stdout: string) => boolean): Promise<void>;
}

/** Start the real CLI as `node --import tsx --conditions=@kora/source src/bin.ts …`. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', 'src/bin.ts', ...args], {
    cwd: packageDir,
    env: { ...process.env, KORA_AUDIT_LOG_PATH: '', KORA_HOME: '', HERMES_HOME: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running = false;
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForOutput: async (condition) => {
      await waitFor(() => condition(stdout) || !running, 20_000);
      if (!condition(stdout)) throw new Error(`the CLI exited early: ${stderr}`);
    },
  };
}

/** Run the real CLI to completion. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Wait until `condition` holds, checking every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Parse JSON lines. */
export function parseJsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
