import { describe, expect, it } from 'vitest';
import { createTestIo } from './__fixtures__/cli-harness.js';
import type { Command } from './command.js';
import { formatOptions, parseArgsOptions } from './command-options.js';
import { COMMANDS, main } from './main.js';

const DB_SUBCOMMANDS = ['grant-writer', 'lag', 'migrate', 'prune'] as const;

/** Every command and `db` subcommand that takes options, with the words that name it. */
async function everyCommand(): Promise<{ words: string[]; command: Command }[]> {
  const found: { words: string[]; command: Command }[] = [];
  for (const entry of COMMANDS) {
    const command = await entry.load();
    if (command.name !== 'db') found.push({ words: [command.name], command });
  }
  const db = await COMMANDS.find((entry) => entry.name === 'db')?.load();
  for (const name of DB_SUBCOMMANDS) {
    const help = await db?.helpFor?.([name]);
    const { dbGrantWriterCommand } = await import('./commands/db-grant-writer.js');
    const { dbLagCommand } = await import('./commands/db-lag.js');
    const { dbMigrateCommand } = await import('./commands/db-migrate.js');
    const { dbPruneCommand } = await import('./commands/db-prune.js');
    const command = { 'grant-writer': dbGrantWriterCommand, lag: dbLagCommand, migrate: dbMigrateCommand, prune: dbPruneCommand }[name];
    expect(help).toBe(command.usage);
    found.push({ words: ['db', name], command });
  }
  return found;
}

/** The long and short option names the help's "Options:" section lists, as typed. */
function optionsInHelp(help: string): string[] {
  const section = /\nOptions:\n((?: {2}.*\n)+)/.exec(help)?.[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}((?:-[A-Za-z], )?--[a-z-]+)/.exec(line)?.[1])
    .filter((label) => label !== undefined)
    .flatMap((label) => label.split(', '));
}

describe('the help of every command', () => {
  it('lists every option its command line takes, and takes every option it lists', async () => {
    const commands = await everyCommand();
    expect(commands.map(({ words }) => words.join(' '))).toEqual([
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
      'db grant-writer',
      'db lag',
      'db migrate',
      'db prune',
    ]);
    for (const { words, command } of commands) {
      const help = await (async () => {
        const io = createTestIo();
        expect(await main([...words, '--help'], io)).toBe(0);
        return io.out();
      })();
      const listed = optionsInHelp(help);
      const declared = Object.entries(command.options ?? {}).flatMap(([name, option]) => [
        ...(option.short === undefined ? [] : [`-${option.short}`]),
        `--${name}`,
      ]);
      expect(listed, words.join(' ')).toEqual(declared);
      expect(listed.length, words.join(' ')).toBeGreaterThan(0);
      // The parser takes each listed option: it gets past it to complain of the unknown one after.
      for (const [name, option] of Object.entries(command.options ?? {})) {
        for (const typed of [`--${name}`, ...(option.short === undefined ? [] : [`-${option.short}`])]) {
          const io = createTestIo();
          const value = option.type === 'string' ? ['x'] : [];
          expect(await main([...words, typed, ...value, '--no-such-option'], io), `${words.join(' ')} ${typed}`).toBe(2);
          expect(io.err()).toBe(`kora-audit ${words.join(' ')}: Unknown option '--no-such-option'\n`);
        }
      }
      // And nothing the help does not list.
      const io = createTestIo();
      expect(await main([...words, '--colour'], io)).toBe(2);
      expect(io.err()).toBe(`kora-audit ${words.join(' ')}: Unknown option '--colour'\n`);
    }
  });
});

describe('formatOptions', () => {
  it('lines descriptions up after the longest name and indents their continuation lines', () => {
    expect(
      formatOptions({
        follow: { type: 'boolean', short: 'f', description: 'keep going' },
        path: { type: 'string', value: 'P', description: 'the file\nor its directory' },
        seam: { type: 'string', multiple: true, description: 'a seam' },
      }),
    ).toBe(
      ['  -f, --follow  keep going', '  --path P      the file', '                or its directory', '  --seam VALUE  a seam'].join('\n'),
    );
  });
});

describe('parseArgsOptions', () => {
  it('keeps what parseArgs reads and nothing else', () => {
    expect(
      parseArgsOptions({
        follow: { type: 'boolean', short: 'f', description: 'keep going' },
        seam: { type: 'string', multiple: true, value: 'S', description: 'a seam' },
      }),
    ).toEqual({ follow: { type: 'boolean', short: 'f' }, seam: { type: 'string', multiple: true } });
  });
});
