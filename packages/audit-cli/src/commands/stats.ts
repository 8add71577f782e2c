import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SEAM_NAMES, classifyAuditLine, escapeJsonControls, readErrorCode } from '@kora/audit-sink/reader';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { parseCommandLine, resolveLogPathOption } from '../parse-arguments.js';
import { readLinesForward } from '../read-lines-forward.js';
import { UsageError } from '../usage-error.js';
import { createWriterTally } from './tally-writers.js';
import type { WriterTally } from './tally-writers.js';

const options = {
  path: { type: 'string', value: 'P', description: 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit stats [--path P]

Read the audit file once, front to back, and print one JSON document: its size, line count,
rows per seam, skipped lines (blank, malformed, torn last line, schema-invalid), the
earliest and latest emitted_at of its rows, and its writers: how many wrote it, how many
closed, the rows they lost by reason (from their audit.lost rows), and the version 1 rows,
which name no writer. Rotated siblings are not included: pass --path P.1 for those.`,
  options,
);

/** What `stats` prints. */
export interface AuditFileStats {
  readonly path: string;
  /** Size when reading started. */
  readonly size_bytes: number;
  readonly lines: number;
  /** Valid rows. */
  readonly rows: number;
  readonly rows_by_seam: Record<string, number>;
  readonly skipped: { blank: number; malformed: number; torn: number; invalid: number };
  /** Earliest and latest `emitted_at` among the rows (null when there are none). */
  readonly first_emitted_at: string | null;
  readonly last_emitted_at: string | null;
  /** The sinks that wrote the rows (envelope version 2), their closings and their losses. */
  readonly writers: WriterTally;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() => parseArgs({ args: [...args], options: parseArgsOptions(options), strict: true }));
  const path = resolveLogPathOption(values.path, io);
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: stats.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
    size = stats.size;
  } catch (error) {
    throw new UsageError(`${path}: ${describe(error)}`);
  }

  const rowsBySeam: Record<string, number> = Object.fromEntries(SEAM_NAMES.map((name) => [name, 0]));
  const skipped = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let lines = 0;
  let rows = 0;
  let first: string | null = null;
  let last: string | null = null;
  const writers = createWriterTally();
  try {
    for await (const event of readLinesForward(path, { signal: io.signal })) {
      if (event.kind === 'piece') continue;
      lines += 1;
      let line = classifyAuditLine(event.text, { terminated: event.terminated });
      if (line instanceof Promise) line = await line;
      if (line.kind !== 'row') {
        skipped[line.kind] += 1;
        continue;
      }
      rows += 1;
      rowsBySeam[line.entry.seam] = (rowsBySeam[line.entry.seam] ?? 0) + 1;
      writers.add(line.entry);
      // Fixed-width ISO-8601 UTC: string order is time order.
      const at = line.entry.emitted_at;
      if (first === null || at < first) first = at;
      if (last === null || at > last) last = at;
    }
  } catch (error) {
    throw new UsageError(`${path}: ${describe(error)}`);
  }
  if (io.signal?.aborted === true) return EXIT_INTERRUPTED;

  const result: AuditFileStats = {
    path,
    size_bytes: size,
    lines,
    rows,
    rows_by_seam: rowsBySeam,
    skipped,
    first_emitted_at: first,
    last_emitted_at: last,
    writers: writers.result(),
  };
  // The path is the operator's, but may hold any character: none is printed raw.
  await writeText(io.stdout, `${escapeJsonControls(JSON.stringify(result, null, 2))}\n`);
  return EXIT_OK;
}

function describe(error: unknown): string {
  const code = readErrorCode(error);
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? String(error);
}

/** `kora-audit stats`: counts and time span of one audit file. */
export const statsCommand: Command = {
  name: 'stats',
  usage,
  options,
  run,
};
