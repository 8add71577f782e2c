import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command, CommandEntry } from '../command.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_USAGE } from '../exit-codes.js';
import { suggestName } from '../suggest-name.js';
import { UsageError } from '../usage-error.js';

/** The subcommands of `kora-audit db`, each loaded only when it runs. */
const SUBCOMMANDS: readonly CommandEntry[] = [
  {
    name: 'grant-writer',
    summary: 'make an existing role an append-only writer: INSERT and SELECT only, run as the owner',
    load: async () => (await import('./db-grant-writer.js')).dbGrantWriterCommand,
  },
  {
    name: 'lag',
    summary: "each origin host's newest row and how far behind now it is (exit 1 past --behind)",
    load: async () => (await import('./db-lag.js')).dbLagCommand,
  },
  {
    name: 'migrate',
    summary: 'create the table and its indexes, plain or partitioned by day (--layout daily)',
    load: async () => (await import('./db-migrate.js')).dbMigrateCommand,
  },
  {
    name: 'prune',
    summary: 'remove rows older than --older-than, dropping whole days where partitioned',
    load: async () => (await import('./db-prune.js')).dbPruneCommand,
  },
];

const width = Math.max(...SUBCOMMANDS.map((subcommand) => subcommand.name.length));

const usage = `Usage: kora-audit db <subcommand> [options]

Look after the PostgreSQL event log that 'kora-audit ship' and the daemon's writer fill.

Subcommands:
${SUBCOMMANDS.map((subcommand) => `  ${subcommand.name.padEnd(width)}  ${subcommand.summary}`).join('\n')}

Run 'kora-audit db <subcommand> --help' for its options.
`;

function findSubcommand(name: string | undefined): CommandEntry {
  if (name === undefined)
    throw new UsageError(`a subcommand is required (${SUBCOMMANDS.map((known) => known.name).join(', ')}; see kora-audit db --help)`);
  const entry = SUBCOMMANDS.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    const names = SUBCOMMANDS.map((known) => known.name);
    const suggestion = suggestName(name, names);
    throw new UsageError(
      suggestion === undefined
        ? `unknown subcommand '${name}' (subcommands: ${names.join(', ')})`
        : `unknown subcommand '${name}': did you mean '${suggestion}'?`,
    );
  }
  return entry;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  const entry = findSubcommand(name);
  try {
    return await (await entry.load()).run(rest, io);
  } catch (error) {
    // As main reports a command's error, named after the subcommand.
    const message =
      error instanceof UsageError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    await writeText(io.stderr, `kora-audit db ${entry.name}: ${escapeTerminalText(message)}\n`);
    return EXIT_USAGE;
  }
}

async function helpFor(args: readonly string[]): Promise<string> {
  const entry = SUBCOMMANDS.find((candidate) => candidate.name === args[0]);
  return entry === undefined ? usage : (await entry.load()).usage;
}

/** `kora-audit db`: commands on the PostgreSQL event log: `grant-writer`, `lag`, `migrate`, `prune`. */
export const dbCommand: Command = {
  name: 'db',
  usage,
  helpFor,
  run,
};
