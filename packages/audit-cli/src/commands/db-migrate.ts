import { parseArgs } from 'node:util';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_OK } from '../exit-codes.js';
import { parseCommandLine, parseCountOption } from '../parse-arguments.js';
import { UsageError } from '../usage-error.js';
import { DATABASE_OPTIONS, readDatabaseTarget, withDatabase } from './open-database.js';

const options = {
  ...DATABASE_OPTIONS,
  layout: { type: 'string', value: 'L', description: 'plain (default) or daily, for a table this creates' },
  'days-ahead': { type: 'string', value: 'N', description: 'on a partitioned table, days after today to cover (0-366, default 7)' },
  json: { type: 'boolean', description: 'print the layout as one JSON line' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit db migrate --database-url URL [--table T] [--layout plain|daily]
                          [--days-ahead N] [--json]

Create the PostgreSQL event-log table, the indexes its readers need and the checkpoint table
beside it (<table>_checkpoints), if they are missing, as the shipper and the daemon do when they
start. Run it as the tables' owner: a writer role from 'kora-audit db grant-writer' runs no DDL. With --layout daily the table is partitioned by
UTC day on emitted_at, with partitions for today and the days ahead and a default partition,
so 'kora-audit db prune' drops whole days. A table that exists keeps its layout: its missing
indexes and, on a partitioned table, the days ahead are added. Safe to run from many hosts.`,
  options,
  `Exit status: 0 done, 2 usage error or the database refused (for example --layout daily for a
table that exists without partitions: see docs/fleet.md to convert it). The password in the
URL is never printed.`,
);

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  const layout = values.layout ?? 'plain';
  if (layout !== 'plain' && layout !== 'daily') throw new UsageError(`--layout: '${layout}' is not a layout (plain or daily)`);
  const daysAhead = parseCountOption('--days-ahead', values['days-ahead'], { min: 0, max: 366 });
  const target = await readDatabaseTarget(values, io);
  const now = new Date(io.now?.() ?? Date.now());
  const found = await withDatabase(
    target,
    // Building an index on a large table that lacks it can take minutes.
    { applicationName: 'kora-audit db migrate', action: 'migrate', timeouts: { statementTimeoutMs: 600_000, queryTimeoutMs: 660_000 } },
    async (client) => {
      const { migrateSubstrate, parseSubstrateTable, readSubstrateLayout } = await import('@kora/audit-substrate-pg');
      await migrateSubstrate(client, { table: target.table, layout, daysAhead, now: () => now });
      return readSubstrateLayout(client, parseSubstrateTable(target.table));
    },
  );
  const partitions = found.kind === 'partitioned' ? found.partitions : [];
  if (values.json === true) {
    await writeText(
      io.stdout,
      `${escapeTerminalText(
        JSON.stringify({
          table: target.table,
          layout: found.kind,
          partitions: partitions.map((partition) => ({
            name: partition.relation,
            from: partition.isDefault ? null : (partition.from?.toISOString() ?? 'MINVALUE'),
            to: partition.isDefault ? null : (partition.to?.toISOString() ?? 'MAXVALUE'),
            default: partition.isDefault,
          })),
        }),
      )}\n`,
    );
    return EXIT_OK;
  }
  if (found.kind !== 'partitioned') {
    await writeText(io.stdout, `${target.table}: a plain table, ready\n`);
    return EXIT_OK;
  }
  const ranges = partitions.filter((partition) => !partition.isDefault);
  const first = ranges[0]?.from?.toISOString().slice(0, 10) ?? 'MINVALUE';
  const last = ranges[ranges.length - 1]?.to;
  const until = last === null || last === undefined ? 'MAXVALUE' : new Date(last.getTime() - 1).toISOString().slice(0, 10);
  const fallback = partitions.some((partition) => partition.isDefault) ? ' and a default partition' : '';
  await writeText(
    io.stdout,
    `${target.table}: partitioned by day on emitted_at, ${ranges.length} partitions (${first} to ${until})${fallback}, ready\n`,
  );
  return EXIT_OK;
}

/** `kora-audit db migrate`: create the event-log table, plain or partitioned by day, and keep its days ahead. */
export const dbMigrateCommand: Command = {
  name: 'db migrate',
  usage,
  options,
  run,
};
