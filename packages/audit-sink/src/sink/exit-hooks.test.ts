import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = new URL('../__fixtures__/batched-child.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kora-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(ending: string, count: number) {
  const path = join(dir, `${ending}.jsonl`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', fixture, ending, String(count)], {
    encoding: 'utf8',
    timeout: 30_000,
    // A batch far larger than the rows and an interval far longer than the run:
    // only the exit hooks can have written the rows.
    env: { ...process.env, KORA_AUDIT_LOG_PATH: path, KORA_AUDIT_BATCH_SIZE: '1000', KORA_AUDIT_FLUSH_INTERVAL_MS: '600000' },
  });
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { details: { count: number } });
  return { result, rows };
}

describe('registerExitFlush', () => {
  it.each(['natural', 'exit'])('drains a batch when the child ends by %s', (ending) => {
    const { result, rows } = runChild(ending, 7);
    expect(result.status).toBe(0);
    expect(rows.map((row) => row.details.count)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('drains a batch on %s and still ends by that signal', (signal) => {
    const { result, rows } = runChild(signal, 4);
    expect(result.signal).toBe(signal);
    expect(rows.map((row) => row.details.count)).toEqual([0, 1, 2, 3]);
  });

  it('logs each verbatim line through pino on stdout', () => {
    const { result } = runChild('natural', 2);
    const messages = result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(messages).toEqual([
      expect.objectContaining({ level: 30, msg: '[kora.mcp.tool_called] tool=child count=0' }),
      expect.objectContaining({ level: 30, msg: '[kora.mcp.tool_called] tool=child count=1' }),
    ]);
  });
});
