import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditEnvelope } from '@kora/audit-sink';
import { describe, expect, it } from 'vitest';
import { makeTempDir, packageDir, rowsText } from './__fixtures__/cli-harness.js';
import { classifyLine } from './classify-line.js';
import type { LineClass } from './classify-line.js';

const row = {
  v: 1,
  id: '01a21ad1-7b7d-701d-807c-f5dcc9f03819',
  emitted_at: '2026-11-27T02:24:25.981Z',
  seam: 'slack_dm.reply_failed',
  source: 'slack_dm',
  caller_session_id: null,
  details: { channel_id: 'D01', reason: 'slack_api:channel_not_found' },
};

/** What the envelope schema alone says of a line: the rules `classifyLine` must keep. */
function bySchema(text: string): LineClass {
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed' };
  const parsed = auditEnvelope.safeParse(value);
  return parsed.success && !Number.isNaN(Date.parse(parsed.data.emitted_at)) ? { kind: 'row', entry: parsed.data } : { kind: 'invalid' };
}

describe('classifyLine', () => {
  it('tells rows from blank, malformed and invalid lines', async () => {
    expect(await classifyLine(JSON.stringify(row))).toMatchObject({ kind: 'row', entry: { id: row.id } });
    expect(await classifyLine('  ')).toEqual({ kind: 'blank' });
    expect(await classifyLine('{"v":1,"id":')).toEqual({ kind: 'malformed' });
    expect(await classifyLine(null)).toEqual({ kind: 'malformed' });
    expect(await classifyLine(JSON.stringify({ ...row, seam: 'nope' }))).toEqual({ kind: 'invalid' });
  });

  it("keeps a whole row glued after a dead writer's torn head", async () => {
    const tornHead = JSON.stringify({ ...row, id: '01a21ad1-7b7d-701d-807c-000000000000' }).slice(0, 50);
    expect(await classifyLine(tornHead + JSON.stringify(row))).toMatchObject({ kind: 'row', entry: { id: row.id } });
  });

  it('answers a row as the sink writes it at once, without the schema', () => {
    expect(classifyLine(JSON.stringify(row))).toEqual({ kind: 'row', entry: row });
  });

  it('gives the envelope schema’s answer for every kind of line', async () => {
    const { details, ...withoutDetails } = row;
    const lines = [
      JSON.stringify(row),
      JSON.stringify({ details, ...withoutDetails }),
      JSON.stringify({ ...row, caller_session_id: 'C01:1700000000.000100', source: null }),
      JSON.stringify({ ...row, extra: true }),
      JSON.stringify({ ...row, v: 2 }),
      JSON.stringify({ ...row, id: row.id.toUpperCase() }),
      JSON.stringify({ ...row, id: '01a21ad1-7b7d-401d-807c-f5dcc9f03819' }),
      JSON.stringify({ ...row, emitted_at: '2026-13-01T00:00:00.000Z' }),
      JSON.stringify({ ...row, emitted_at: '2026-11-27T02:24:25Z' }),
      JSON.stringify({ ...row, source: 'pager' }),
      JSON.stringify({ ...row, caller_session_id: 'x'.repeat(257) }),
      JSON.stringify({ ...row, details: [] }),
      JSON.stringify({ ...row, details: null }),
      '{"v":1,"__proto__":{}}',
      `{"__proto__":null,${JSON.stringify(row).slice(1)}`,
      '[]',
      '"row"',
      '',
      '\t',
    ];
    for (const text of lines) expect(await classifyLine(text), text).toEqual(bySchema(text));
  });
});

describe('the commands that classify lines', () => {
  const reportZod = fileURLToPath(new URL('./__fixtures__/report-loaded-at-exit.ts', import.meta.url));
  /** Run the CLI in a fresh process and say whether zod was loaded by the time it exited. */
  const run = (args: readonly string[]): { status: number | null; stdout: string; zodLoaded: boolean } => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', reportZod, '--conditions=@kora/source', 'src/bin.ts', ...args], {
      cwd: packageDir,
      encoding: 'utf8',
      env: { ...process.env, KORA_AUDIT_LOG_PATH: '', KORA_HOME: '', HERMES_HOME: '' },
      timeout: 30_000,
    });
    const report = /zod loaded: (true|false)\n$/.exec(result.stderr);
    if (report === null) throw new Error(`no report from the CLI: ${result.stderr}`);
    return { status: result.status, stdout: result.stdout, zodLoaded: report[1] === 'true' };
  };

  it('read rows as the sink writes them without loading zod, and load it for the first line only the schema can judge', () => {
    const dir = makeTempDir();
    const clean = join(dir, 'clean.jsonl');
    writeFileSync(clean, rowsText(0, 40));
    const mixed = join(dir, 'mixed.jsonl');
    writeFileSync(mixed, `${rowsText(0, 20)}${JSON.stringify({ ...row, extra: true })}\n${rowsText(20, 40)}`);

    const cleanStats = run(['stats', '--path', clean]);
    expect(cleanStats).toMatchObject({ status: 0, zodLoaded: false });
    expect(JSON.parse(cleanStats.stdout)).toMatchObject({ rows: 40, skipped: { invalid: 0 } });
    const mixedStats = run(['stats', '--path', mixed]);
    expect(mixedStats).toMatchObject({ status: 0, zodLoaded: true });
    expect(JSON.parse(mixedStats.stdout)).toMatchObject({ rows: 40, skipped: { invalid: 1 } });

    const tail = run(['tail', '--path', clean, '-n', '3']);
    expect(tail).toMatchObject({ status: 0, zodLoaded: false });
    expect(tail.stdout.trim().split('\n')).toEqual(rowsText(37, 40).trim().split('\n'));
  });
});
