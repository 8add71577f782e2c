import { writeText } from './cli-io.js';
import { escapeTerminalText } from './escape-terminal-text.js';
import type { CliIo } from './cli-io.js';
import type { CommandEntry } from './command.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { readPackageVersion } from './read-package-version.js';
import { suggestName } from './suggest-name.js';
import { UsageError } from './usage-error.js';

/** Every command, in the order the usage text lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'query',
    summary: 'print rows newest first as JSON lines (filters, paging cursor or --all)',
    load: async () => (await import('./commands/query.js')).queryCommand,
  },
  {
    name: 'tail',
    summary: 'print the last rows; with -f follow the file across rotation',
    load: async () => (await import('./commands/tail.js')).tailCommand,
  },
  {
    name: 'scan',
    summary: 'find secret and personal-data shapes in JSONL files (exit 1 if any)',
    load: async () => (await import('./commands/scan.js')).scanCommand,
  },
  {
    name: 'schema',
    summary: "print the JSON Schema of the envelope and each seam's details",
    load: async () => (await import('./commands/schema.js')).schemaCommand,
  },
  {
    name: 'stats',
    summary: 'count rows per seam, skipped lines, size and time span of the file',
    load: async () => (await import('./commands/stats.js')).statsCommand,
  },
  {
    name: 'verify',
    summary: 'account for every row of every writer in the file and its rotated files (exit 1 if not)',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    name: 'hash',
    summary: "print a tool call's keyed args_digest, to match against a row's (HMAC-SHA256)",
    load: async () => (await import('./commands/hash.js')).hashCommand,
  },
  {
    name: 'keygen',
    summary: 'make an Ed25519 key for signing checkpoints of the audit file (PEM and verifier key)',
    load: async () => (await import('./commands/keygen.js')).keygenCommand,
  },
  {
    name: 'seal',
    summary: 'seal the audit file: a signed RFC 6962 checkpoint of its lines (--follow keeps sealing)',
    load: async () => (await import('./commands/seal.js')).sealCommand,
  },
  {
    name: 'prove',
    summary: 'print a proof that a row is in the sealed file, or that one checkpoint extends another',
    load: async () => (await import('./commands/prove.js')).proveCommand,
  },
  {
    name: 'verify-proof',
    summary: "check a proof from 'prove' with the seal's public key alone (exit 1 if not proven)",
    load: async () => (await import('./commands/verify-proof.js')).verifyProofCommand,
  },
  {
    name: 'ship',
    summary: 'ship rows into the PostgreSQL event log, resumable and idempotent',
    load: async () => (await import('./commands/ship.js')).shipCommand,
  },
  {
    name: 'export',
    summary: 'export rows as OpenTelemetry (file or OTLP), OCSF or ECS, resumable',
    load: async () => (await import('./commands/export.js')).exportCommand,
  },
  {
    name: 'db',
    summary: 'look after the PostgreSQL event log: grant-writer, lag, migrate, prune',
    load: async () => (await import('./commands/db.js')).dbCommand,
  },
];

const width = Math.max(...COMMANDS.map((command) => command.name.length));

/** The top-level usage text. */
export const USAGE = `Usage: kora-audit <command> [options]
       kora-audit help [<command> [<subcommand>]]
       kora-audit --version

Read, follow, check, describe and ship kora audit JSONL files.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run 'kora-audit help <command>' (or 'kora-audit <command> --help') for a command's options.
The audit file defaults to KORA_AUDIT_LOG_PATH, else $KORA_HOME/kora_audit_log.jsonl,
else $HERMES_HOME/kora_audit_log.jsonl, else ~/.kora/kora_audit_log.jsonl.

Exit status: 0 success, 1 scan found secrets, verify found a problem, db lag found a host behind,
prove found no proof or verify-proof did not prove, 2 usage error, unreadable input or a key keygen would overwrite, 75 ship gave up on the database, 130 interrupted.
`;

/**
 * Run `kora-audit` with `argv` (the arguments after the program name) and resolve to the
 * exit code. Never rejects: every error becomes one line on stderr and exit code 2.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    await writeText(io.stderr, USAGE);
    return EXIT_USAGE;
  }
  if (name === '--version' || name === '-V') {
    await writeText(io.stdout, `${readPackageVersion()}\n`);
    return EXIT_OK;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && args.length === 0)) {
    await writeText(io.stdout, USAGE);
    return EXIT_OK;
  }
  // `help <command> [<subcommand>]` is `<command> [<subcommand>] --help`.
  const [commandName, ...commandArgs] = name === 'help' ? args : argv;
  const entry = COMMANDS.find((candidate) => candidate.name === commandName);
  if (entry === undefined) {
    await writeText(io.stderr, `kora-audit: ${unknownCommand(commandName ?? '')}\n`);
    return EXIT_USAGE;
  }
  if (name === 'help') {
    const topic = await entry.load();
    await writeText(io.stdout, topic.helpFor === undefined ? topic.usage : await topic.helpFor(commandArgs));
    return EXIT_OK;
  }
  const command = await entry.load();
  // `--help` anywhere before a `--` asks for the command's usage rather than running it.
  const beforeTerminator = commandArgs.includes('--') ? commandArgs.slice(0, commandArgs.indexOf('--')) : commandArgs;
  if (beforeTerminator.includes('--help') || beforeTerminator.includes('-h')) {
    await writeText(io.stdout, command.helpFor === undefined ? command.usage : await command.helpFor(commandArgs));
    return EXIT_OK;
  }
  try {
    return await command.run(commandArgs, io);
  } catch (error) {
    const message =
      error instanceof UsageError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    // A message may quote a path or a value from the command line or a file.
    await writeText(io.stderr, `kora-audit ${command.name}: ${escapeTerminalText(message)}\n`);
    return EXIT_USAGE;
  }
}

/** What to say of a command name that is none: the one meant, when it looks like a slip, else the list. */
function unknownCommand(typed: string): string {
  const names = COMMANDS.map((known) => known.name);
  const suggestion = suggestName(typed, names);
  // The name is quoted from the command line.
  const quoted = `'${escapeTerminalText(typed)}'`;
  return suggestion === undefined
    ? `unknown command ${quoted} (commands: ${names.join(', ')}; see kora-audit --help)`
    : `unknown command ${quoted}: did you mean '${suggestion}'? (see kora-audit --help)`;
}
