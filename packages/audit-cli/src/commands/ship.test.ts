import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, rowsText, startCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

// Port 1 on loopback refuses at once: a database that is down. The shipping itself, against
// the real server, is tested in @kora/audit-substrate-pg, which runs this command.
const DOWN_URL = 'postgres://kora:pa55-word@127.0.0.1:1/kora';

describe('ship', () => {
  it('needs a database URL, from --database-url or KORA_DATABASE_URL', async () => {
    const io = createTestIo({ cwd: makeTempDir() });
    expect(await main(['ship', '--path', 'audit.jsonl'], io)).toBe(2);
    expect(io.err()).toBe('kora-audit ship: --database-url is required (or set KORA_DATABASE_URL)\n');
  });

  it('rejects a bad batch size and a table name that is not an identifier', async () => {
    const batch = createTestIo({ cwd: makeTempDir() });
    expect(await main(['ship', '--database-url', DOWN_URL, '--path', 'a.jsonl', '--batch-rows', '0'], batch)).toBe(2);
    expect(batch.err()).toContain("--batch-rows: '0' is not a whole number from 1 to 50000");
    const table = createTestIo({ cwd: makeTempDir() });
    expect(await main(['ship', '--database-url', DOWN_URL, '--path', 'a.jsonl', '--table', 'x; DROP TABLE y'], table)).toBe(2);
    expect(table.err()).toContain("invalid table name 'x; DROP TABLE y'");
  });

  it('prints a control or bidi character of its input escaped in its error line', async () => {
    const table = createTestIo({ cwd: makeTempDir() });
    expect(await main(['ship', '--database-url', DOWN_URL, '--path', 'a.jsonl', '--table', 'bad\u202e\x9bname'], table)).toBe(2);
    expect(table.err()).toContain(String.raw`invalid table name 'bad\u202e\u009bname'`);
    expect(table.err()).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
  });

  it('refuses a damaged checkpoint with exit 2 rather than guessing a position', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'audit.jsonl'), rowsText(0, 3));
    writeFileSync(join(dir, 'audit.jsonl.ship-checkpoint.json'), '{"offset": 12}');
    const io = createTestIo({ cwd: dir, env: { KORA_DATABASE_URL: DOWN_URL } });
    expect(await main(['ship', '--path', 'audit.jsonl'], io)).toBe(2);
    expect(io.err()).toBe(
      `kora-audit ship: ${join(dir, 'audit.jsonl.ship-checkpoint.json')} is not a ship checkpoint (delete it to ship every file from the start again)\n`,
    );
  });

  it('gives up on a database that stays down with exit 75, and says so on both streams', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'audit.jsonl'), rowsText(0, 5));
    const io = createTestIo({ cwd: dir, env: { KORA_DATABASE_URL: DOWN_URL } });
    expect(await main(['ship', '--path', 'audit.jsonl', '--give-up-after', '300ms'], io)).toBe(75);
    expect(JSON.parse(io.out())).toMatchObject({ rows_shipped: 0, gave_up: true });
    expect(io.err()).toMatch(
      /\[kora\.ship\.gave_up\] code=ECONNREFUSED database=postgres:\/\/kora:\*\*\*@127\.0\.0\.1:1\/kora after_ms=\d+;/,
    );
    expect(io.err()).not.toContain('pa55-word');
  });

  it('refuses a --give-up-after that is not a duration', async () => {
    const io = createTestIo({ cwd: makeTempDir(), env: { KORA_DATABASE_URL: DOWN_URL } });
    expect(await main(['ship', '--path', 'audit.jsonl', '--give-up-after', 'soon'], io)).toBe(2);
    expect(io.err()).toBe("kora-audit ship: --give-up-after: 'soon' is not a duration (use 90s, 15m, 2h, or never)\n");
  });

  it('waits for a database that is down, never printing the password, and exits 0 on SIGTERM when following', async () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'logs'));
    const path = join(dir, 'logs', 'audit.jsonl');
    writeFileSync(path, rowsText(0, 5));
    const cli = startCli(['ship', '--follow', '--path', path], { KORA_DATABASE_URL: DOWN_URL });
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no warning: ${cli.stderr()}`)), 20_000);
      const check = setInterval(() => {
        if (cli.stderr().includes('[kora.ship.database_unavailable]')) {
          clearInterval(check);
          clearTimeout(deadline);
          resolve();
        }
      }, 20);
    });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toContain('code=ECONNREFUSED database=postgres://kora:***@127.0.0.1:1/kora');
    expect(cli.stderr()).not.toContain('pa55-word');
    expect(JSON.parse(cli.stdout())).toMatchObject({ rows_shipped: 0, database_failures: expect.any(Number) });
  });
});
