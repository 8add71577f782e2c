import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = new URL('../__fixtures__/lazy-logger-child.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kora-lazy-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildReport {
  afterImport: boolean;
  afterEmit: boolean;
  outcome: { ok: boolean; id?: string };
  lines: string[];
}

function runChild(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', fixture, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
  expect(result.status).toBe(0);
  return { report: JSON.parse(result.stderr) as ChildReport, stdout: result.stdout };
}

const rowsOf = (path: string): { id: string; seam: string }[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: string; seam: string });

describe('pino, the default logger', () => {
  it('is never loaded by a process that passes its own sink and logger', () => {
    const path = join(dir, 'explicit.jsonl');
    const { report, stdout } = runChild(['explicit', path]);
    expect(report.afterImport).toBe(false);
    expect(report.afterEmit).toBe(false);
    expect(report.outcome.ok).toBe(true);
    expect(report.lines).toContain('[kora.mcp.tool_called] tool=lazy count=1');
    expect(rowsOf(path).map((row) => row.seam)).toEqual(['audit.opened', 'mcp.tool_called', 'audit.closed']);
    expect(stdout).toBe('');
  });

  it('is loaded at the first emit through the defaults, which logs the line on stdout with its row id', () => {
    const path = join(dir, 'defaults.jsonl');
    const { report, stdout } = runChild(['defaults'], { KORA_AUDIT_LOG_PATH: path });
    expect(report.afterImport).toBe(false);
    expect(report.afterEmit).toBe(true);
    expect(report.outcome.ok).toBe(true);
    const logged = stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { name: string; msg: string; seam?: string; audit_id?: string });
    const line = logged.find((entry) => entry.seam === 'mcp.tool_called');
    expect(line).toMatchObject({ name: 'kora', msg: '[kora.mcp.tool_called] tool=lazy count=1', audit_id: report.outcome.id });
    // The row is in the file, under the id the line carries.
    expect(rowsOf(path).find((row) => row.seam === 'mcp.tool_called')?.id).toBe(line?.audit_id);
  });
});
