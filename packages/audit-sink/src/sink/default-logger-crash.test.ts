// The default logger (pino on stdout) and the default sink, in a process killed with SIGKILL:
// no exit hook runs, so stdout holds only what reached the kernel. A row in the file was
// acknowledged to its caller, and its verbatim line was logged before it: the line must be
// on stdout too, or an operator grepping the log misses an event the audit file has.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import { auditClosedSeam } from '../lifecycle/audit-closed.js';
import { auditLostSeam } from '../lifecycle/audit-lost.js';
import { auditOpenedSeam } from '../lifecycle/audit-opened.js';
import { exampleSeam } from '../__fixtures__/example-seam.js';

const fixture = fileURLToPath(new URL('../__fixtures__/emit-through-defaults-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kora-default-logger-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface KilledWriter {
  /** The verbatim lines of the rows in the file, in file order. */
  readonly rowLines: string[];
  /** The messages of the complete pino lines on stdout. */
  readonly stdoutMessages: Set<string>;
}

const ownSeams = new Map([auditOpenedSeam, auditLostSeam, auditClosedSeam].map((seam) => [seam.name as string, seam]));

/** The verbatim line of every complete row in the file, in file order: the writer's own rows' lines name its id. */
function readRowLines(path: string): string[] {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const row = auditEnvelope.parse(JSON.parse(line));
      const seam = ownSeams.get(row.seam) ?? exampleSeam;
      expect(row.seam).toBe(seam.name);
      return seam.formatLine(row.details, { caller_session_id: row.caller_session_id, writer: row.writer });
    });
}

/**
 * Run the child with `limit` (it kills itself after that many emits) or until `killAtRows`
 * rows are in the file (the parent kills it), capturing its stdout through a pipe.
 */
async function killWriter(name: string, stop: { readonly limit: number } | { readonly killAtRows: number }): Promise<KilledWriter> {
  const path = join(dir, `${name}.jsonl`);
  const args = ['--import', 'tsx', '--conditions=@kora/source', fixture, 'limit' in stop ? String(stop.limit) : 'until-killed'];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, KORA_AUDIT_LOG_PATH: path, KORA_AUDIT_BATCH_SIZE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
  if ('killAtRows' in stop) {
    const deadline = Date.now() + 25_000;
    while (readRowLines(path).length < stop.killAtRows) {
      if (child.exitCode !== null) throw new Error(`the writer ended early: ${stderr}`);
      if (Date.now() > deadline) throw new Error('timed out waiting for the writer');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
  }
  const signal = await closed;
  expect(signal, stderr).toBe('SIGKILL');
  const text = Buffer.concat(stdout).toString('utf8');
  // A line cut off by the kill is not a line an operator has.
  const complete = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '');
  const stdoutMessages = new Set(complete.map((line) => (JSON.parse(line) as { msg: string }).msg));
  return { rowLines: readRowLines(path), stdoutMessages };
}

describe('the default logger and sink killed with SIGKILL', () => {
  it('has the verbatim line of every row on stdout when the process kills itself right after emitting', async () => {
    const { rowLines, stdoutMessages } = await killWriter('self-killed', { limit: 2000 });

    // The writer's audit.opened row, then the 2000 rows; no audit.closed row, as no exit hook ran.
    expect(rowLines).toHaveLength(2001);
    expect(rowLines[0]).toMatch(/^\[kora\.audit\.opened\] writer=\S+ host=\S+ pid=\d+ mode=sync batch_size=1 /);
    expect(rowLines.slice(1)).toEqual(Array.from({ length: 2000 }, (_, count) => `[kora.mcp.tool_called] tool=crash count=${count}`));
    expect(rowLines.filter((line) => !stdoutMessages.has(line))).toEqual([]);
  });

  it('has the verbatim line of every row on stdout when killed mid-stream', async () => {
    const { rowLines, stdoutMessages } = await killWriter('killed-mid-stream', { killAtRows: 1500 });

    expect(rowLines.length).toBeGreaterThanOrEqual(1500);
    expect(rowLines[0]).toMatch(/^\[kora\.audit\.opened\] writer=/);
    expect(rowLines.filter((line) => !stdoutMessages.has(line))).toEqual([]);
  });
});
