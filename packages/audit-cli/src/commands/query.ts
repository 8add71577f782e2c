import { parseArgs } from 'node:util';
import { readAuditEntries } from '@kora/audit-sink';
import { LineWriter, writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { asUsageError } from '../usage-error.js';
import { parseCommandLine, parseCountOption, parseSeamNames, parseTimeOption, resolveLogPathOption } from '../parse-arguments.js';

const usage = `Usage: kora-audit query [--seam S]... [--since T] [--until T] [--limit N] [--path P] [--cursor C]

Print matching rows as JSON lines, newest first, reading the file backwards (and the rotated
siblings P.1, P.2, ... after it). On stderr, one JSON line: the cursor for the next, older page
(null when there is none) and the counts of skipped lines.

Options:
  --seam S      only rows of seam S (repeatable)
  --since T     rows emitted at or after T
  --until T     rows emitted before T
  --limit N     rows per page, 1-10000 (default 100)
  --path P      the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)
  --cursor C    continue after the page that printed cursor C

T is ISO-8601 (2026-11-26T17:15:00Z; without a zone, local time), epoch milliseconds, or a
duration before now (90s, 15m, 2h, 7d).
`;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: {
        seam: { type: 'string', multiple: true },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        path: { type: 'string' },
        cursor: { type: 'string' },
      },
      strict: true,
    }),
  );
  const now = io.now ?? Date.now;
  const result = await readAuditEntries({
    path: resolveLogPathOption(values.path, io),
    seams: parseSeamNames(values.seam),
    since: parseTimeOption('--since', values.since, now),
    until: parseTimeOption('--until', values.until, now),
    limit: parseCountOption('--limit', values.limit, { min: 1, max: 10_000 }),
    cursor: values.cursor,
  }).catch(asUsageError);
  const out = new LineWriter(io.stdout);
  for (const entry of result.entries) await out.line(JSON.stringify(entry));
  await out.flush();
  await writeText(io.stderr, `${JSON.stringify({ cursor: result.cursor, skipped: result.skipped })}\n`);
  return EXIT_OK;
}

/** `kora-audit query`: filtered rows, newest first, one page at a time. */
export const queryCommand: Command = {
  name: 'query',
  summary: 'print rows newest first as JSON lines (filters, paging cursor)',
  usage,
  run,
};
