import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createShipper } from '@kora/audit-substrate-pg';
import { writeText } from '../cli-io.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_TEMPFAIL } from '../exit-codes.js';
import { parseCommandLine, parseCountOption, parseDurationOption, resolveLogPathOption } from '../parse-arguments.js';
import { UsageError } from '../usage-error.js';

const options = {
  'database-url': { type: 'string', value: 'URL', description: 'postgres://user:password@host:5432/db (default: KORA_DATABASE_URL)' },
  path: { type: 'string', value: 'P', description: 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)' },
  checkpoint: { type: 'string', value: 'FILE', description: 'where the position is kept (default: P.ship-checkpoint.json)' },
  follow: { type: 'boolean', short: 'f', description: 'keep shipping new rows until stopped' },
  'batch-rows': { type: 'string', value: 'N', description: 'rows per insert, 1-50000 (default 2000)' },
  table: { type: 'string', value: 'T', description: 'the table, name or schema.name (default kora_audit_events)' },
  'origin-host': { type: 'string', value: 'H', description: "stored in origin_host (default: this host's name)" },
  'give-up-after': {
    type: 'string',
    value: 'D',
    description:
      'stop after the database has been unreachable this long: 90s, 15m, 2h,\nor never (default: 5m without --follow, never with it)',
  },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit ship --database-url URL [--path P] [--checkpoint FILE] [--follow]
                        [--batch-rows N] [--table T] [--origin-host H] [--give-up-after D]

Ship the audit file's rows into the PostgreSQL event log: the rotated files P.N … P.1 first,
oldest first, then P. Resumes from a checkpoint (file identity and byte offset, written only
after the rows before it are committed), and inserts are idempotent on the row id, so a
restart, a crash or a second run never duplicates a row. The table is created if missing.
While the database is down, rows wait in the file and the shipper retries with backoff; after
--give-up-after of it (a run without --follow: 5m by default) it stops and exits 75, and the
next run carries on from the checkpoint.

Without --follow it ships what is there and exits; with --follow it keeps shipping new rows,
across rename rotation and copytruncate, until SIGTERM or SIGINT (the batch in flight is
committed and checkpointed first; exit 0). A summary JSON line goes to stdout, progress and
warnings to stderr (the password in the URL is never printed).`,
  options,
);

// How long a run without --follow waits for an unreachable database before it gives up.
const DEFAULT_GIVE_UP_AFTER = '5m';

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  const databaseUrl = values['database-url'] ?? io.env.KORA_DATABASE_URL;
  if (databaseUrl === undefined || databaseUrl.trim() === '') {
    throw new UsageError('--database-url is required (or set KORA_DATABASE_URL)');
  }
  const path = resolveLogPathOption(values.path, io);
  if (values.checkpoint !== undefined && values.checkpoint.trim() === '') throw new UsageError('--checkpoint: must not be empty');
  if (values['origin-host'] !== undefined && values['origin-host'].trim() === '') throw new UsageError('--origin-host: must not be empty');
  const batchRows = parseCountOption('--batch-rows', values['batch-rows'], { min: 1, max: 50_000 });
  const follow = values.follow === true;
  // A one-off run (cron, a deploy step) must end; a follower waits for the database as long as it takes.
  const giveUpAfterMs = parseDurationOption('--give-up-after', values['give-up-after'] ?? (follow ? 'never' : DEFAULT_GIVE_UP_AFTER));

  let shipper;
  try {
    shipper = createShipper({
      path,
      databaseUrl,
      checkpointPath: values.checkpoint === undefined ? undefined : resolve(io.cwd, values.checkpoint),
      table: values.table,
      originHost: values['origin-host'],
      batchRows,
      follow,
      giveUpAfterMs,
      signal: io.signal,
      // A database's error message may quote what it was sent: nothing reaches the terminal raw.
      logger: {
        info: (message) => void io.stderr.write(`${escapeTerminalText(message)}\n`),
        warn: (message) => void io.stderr.write(`${escapeTerminalText(message)}\n`),
      },
    });
  } catch (error) {
    // Bad options (a table name that is not an identifier) are usage errors.
    throw new UsageError(error instanceof Error ? error.message.replace(/^createShipper: /, '') : String(error));
  }
  let stats;
  try {
    stats = await shipper.run();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  await writeText(
    io.stdout,
    `${escapeTerminalText(
      JSON.stringify({
        rows_shipped: stats.rowsShipped,
        rows_inserted: stats.rowsInserted,
        lines_skipped: stats.linesSkipped,
        database_failures: stats.databaseFailures,
        gave_up: stats.gaveUp,
        file: stats.file,
        offset: stats.offset,
      }),
    )}\n`,
  );
  if (stats.gaveUp) return EXIT_TEMPFAIL;
  // Following ends only when asked to: that is success. A one-off run stopped early is not.
  return !follow && io.signal?.aborted === true ? EXIT_INTERRUPTED : EXIT_OK;
}

/** `kora-audit ship`: the audit file's rows into the PostgreSQL event log. */
export const shipCommand: Command = {
  name: 'ship',
  usage,
  options,
  run,
};
