import { parseArgs } from 'node:util';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommandLine } from '../parse-arguments.js';
import { UsageError } from '../usage-error.js';
import { DATABASE_OPTIONS, readDatabaseTarget, withDatabase } from './open-database.js';

const options = {
  ...DATABASE_OPTIONS,
  'database-url': {
    ...DATABASE_OPTIONS['database-url'],
    description: 'postgres://owner:password@host:5432/db (default: KORA_DATABASE_URL)',
  },
  json: { type: 'boolean', description: 'print the outcome as one JSON line' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit db grant-writer ROLE --database-url URL [--table T] [--json]

Make an existing PostgreSQL role an append-only writer of the event log, for 'kora-audit ship'
and the daemon's writer to connect as. The role gets SELECT and INSERT on the table and on its
checkpoint table (<table>_checkpoints), and USAGE on their schema if it lacks it; every other
privilege on both (UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER) is revoked, and so is every
privilege on the table's partitions: rows reach a partition through the table, today's and
those made later alike. The statements run are printed.

Run it as the owner of the tables, after 'kora-audit db migrate'. It creates no role and sets no
password: create the role first (CREATE ROLE ... LOGIN). It refuses, changing nothing, a role
that does not exist, is a superuser, or owns the tables or is a member of their owner (an owner
can change or drop its tables whatever it is granted), and a role that would still hold a
refused privilege through PUBLIC or another role. Writers that connect as the role run no DDL:
migrations and the days ahead of a partitioned table stay with the owner ('db migrate', 'db
prune' on a schedule).`,
  options,
  `Exit status: 0 granted, 2 usage error, a refusal above, or the database refused. The password
in the URL is never printed.`,
);

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      allowPositionals: true,
      strict: true,
    }),
  );
  if (positionals.length !== 1) throw new UsageError('give exactly one ROLE (see kora-audit db grant-writer --help)');
  const role = positionals[0] ?? '';
  const target = await readDatabaseTarget(values, io);
  const result = await withDatabase(
    target,
    { applicationName: 'kora-audit db grant-writer', action: 'grant a writer role on' },
    async (client) => {
      const { grantWriter } = await import('@kora/audit-substrate-pg');
      try {
        return await grantWriter(client, target.table, role);
      } catch (error) {
        // A refusal or a bad role name is the operator's to fix: said plainly, without a code.
        if (error instanceof RangeError || error instanceof TypeError) throw new RangeError(error.message.replace(/^grantWriter: /, ''));
        throw error;
      }
    },
  );
  if (values.json === true) {
    await writeText(
      io.stdout,
      `${escapeTerminalText(JSON.stringify({ table: target.table, role, statements: result.statements, partitions: result.partitions }))}\n`,
    );
    return EXIT_OK;
  }
  const lines = [
    ...result.statements.map((statement) => `${statement};`),
    `${target.table}: ${role} may now insert and read rows and checkpoints, and change none${result.partitions > 0 ? ` (${result.partitions} partitions kept to the table)` : ''}`,
  ];
  await writeText(io.stdout, `${lines.map((line) => escapeTerminalText(line)).join('\n')}\n`);
  return EXIT_OK;
}

/** `kora-audit db grant-writer`: make an existing role an append-only writer of the event log and its checkpoints. */
export const dbGrantWriterCommand: Command = {
  name: 'db grant-writer',
  usage,
  options,
  run,
};
