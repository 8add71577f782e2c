import { describe, expect, it } from 'vitest';
import { createTestIo, runCli } from './__fixtures__/cli-harness.js';
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
      "kora-audit: unknown command 'frobnicate' (commands: query, tail, scan, schema, stats, verify, keygen, seal, prove, verify-proof, ship, db; see kora-audit --help)\n",
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
      'keygen',
      'seal',
      'prove',
      'verify-proof',
      'ship',
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
