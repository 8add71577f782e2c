import { parseArgs } from 'node:util';
import { classifyAuditLine, escapeJsonControls, readAuditEntries } from '@kora/audit-sink/reader';
import type { AuditEnvelope, FileIdentity } from '@kora/audit-sink/reader';
import { LineWriter, writeText } from '../cli-io.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { createRowTable } from '../format-row-table.js';
import { requireAuditFile } from '../require-audit-file.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_OK } from '../exit-codes.js';
import { asUsageError } from '../usage-error.js';
import { fileIdentity, followFile } from '../follow-file.js';
import { parseCommandLine, parseCountOption, parseSeamNames, resolveLogPathOption } from '../parse-arguments.js';

const options = {
  follow: { type: 'boolean', short: 'f', description: 'keep following the file' },
  seam: { type: 'string', multiple: true, value: 'S', description: 'only rows of seam S (repeatable)' },
  path: { type: 'string', value: 'P', description: 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)' },
  lines: { type: 'string', short: 'n', value: 'N', description: 'rows to print first, 0-10000 (default 10)' },
  json: { type: 'boolean', description: 'JSON lines even on a terminal (the default elsewhere)' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit tail [-f] [--seam S]... [--path P] [-n N] [--json]

Print the last N rows (default 10), oldest first, as JSON lines. With -f, keep printing
rows as they are appended, across rename rotation and copytruncate, until SIGINT/SIGTERM.
Only complete, valid rows are printed.

On a terminal the rows are a table instead (time, seam, the seam's key fields, result);
--json keeps JSON lines. A missing file is an error (exit 2), except with -f, which waits
for it to appear.`,
  options,
);

// How often `-f` checks the file for new rows and rotation.
const TAIL_POLL_MS = 250;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  const seams = parseSeamNames(values.seam);
  const count = parseCountOption('--lines', values.lines, { min: 0, max: 10_000 }) ?? 10;
  const path = resolveLogPathOption(values.path, io);
  // With -f a file not there yet is waited for (a writer about to start).
  if (values.follow !== true) await requireAuditFile(path);
  const out = new LineWriter(io.stdout);
  // For a person at a terminal, a table; for scripts, JSON lines as they always were.
  const table = io.isTTY === true && values.json !== true ? createRowTable({ color: io.color === true }) : undefined;
  let printed = 0;
  const print = async (entry: AuditEnvelope): Promise<void> => {
    if (table !== undefined && printed === 0) await out.line(table.header());
    printed += 1;
    await out.line(table === undefined ? printable(entry) : table.row(entry));
  };

  // Following starts where the read of the last rows ended in the live file (before a torn
  // last line), so that every row comes out once and in file order, however fast writers append.
  let start: { offset: number; identity: FileIdentity } | undefined;
  if (count > 0) {
    const { entries, liveEnd } = await readAuditEntries({ path, seams, limit: count, withLiveEnd: true }).catch(asUsageError);
    for (const entry of entries.reverse()) await print(entry);
    start = liveEnd ?? undefined;
  } else if (values.follow === true) {
    const now = await fileIdentity(path);
    start = now === null ? undefined : { offset: now.size, identity: now.identity };
  }
  await out.flush();
  if (table !== undefined && printed === 0 && count > 0) {
    await writeText(io.stderr, `kora-audit tail: no rows in ${escapeTerminalText(path)}${values.follow === true ? ' yet' : ''}\n`);
  }
  if (values.follow !== true) return EXIT_OK;

  const wanted: ReadonlySet<string> | undefined = seams === undefined ? undefined : new Set(seams);
  await followFile(path, {
    start,
    pollMs: TAIL_POLL_MS,
    signal: io.signal,
    onLine: async (line) => {
      const parsed = await classifyAuditLine(line);
      if (parsed.kind !== 'row' || !matches(parsed.entry, wanted)) return;
      await print(parsed.entry);
      await out.flush();
    },
  });
  await out.flush();
  return EXIT_OK;
}

/** A row as one JSON line with no raw control or bidi character, whatever a hand put in the file. */
function printable(entry: AuditEnvelope): string {
  return escapeJsonControls(JSON.stringify(entry));
}

function matches(entry: AuditEnvelope, seams: ReadonlySet<string> | undefined): boolean {
  return seams === undefined || seams.has(entry.seam);
}

/** `kora-audit tail`: the last rows, and with `-f` every new one. */
export const tailCommand: Command = {
  name: 'tail',
  usage,
  options,
  run,
};
