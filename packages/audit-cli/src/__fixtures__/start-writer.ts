import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { packageDir, waitFor } from './cli-harness.js';

const fixture = new URL('./verify-writer-child.ts', import.meta.url).pathname;

/** What a writer is told to do: see `verify-writer-child.ts`. */
export interface WriterPlan {
  readonly mode: 'sync' | 'batched';
  readonly batchSize?: number;
  /** Rows to emit, or `stdin` to emit until `stop()`. */
  readonly rows: number | 'stdin';
  readonly ending: 'close' | 'exit' | 'wait';
  /** Every how many emits one is refused by the allow-list (0: none). */
  readonly refuseEvery?: number;
}

/** A running writer process. */
export interface WriterProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves once it waits for `go()`. */
  readonly ready: Promise<void>;
  /** Let it emit. */
  go(): void;
  /** Emits acknowledged so far, as it last said. */
  acked(): number;
  /** Wait until it has acknowledged `count` emits. */
  waitForAcked(count: number): Promise<void>;
  /** End an emitter that runs until stdin ends. */
  stop(): void;
  /** Resolves when it printed `done`, with its counts. */
  readonly done: Promise<{ emitted: number; acked: number; refused: number }>;
  /** Resolves to its exit code (null when killed by a signal), with its stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

/** Start one writer process appending to `path`. */
export function startWriter(path: string, plan: WriterPlan): WriterProcess {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@kora/source',
      fixture,
      path,
      plan.mode,
      String(plan.batchSize ?? 1),
      String(plan.rows),
      plan.ending,
      String(plan.refuseEvery ?? 0),
    ],
    { cwd: packageDir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let acked = 0;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stderr })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith('ready\n')) resolve();
      const counts = stdout.match(/acked (\d+)\n/g);
      if (counts !== null) acked = Number(counts.at(-1)?.slice(6, -1));
    });
    void exited.then(() => reject(new Error(`writer ended before it was ready: ${stderr}`)));
  });
  const done = new Promise<{ emitted: number; acked: number; refused: number }>((resolve, reject) => {
    const check = (): void => {
      const match = /done (\{.*\})\n/.exec(stdout);
      if (match?.[1] !== undefined) resolve(JSON.parse(match[1]) as { emitted: number; acked: number; refused: number });
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      check();
      reject(new Error(`writer ended without saying done: ${stderr}`));
    });
  });
  // A writer the test kills never says done: its rejection is expected then.
  done.catch(() => undefined);
  return {
    child,
    ready,
    go: () => child.stdin.write('go\n'),
    acked: () => acked,
    waitForAcked: async (count) => waitFor(() => acked >= count || child.exitCode !== null, 30_000),
    stop: () => child.stdin.end(),
    done,
    exited,
  };
}

/**
 * Start every writer, release them together once all are ready, and wait for each to say done
 * and, unless it waits to be killed, to exit (a writer ending by `exit` closes as it exits).
 */
export async function runWritersTogether(path: string, plans: readonly WriterPlan[]): Promise<WriterProcess[]> {
  const writers = plans.map((plan) => startWriter(path, plan));
  // Node's start-up takes far longer than writing: without the barrier they would run one after another.
  await Promise.all(writers.map((writer) => writer.ready));
  for (const writer of writers) writer.go();
  await Promise.all(writers.map((writer) => writer.done));
  await Promise.all(
    writers.map(async (writer, index) => {
      if (plans[index]?.ending === 'wait') return;
      const { code, stderr } = await writer.exited;
      if (code !== 0) throw new Error(`writer ${index} exited with ${String(code)}: ${stderr}`);
    }),
  );
  return writers;
}
