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
    .map((line) => JSON.parse(line) as { id: string; seam: string; writer: string; seq: number; details: Record<string, unknown> });
  const seamRows = rows.filter((row) => !row.seam.startsWith('audit.'));
  return { result, rows, seamRows };
}

/** The writer's rows as a reader checks them: opened first, the caller's rows, closed last, numbered without a gap. */
function expectClosedWriter(rows: ReturnType<typeof runChild>['rows'], trigger: string): void {
  const writer = rows[0]?.writer;
  expect(rows[0]).toMatchObject({ seam: 'audit.opened', seq: 1, details: { mode: 'batched', batch_size: 1000 } });
  expect(rows.every((row) => row.writer === writer)).toBe(true);
  expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index + 1));
  const rowsMade = rows.length - 1;
  expect(rows.at(-1)).toMatchObject({
    seam: 'audit.closed',
    details: { trigger, last_seq: rows.length, rows_made: rowsMade, rows_written: rowsMade, rows_lost: {} },
  });
}

describe('registerExitFlush', () => {
  it.each(['natural', 'exit'])('drains a batch when the child ends by %s', (ending) => {
    const { result, rows, seamRows } = runChild(ending, 7);
    expect(result.status).toBe(0);
    expect(seamRows.map((row) => row.details.count)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expectClosedWriter(rows, 'exit');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('drains a batch on %s and still ends by that signal', (signal) => {
    const { result, rows, seamRows } = runChild(signal, 4);
    expect(result.signal).toBe(signal);
    expect(seamRows.map((row) => row.details.count)).toEqual([0, 1, 2, 3]);
    expectClosedWriter(rows, signal);
  });

  it('logs each verbatim line through pino on stdout', () => {
    const { result, rows } = runChild('natural', 2);
    const messages = result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: number; msg: string; seam?: string; audit_id?: string });
    // The file holds the earlier run's rows too: this run's writer closed last.
    const { writer } = rows.at(-1)!;
    const runRows = rows.filter((row) => row.writer === writer);
    expect(messages).toEqual([
      expect.objectContaining({
        level: 30,
        msg: expect.stringMatching(
          new RegExp(
            `^\\[kora\\.audit\\.opened\\] writer=${writer} host=\\S+ pid=\\d+ mode=batched batch_size=1000 failure=best-effort version=\\S+ path=\\S+$`,
          ),
        ) as string,
        seam: 'audit.opened',
        audit_id: writer,
      }),
      expect.objectContaining({
        level: 30,
        msg: '[kora.mcp.tool_called] tool=child count=0',
        seam: 'mcp.tool_called',
        audit_id: runRows[1]?.id,
      }),
      expect.objectContaining({
        level: 30,
        msg: '[kora.mcp.tool_called] tool=child count=1',
        seam: 'mcp.tool_called',
        audit_id: runRows[2]?.id,
      }),
      expect.objectContaining({
        level: 30,
        msg: `[kora.audit.closed] writer=${writer} trigger=exit last_seq=4 rows_made=3 rows_written=3 rows_lost={}`,
        seam: 'audit.closed',
        audit_id: runRows[3]?.id,
      }),
    ]);
  });
});
