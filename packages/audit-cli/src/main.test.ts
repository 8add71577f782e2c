import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestIo, packageDir, runCli } from './__fixtures__/cli-harness.js';
import { COMMANDS, main } from './main.js';

describe('main', () => {
  it('prints the usage on stderr and exits 2 without a command', async () => {
    const io = createTestIo();
    expect(await main([], io)).toBe(2);
    expect(io.err()).toContain('Usage: kora-audit <command>');
    for (const name of ['query', 'tail', 'scan', 'schema', 'stats', 'verify']) expect(io.err()).toContain(`  ${name} `);
  });

  it('prints the usage on stdout for --help and a command usage for help <command>', async () => {
    const io = createTestIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: kora-audit <command>');
    const topic = createTestIo();
    expect(await main(['help', 'scan'], topic)).toBe(0);
    expect(topic.out()).toContain('Usage: kora-audit scan');
  });

  it('prints the package version for --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-V']) {
      const io = createTestIo();
      expect(await main([flag], io)).toBe(0);
      expect(io.out()).toBe(`${version}\n`);
      expect(io.err()).toBe('');
    }
  });

  it('prints for help <command> [<subcommand>] what <command> [<subcommand>] --help prints, and the usage for help alone', async () => {
    for (const topic of [['query'], ['tail'], ['verify'], ['db'], ['db', 'lag'], ['db', 'grant-writer']]) {
      const help = createTestIo();
      expect(await main(['help', ...topic], help)).toBe(0);
      const flag = createTestIo();
      expect(await main([...topic, '--help'], flag)).toBe(0);
      expect(help.out()).toBe(flag.out());
      expect(help.out()).toContain(`Usage: kora-audit ${topic.join(' ')} `);
    }
    const alone = createTestIo();
    expect(await main(['help'], alone)).toBe(0);
    expect(alone.out()).toContain('Usage: kora-audit <command>');
  });

  it('suggests the command meant for a slip of the keyboard, in help too, and exits 2', async () => {
    for (const [typed, meant] of [
      ['qeury', 'query'],
      ['sael', 'seal'],
      ['verfy', 'verify'],
      ['stast', 'stats'],
      ['ship-', 'ship'],
    ] as const) {
      for (const args of [[typed], ['help', typed]]) {
        const io = createTestIo();
        expect(await main(args, io)).toBe(2);
        expect(io.err()).toBe(`kora-audit: unknown command '${typed}': did you mean '${meant}'? (see kora-audit --help)\n`);
        expect(io.out()).toBe('');
      }
    }
    const subcommand = createTestIo();
    expect(await main(['db', 'lga'], subcommand)).toBe(2);
    expect(subcommand.err()).toBe("kora-audit db: unknown subcommand 'lga': did you mean 'lag'?\n");
  });

  it('prints a command usage for <command> --help without running it', async () => {
    const io = createTestIo();
    expect(await main(['stats', '--path', '/nonexistent/x.jsonl', '--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: kora-audit stats');
    expect(io.err()).toBe('');
  });

  it('rejects an unknown command and an unknown option with one line and exit 2', async () => {
    const io = createTestIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toBe(
      "kora-audit: unknown command 'frobnicate' (commands: query, tail, scan, schema, stats, verify, hash, keygen, seal, prove, verify-proof, ship, export, db; see kora-audit --help)\n",
    );
    const option = createTestIo();
    expect(await main(['query', '--colour'], option)).toBe(2);
    expect(option.err()).toBe("kora-audit query: Unknown option '--colour'\n");
  });

  it('lists every command under the name its module answers to, loading each only when asked', async () => {
    const loaded = await Promise.all(COMMANDS.map(async (entry) => [entry.name, (await entry.load()).name]));
    expect(loaded.every(([listed, answered]) => listed === answered)).toBe(true);
    expect(COMMANDS.map((entry) => entry.name)).toEqual([
      'query',
      'tail',
      'scan',
      'schema',
      'stats',
      'verify',
      'hash',
      'keygen',
      'seal',
      'prove',
      'verify-proof',
      'ship',
      'export',
      'db',
    ]);
  });

  it('runs as a real process and sets the exit code', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: kora-audit <command>');
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});
