import { parseArgs } from 'node:util';
import type { HostLag } from '@kora/audit-substrate-pg';
import { writeText } from '../cli-io.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_HOST_BEHIND, EXIT_OK } from '../exit-codes.js';
import { formatDuration } from '../format-duration.js';
import { parseCommandLine, parseDurationOption } from '../parse-arguments.js';
import { UsageError } from '../usage-error.js';
import { DATABASE_OPTIONS, readDatabaseTarget, withDatabase } from './open-database.js';

const options = {
  ...DATABASE_OPTIONS,
  json: { type: 'boolean', description: 'one JSON line per host instead of a table' },
  behind: {
    type: 'string',
    value: 'D',
    description: "exit 1 when any host's newest row is older than D (90s, 15m, 2h, 1d),\nand mark each host behind or ok",
  },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit db lag --database-url URL [--table T] [--json] [--behind D]

For every origin host in the PostgreSQL event log: its newest row (emitted_at), when that row
arrived (ingested_at), and how far behind now the newest row is. A host whose shipper or
writer stopped shows a growing lag. Read from the host index, in milliseconds at any size.`,
  options,
  `Exit status: 0 (no host behind --behind, or no --behind), 1 a host is behind --behind,
2 usage error or the table could not be read. The password in the URL is never printed.`,
);

/** One host as a JSON line: stable snake_case keys, times as ISO-8601. */
function formatJsonLine(host: HostLag, behindMs: number | undefined): string {
  return JSON.stringify({
    origin_host: host.originHost,
    newest_emitted_at: host.newestEmittedAt.toISOString(),
    newest_ingested_at: host.newestIngestedAt.toISOString(),
    behind_ms: host.behindMs,
    ...(behindMs === undefined ? {} : { behind: host.behindMs > behindMs }),
  });
}

/** The hosts as aligned columns, a header first. Host names are escaped before they are measured. */
function formatTable(hosts: readonly HostLag[], behindMs: number | undefined): string {
  const header = ['ORIGIN HOST', 'NEWEST ROW', 'BEHIND', 'ARRIVED', ...(behindMs === undefined ? [] : ['STATUS'])];
  const rows = hosts.map((host) => [
    escapeTerminalText(host.originHost),
    host.newestEmittedAt.toISOString(),
    formatDuration(host.behindMs),
    host.newestIngestedAt.toISOString(),
    ...(behindMs === undefined ? [] : [host.behindMs > behindMs ? 'behind' : 'ok']),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  return (
    [header, ...rows]
      .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '))
      .join('\n') + '\n'
  );
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  const behindMs = values.behind === undefined ? undefined : parseDurationOption('--behind', values.behind);
  if (values.behind !== undefined && behindMs === undefined)
    throw new UsageError(`--behind: '${values.behind}' is not a duration (use 90s, 15m, 2h, 1d)`);
  const target = await readDatabaseTarget(values, io);
  // One short statement: a pool of one, closed when done.
  const hosts = await withDatabase(target, { applicationName: 'kora-audit db lag', action: 'read' }, async (client) => {
    const { readHostLag } = await import('@kora/audit-substrate-pg');
    return readHostLag(client, { table: target.table, now: () => new Date(io.now?.() ?? Date.now()) });
  });

  if (values.json === true) {
    await writeText(io.stdout, hosts.map((host) => `${escapeTerminalText(formatJsonLine(host, behindMs))}\n`).join(''));
  } else if (hosts.length === 0) {
    await writeText(io.stderr, `no rows in ${target.table}\n`);
  } else {
    await writeText(io.stdout, formatTable(hosts, behindMs));
  }
  return behindMs !== undefined && hosts.some((host) => host.behindMs > behindMs) ? EXIT_HOST_BEHIND : EXIT_OK;
}

/** `kora-audit db lag`: each origin host's newest row in the event log and how far behind it is. */
export const dbLagCommand: Command = {
  name: 'db lag',
  usage,
  options,
  run,
};
