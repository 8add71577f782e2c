import { parseArgs } from 'node:util';
import { escapeJsonControls, readAuditEntries, streamAuditJsonl } from '@kora/audit-sink/reader';
import type { AuditEnvelope, ReadSkipCounts } from '@kora/audit-sink/reader';
import { LineWriter, writeText } from '../cli-io.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { createRowTable } from '../format-row-table.js';
import { requireAuditFile } from '../require-audit-file.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { UsageError, asUsageError } from '../usage-error.js';
import { parseCommandLine, parseCountOption, parseSeamNames, parseTimeOption, resolveLogPathOption } from '../parse-arguments.js';

const PATH_DESCRIPTION = 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)';

const options = {
  seam: { type: 'string', multiple: true, value: 'S', description: 'only rows of seam S (repeatable)' },
  since: { type: 'string', value: 'T', description: 'rows emitted at or after T' },
  until: { type: 'string', value: 'T', description: 'rows emitted before T' },
  limit: { type: 'string', value: 'N', description: 'rows per page, 1-10000 (default 100)' },
  all: { type: 'boolean', description: 'every matching row, not one page (not with --limit)' },
  path: { type: 'string', value: 'P', description: PATH_DESCRIPTION },
  cursor: { type: 'string', value: 'C', description: 'continue after the page that printed cursor C' },
  json: { type: 'boolean', description: 'JSON lines even on a terminal (the default elsewhere)' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit query [--seam S]... [--since T] [--until T] [--limit N | --all] [--path P] [--cursor C] [--json]

Print matching rows as JSON lines, newest first, reading the file backwards (and the rotated
siblings P.1, P.2, ... after it). On stderr, one JSON line: the cursor for the next, older page
(null when there is none) and the counts of skipped lines. With --all, every matching row is
printed in one run, streamed in bounded memory; its cursor is null unless the run was
interrupted, when it continues where printing stopped.

On a terminal the rows are a table instead (time, seam, the seam's key fields, result), and
a read that finds no row says so on stderr; --json keeps JSON lines. A missing file is an
error (exit 2).`,
  options,
  `T is ISO-8601 (2026-11-26T17:15:00Z; without a zone, local time), epoch milliseconds, or a
duration before now (90s, 15m, 2h, 7d).`,
);

const SKIP_KINDS = ['blank', 'malformed', 'torn', 'invalid'] as const;

/**
 * The row's text as read, when it prints as one clean line; it parsed to the entry. JSON
 * refuses raw C0 controls inside strings, so the only ones a parsed row can hold are
 * whitespace between tokens: a CR or a tab stays in the file, and the row is re-serialized.
 * Either way a DEL, C1, separator or bidi control a hand left raw in a string is escaped, so
 * that no row drives the terminal it is printed on.
 */
function printable(text: string | undefined, entry: unknown): string {
  return escapeJsonControls(text === undefined || text.includes('\r') || text.includes('\t') ? JSON.stringify(entry) : text);
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  if (values.all === true && values.limit !== undefined) throw new UsageError('--all and --limit cannot be used together');
  const now = io.now ?? Date.now;
  const path = resolveLogPathOption(values.path, io);
  const seams = parseSeamNames(values.seam);
  const since = parseTimeOption('--since', values.since, now);
  const until = parseTimeOption('--until', values.until, now);
  await requireAuditFile(path);
  const out = new LineWriter(io.stdout);
  // For a person at a terminal, a table; for scripts, JSON lines as they always were.
  const table = io.isTTY === true && values.json !== true ? createRowTable({ color: io.color === true }) : undefined;
  let printed = 0;
  const addRow = (entry: AuditEnvelope): boolean => {
    if (table === undefined) return false;
    if (printed === 0) out.add(table.header());
    printed += 1;
    return out.add(table.row(entry));
  };
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let cursor = values.cursor ?? null;
  let interrupted = false;
  const count = (page: { skipped: ReadSkipCounts; cursor: string | null }): void => {
    for (const kind of SKIP_KINDS) skipped[kind] += page.skipped[kind];
    cursor = page.cursor;
  };
  if (values.all === true) {
    // One read through the whole file, printed batch by batch as it goes.
    // Rows come as JSON lines ready to print: most are copied as read, never decoded.
    const batches = streamAuditJsonl({ path, seams, since, until, cursor });
    try {
      for (;;) {
        const next = await batches.next().catch(asUsageError);
        if (next.done === true) break;
        if (table === undefined) await out.bytes(next.value.jsonl);
        else {
          for (const line of next.value.jsonl.toString('utf8').split('\n')) {
            if (line !== '' && addRow(JSON.parse(line) as AuditEnvelope)) await out.flush();
          }
        }
        count(next.value);
        if (io.signal?.aborted === true) {
          interrupted = true;
          break;
        }
      }
    } finally {
      await batches.return();
    }
  } else {
    const limit = parseCountOption('--limit', values.limit, { min: 1, max: 10_000 });
    const page = await readAuditEntries({ path, seams, since, until, limit, cursor, withLines: true }).catch(asUsageError);
    for (const [index, entry] of page.entries.entries()) {
      if (table === undefined ? out.add(printable(page.lines?.[index], entry)) : addRow(entry)) await out.flush();
    }
    count(page);
  }
  await out.flush();
  if (table !== undefined && printed === 0) await writeText(io.stderr, `kora-audit query: no rows in ${escapeTerminalText(path)}\n`);
  await writeText(io.stderr, `${JSON.stringify({ cursor, skipped })}\n`);
  return interrupted && cursor !== null ? EXIT_INTERRUPTED : EXIT_OK;
}

/** `kora-audit query`: filtered rows, newest first, one page at a time or all of them. */
export const queryCommand: Command = {
  name: 'query',
  usage,
  options,
  run,
};
