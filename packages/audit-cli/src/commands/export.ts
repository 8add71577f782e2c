import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, createExporter, createFileTarget, createStreamTarget, encodeJsonLines } from '@kora/audit-export';
import type { ExportFormat, ExportTarget } from '@kora/audit-export';
import type { AuditLogger } from '@kora/audit-sink';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_TEMPFAIL } from '../exit-codes.js';
import { parseCommandLine, parseCountOption, parseDurationOption, resolveLogPathOption } from '../parse-arguments.js';
import { readPackageVersion } from '../read-package-version.js';
import { requireAuditFile } from '../require-audit-file.js';
import { SEAMS } from '../seams.js';
import { UsageError } from '../usage-error.js';

const options = {
  format: { type: 'string', value: 'F', description: 'otel, ocsf or ecs (required)' },
  path: { type: 'string', value: 'P', description: 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)' },
  out: { type: 'string', short: 'o', value: 'FILE', description: 'append the records to FILE, or - for standard output (the default)' },
  'otlp-endpoint': {
    type: 'string',
    value: 'URL',
    description: 'send the records over OTLP/HTTP instead, e.g. http://collector:4318/v1/logs\n(--format otel only)',
  },
  'otlp-header': {
    type: 'string',
    multiple: true,
    value: 'K=V',
    description:
      'a header for the receiver, e.g. authorization=Bearer… (repeatable; also\nOTEL_EXPORTER_OTLP_HEADERS); values are never printed',
  },
  'otlp-compression': { type: 'string', value: 'C', description: 'gzip or none (default gzip)' },
  checkpoint: {
    type: 'string',
    value: 'FILE',
    description:
      'where the position is kept (default: FILE.checkpoint.json for --out FILE,\nP.export-otlp-checkpoint.json for OTLP; none for standard output)',
  },
  follow: { type: 'boolean', short: 'f', description: 'keep exporting new rows until stopped' },
  'keep-original': {
    type: 'boolean',
    description: 'also carry the row as written (OCSF raw_data, ECS event.original), about\ntwice the bytes',
  },
  'batch-rows': {
    type: 'string',
    value: 'N',
    description: 'rows per batch, 1-50000 (default 500 to a file or standard output, 2000 over OTLP)',
  },
  'service-name': {
    type: 'string',
    value: 'N',
    description: 'the service whose audit trail this is (default: OTEL_SERVICE_NAME, else kora-agent)',
  },
  'give-up-after': {
    type: 'string',
    value: 'D',
    description:
      'stop after the target has refused every batch this long: 90s, 15m, 2h,\nor never (default: 5m without --follow, never with it)',
  },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit export --format otel|ocsf|ecs [--path P] [--out FILE|-] [--follow]
                          [--otlp-endpoint URL [--otlp-header K=V]... [--otlp-compression C]]
                          [--checkpoint FILE] [--batch-rows N] [--service-name N] [--give-up-after D]
                          [--keep-original]

Export the audit file's rows (the rotated files P.N … P.1 first, oldest first, then P) to the
schemas security tools read, one record per row with the row's id, its verbatim line and, once
the log is sealed, its seal leaf hash (with --keep-original, the row as written too):
  otel  OpenTelemetry log records: OTLP/JSON lines (one request per batch, as the Collector's
        file exporter writes them), or OTLP/HTTP with --otlp-endpoint
  ocsf  OCSF 1.3.0 events, one JSON document per line
  ecs   ECS 9.0 documents, one JSON document per line
Each row's details are checked against its seam's allow-list before they leave; how each seam's
fields are exported is set by the seam package and locked by the allow-list gate.

Resumable like ship: the checkpoint names the position only after the target acknowledged the
rows before it (an output file written and synced, the receiver's success). A file output is
exact: a run that resumes first cuts the file back to what the checkpoint covers. OTLP and
standard output repeat at most what followed the last checkpoint after a crash. When the target
is down, batches are retried with backoff and the rows wait in the file; after --give-up-after
the export stops and exits 75. With --follow it keeps exporting new rows, across rotation, until
SIGTERM or SIGINT (exit 0). A summary JSON line goes to standard error when the records go to
standard output, else to standard output.`,
  options,
);

// The encoding worker beside this module: `.js` built or bundled, `.ts` from the sources.
const EXPORT_WORKER = new URL(`./export-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
const DEFAULT_GIVE_UP_AFTER = '5m';
// To a file or standard output, each batch is split between the encoding workers: 2000 rows
// keep them busy between two writes. An OTLP/JSON line holds a whole batch, which the SDK builds
// as one request object: 1000 keeps that young. Over OTLP a batch is a request, and fewer,
// larger requests cost the receiver less.
const DEFAULT_BATCH_ROWS_TO_FILE: Readonly<Record<ExportFormat, number>> = { otel: 1000, ocsf: 2000, ecs: 2000 };
const DEFAULT_BATCH_ROWS_OTLP = 2000;
const DEFAULT_SERVICE_NAME = 'kora-agent';
// The OpenTelemetry exporter's default budget for one send, its retries included.
const OTLP_SEND_TIMEOUT_MS = 10_000;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() => parseArgs({ args: [...args], options: parseArgsOptions(options), strict: true }));
  const format = parseFormat(values.format);
  const path = resolveLogPathOption(values.path, io);
  const endpoint = values['otlp-endpoint'];
  if (endpoint !== undefined && values.out !== undefined) throw new UsageError('give either --out or --otlp-endpoint, not both');
  if (endpoint !== undefined && format !== 'otel') throw new UsageError('--otlp-endpoint: OTLP carries --format otel only');
  if (endpoint === undefined && (values['otlp-header'] !== undefined || values['otlp-compression'] !== undefined)) {
    throw new UsageError('--otlp-header and --otlp-compression need --otlp-endpoint');
  }
  if (values.checkpoint !== undefined && values.checkpoint.trim() === '') throw new UsageError('--checkpoint: must not be empty');
  const out = values.out ?? '-';
  if (out.trim() === '') throw new UsageError('--out: must not be empty (use - for standard output)');
  const toStdout = endpoint === undefined && out === '-';
  const follow = values.follow === true;
  const batchRows =
    parseCountOption('--batch-rows', values['batch-rows'], { min: 1, max: 50_000 }) ??
    (endpoint === undefined ? DEFAULT_BATCH_ROWS_TO_FILE[format] : DEFAULT_BATCH_ROWS_OTLP);
  const giveUpAfterMs = parseDurationOption('--give-up-after', values['give-up-after'] ?? (follow ? 'never' : DEFAULT_GIVE_UP_AFTER));
  const serviceName =
    nonEmpty(values['service-name'], '--service-name') ?? nonEmpty(io.env.OTEL_SERVICE_NAME, 'OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  const hostName = hostname();
  const productVersion = readPackageVersion();

  const logger: AuditLogger = {
    info: (message) => void io.stderr.write(`${escapeTerminalText(message)}\n`),
    warn: (message) => void io.stderr.write(`${escapeTerminalText(message)}\n`),
  };
  // The OpenTelemetry SDK is loaded for its format only: an OCSF or ECS export starts faster without it.
  const otel = format === 'otel' ? await import('@kora/audit-export/otel') : undefined;
  const otelEncoder = otel?.createExportOtelEncoder({ serviceName, hostName, productVersion });
  const encode = otel === undefined || otelEncoder === undefined ? encodeJsonLines : otel.createOtlpJsonLineEncoder(otelEncoder);
  let target: ExportTarget;
  let checkpointPath: string | null;
  if (endpoint !== undefined) {
    checkEnvironmentHeaders(io.env);
    if (otel === undefined || otelEncoder === undefined) throw new UsageError('--otlp-endpoint: OTLP carries --format otel only');
    target = otel.createOtlpTarget({
      url: parseEndpoint(endpoint),
      headers: parseHeaders(values['otlp-header'] ?? []),
      compression: parseCompression(values['otlp-compression']),
      // One send (with the OpenTelemetry exporter's own retries) never outlasts --give-up-after.
      ...(giveUpAfterMs === undefined ? {} : { timeoutMillis: Math.min(OTLP_SEND_TIMEOUT_MS, giveUpAfterMs) }),
      encoder: otelEncoder,
    });
    checkpointPath = resolve(io.cwd, values.checkpoint ?? `${path}.export-otlp-checkpoint.json`);
  } else if (toStdout) {
    target = createStreamTarget({ stream: io.stdout, label: 'stdout', format, encode });
    checkpointPath = values.checkpoint === undefined ? null : resolve(io.cwd, values.checkpoint);
  } else {
    const outPath = resolve(io.cwd, out);
    // A mistyped directory is said, not made (the checkpoint's lock would make it).
    if (!existsSync(dirname(outPath))) throw new UsageError(`--out: the directory ${dirname(outPath)} does not exist`);
    target = createFileTarget({ path: outPath, format, encode, logger });
    checkpointPath = resolve(io.cwd, values.checkpoint ?? `${outPath}.checkpoint.json`);
  }

  // A one-off export of a file that is not there is a mistyped path; a follower waits for it.
  if (!follow) await requireAuditFile(path);
  const exporter = createExporter({
    path,
    format,
    target,
    checkpointPath,
    seams: SEAMS,
    context: { productVersion, hostName, serviceName, now: io.now, keepOriginal: values['keep-original'] === true },
    follow,
    batchRows,
    giveUpAfterMs,
    // The rows are classified, checked, mapped and encoded in worker threads, one per core (at most four).
    encodeInWorker: { workerModule: EXPORT_WORKER },
    signal: io.signal,
    logger,
  });
  let stats;
  try {
    stats = await exporter.run();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const summary = `${escapeTerminalText(
    JSON.stringify({
      rows_exported: stats.rowsExported,
      lines_skipped: {
        blank: stats.linesSkipped.blank,
        malformed: stats.linesSkipped.malformed,
        invalid: stats.linesSkipped.invalid,
        invalid_details: stats.linesSkipped.invalidDetails,
        unknown_seam: stats.linesSkipped.unknownSeam,
      },
      delivery_failures: stats.deliveryFailures,
      gave_up: stats.gaveUp,
      file: stats.file,
      offset: stats.offset,
    }),
  )}\n`;
  await writeText(toStdout ? io.stderr : io.stdout, summary);
  if (stats.gaveUp) return EXIT_TEMPFAIL;
  return !follow && io.signal?.aborted === true ? EXIT_INTERRUPTED : EXIT_OK;
}

function parseFormat(value: string | undefined): ExportFormat {
  if (value === undefined) throw new UsageError(`--format is required: ${EXPORT_FORMATS.join(', ')}`);
  const format = EXPORT_FORMATS.find((known) => known === value.trim());
  if (format === undefined) throw new UsageError(`--format: '${value}' is not one of ${EXPORT_FORMATS.join(', ')}`);
  return format;
}

function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('--otlp-endpoint: not a URL (e.g. http://127.0.0.1:4318/v1/logs)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--otlp-endpoint: ${url.protocol} is not http: or https:`);
  // The path is taken as given, as OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is: a bare origin gets /v1/logs.
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/logs';
  return url.href;
}

// Header names as HTTP allows them; values are never echoed, even in an error.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
// What Node's HTTP client refuses in a header value: control characters but tab, and anything above U+00FF.
const HEADER_VALUE_FORBIDDEN = /[^\t\x20-\x7e\x80-\xff]/;

function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [index, value] of values.entries()) {
    const split = value.indexOf('=');
    const name = split <= 0 ? '' : value.slice(0, split).trim();
    if (!HEADER_NAME.test(name)) throw new UsageError(`--otlp-header #${index + 1}: give NAME=VALUE with a header name before the =`);
    const headerValue = value.slice(split + 1).trim();
    // Refused here, not by every send: Node throws on them, which would read as a receiver that is down.
    if (HEADER_VALUE_FORBIDDEN.test(headerValue)) {
      throw new UsageError(`--otlp-header ${name}: the value holds a control character or one above U+00FF, which a header cannot carry`);
    }
    headers[name.toLowerCase()] = headerValue;
  }
  return headers;
}

// The exporter adds these variables' headers to every request (comma-separated NAME=VALUE,
// values percent-encoded): checked as --otlp-header is, naming the variable and header only.
const HEADER_VARIABLES = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS'] as const;

function checkEnvironmentHeaders(env: Readonly<Record<string, string | undefined>>): void {
  for (const variable of HEADER_VARIABLES) {
    const text = env[variable];
    if (text === undefined || text.trim() === '') continue;
    for (const pair of text.split(',')) {
      const split = pair.indexOf('=');
      if (split <= 0) continue;
      const name = pair.slice(0, split).trim();
      let value: string;
      try {
        value = decodeURIComponent(pair.slice(split + 1).trim());
      } catch {
        throw new UsageError(`${variable}: the value of ${HEADER_NAME.test(name) ? name : 'a header'} is not percent-encoded text`);
      }
      if (HEADER_VALUE_FORBIDDEN.test(value)) {
        throw new UsageError(
          `${variable}: the value of ${HEADER_NAME.test(name) ? name : 'a header'} holds a control character or one above U+00FF, which a header cannot carry`,
        );
      }
    }
  }
}

function parseCompression(value: string | undefined): 'gzip' | 'none' {
  if (value === undefined || value === 'gzip') return 'gzip';
  if (value === 'none') return 'none';
  throw new UsageError(`--otlp-compression: '${value}' is not gzip or none`);
}

function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${name}: must not be empty`);
  return value.trim();
}

/** `kora-audit export`: the audit file's rows as OpenTelemetry, OCSF or ECS records. */
export const exportCommand: Command = {
  name: 'export',
  usage,
  options,
  run,
};
