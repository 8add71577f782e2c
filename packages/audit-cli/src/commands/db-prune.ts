import { parseArgs } from 'node:util';
import type { PruneStep, PruneSubstrateResult } from '@kora/audit-substrate-pg';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { formatDuration } from '../format-duration.js';
import { parseCommandLine, parseCountOption, parseDurationOption } from '../parse-arguments.js';
import { UsageError } from '../usage-error.js';
import { DATABASE_OPTIONS, readDatabaseTarget, withDatabase } from './open-database.js';

// A typo of `30m` for `30d` must not empty the table.
const SHORTEST_MS = 3_600_000;

const options = {
  'older-than': { type: 'string', value: 'D', description: 'remove rows emitted before now minus D (12h, 30d, 52w; at least 1h)' },
  ...DATABASE_OPTIONS,
  yes: { type: 'boolean', description: 'remove without asking (required on a terminal)' },
  'dry-run': { type: 'boolean', description: 'count what would be removed, remove nothing, create nothing' },
  json: { type: 'boolean', description: 'one JSON line per step, then one for the whole' },
  'batch-size': { type: 'string', value: 'N', description: 'rows per DELETE where rows are deleted, 100-100000 (default 10000)' },
  'days-ahead': { type: 'string', value: 'N', description: 'on a partitioned table, days ahead to cover (0-366, default 7)' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit db prune --older-than D --database-url URL [--table T] [--yes]
                        [--dry-run] [--json] [--batch-size N] [--days-ahead N]

Remove the rows of the PostgreSQL event log emitted more than D ago, and never a newer one.
On a table partitioned by day ('kora-audit db migrate --layout daily'), each day wholly older
than the cut is detached and dropped, which gives its space back at once; the older rows of the
day the cut falls in and of the default partition are deleted in batches; then the days ahead
get their partitions. On a plain table the rows are deleted in batches (the space is reused,
not given back). Run it daily, from cron or a timer, with --yes.

On a terminal it shows what it would remove and removes nothing unless --yes is given.`,
  options,
  `Exit status: 0 done, 2 usage error, refused on a terminal without --yes, or the database
refused (what was removed before stays removed). The password in the URL is never printed.`,
);

/** A partition bound: the day alone at midnight UTC, the full time otherwise. */
function formatBound(date: Date | null, open: string): string {
  if (date === null) return open;
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

function formatStep(step: PruneStep, dryRun: boolean): string {
  const verb = dryRun ? (step.kind === 'dropped' ? 'would drop' : 'would delete') : step.kind;
  if (step.kind === 'dropped')
    return `${verb} partition ${escapeTerminalText(step.partition)} (${formatBound(step.from, 'MINVALUE')} to ${formatBound(step.to, 'MAXVALUE')}): ${step.rows} rows`;
  return `${verb} ${step.rows} rows from ${escapeTerminalText(step.relation)}`;
}

function stepJson(step: PruneStep, dryRun: boolean): Record<string, unknown> {
  return step.kind === 'dropped'
    ? {
        step: 'drop_partition',
        dry_run: dryRun,
        partition: step.partition,
        from: step.from?.toISOString() ?? null,
        to: step.to?.toISOString() ?? null,
        rows: step.rows,
      }
    : { step: 'delete_rows', dry_run: dryRun, relation: step.relation, rows: step.rows };
}

function summary(table: string, result: PruneSubstrateResult, elapsedMs: number): string {
  const dropped = result.steps.filter((step) => step.kind === 'dropped').length;
  const partitions =
    result.layout === 'partitioned' ? `, ${dropped} partition${dropped === 1 ? '' : 's'} ${result.dryRun ? 'to drop' : 'dropped'}` : '';
  const verb = result.dryRun ? 'would remove' : 'removed';
  return `${verb} ${result.removedRows} rows emitted before ${result.before.toISOString()} from ${table}${partitions} in ${formatDuration(elapsedMs)}`;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  if (values['older-than'] === undefined) throw new UsageError('--older-than is required (for example 30d)');
  const olderThanMs = parseDurationOption('--older-than', values['older-than']);
  if (olderThanMs === undefined || olderThanMs < SHORTEST_MS)
    throw new UsageError(`--older-than: '${values['older-than']}' must be a duration of at least 1h (for example 30d)`);
  const batchSize = parseCountOption('--batch-size', values['batch-size'], { min: 100, max: 100_000 });
  const daysAhead = parseCountOption('--days-ahead', values['days-ahead'], { min: 0, max: 366 });
  const target = await readDatabaseTarget(values, io);
  const now = io.now?.() ?? Date.now();
  const before = new Date(now - olderThanMs);
  // A person at a terminal sees what would go, and must say --yes; a scheduled job is not asked.
  const refused = io.interactive === true && values.yes !== true && values['dry-run'] !== true;
  const dryRun = values['dry-run'] === true || refused;
  const json = values.json === true;

  const started = Date.now();
  const result = await withDatabase(
    target,
    // Dropping a day or deleting a batch can outlast the 10 s a panel query gets.
    { applicationName: 'kora-audit db prune', action: 'prune', timeouts: { statementTimeoutMs: 600_000, queryTimeoutMs: 660_000 } },
    async (client) => {
      const { pruneSubstrate } = await import('@kora/audit-substrate-pg');
      return pruneSubstrate(client, {
        table: target.table,
        before,
        dryRun,
        batchSize,
        daysAhead,
        now: () => new Date(now),
        // Each step as it completes: a long prune shows its progress, and an error part way
        // leaves on the screen what was already removed.
        onStep: (step) =>
          void writeText(io.stdout, `${json ? escapeTerminalText(JSON.stringify(stepJson(step, dryRun))) : formatStep(step, dryRun)}\n`),
      });
    },
  );
  const elapsedMs = Date.now() - started;
  if (json) {
    await writeText(
      io.stdout,
      `${escapeTerminalText(
        JSON.stringify({
          table: target.table,
          layout: result.layout,
          before: result.before.toISOString(),
          dry_run: result.dryRun,
          removed_rows: result.removedRows,
          dropped_partitions: result.steps.filter((step) => step.kind === 'dropped').length,
          created_partitions: result.createdPartitions,
          elapsed_ms: elapsedMs,
        }),
      )}\n`,
    );
  } else {
    await writeText(io.stdout, `${summary(target.table, result, elapsedMs)}\n`);
    if (result.createdPartitions.length > 0)
      await writeText(io.stdout, `created partitions ${result.createdPartitions.map(escapeTerminalText).join(', ')}\n`);
  }
  if (refused) {
    await writeText(
      io.stderr,
      'kora-audit db prune: nothing removed: on a terminal, run it again with --yes to remove these rows (or --dry-run to only count them)\n',
    );
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

/** `kora-audit db prune`: remove the event log's rows older than a duration, by whole days where it can. */
export const dbPruneCommand: Command = {
  name: 'db prune',
  usage,
  options,
  run,
};
