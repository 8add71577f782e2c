import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envelopeRow, makeTempDir, packageDir, rowsText } from '../__fixtures__/cli-harness.js';

describe('the commands that classify lines', () => {
  const reportZod = fileURLToPath(new URL('../__fixtures__/report-loaded-at-exit.ts', import.meta.url));
  /** Run the CLI in a fresh process and say whether zod was loaded by the time it exited. */
  const run = (args: readonly string[]): { status: number | null; stdout: string; zodLoaded: boolean } => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', reportZod, '--conditions=@kora/source', 'src/bin.ts', ...args],
      {
        cwd: packageDir,
        encoding: 'utf8',
        env: { ...process.env, KORA_AUDIT_LOG_PATH: '', KORA_HOME: '', HERMES_HOME: '' },
        timeout: 30_000,
      },
    );
    const report = /zod loaded: (true|false)\n$/.exec(result.stderr);
    if (report === null) throw new Error(`no report from the CLI: ${result.stderr}`);
    return { status: result.status, stdout: result.stdout, zodLoaded: report[1] === 'true' };
  };

  it('read rows as the sink writes them without loading zod, and load it for the first line only the schema can judge', () => {
    const dir = makeTempDir();
    const clean = join(dir, 'clean.jsonl');
    writeFileSync(clean, rowsText(0, 40));
    const mixed = join(dir, 'mixed.jsonl');
    writeFileSync(mixed, `${rowsText(0, 20)}${JSON.stringify({ ...envelopeRow(40), extra: true })}\n${rowsText(20, 40)}`);

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
