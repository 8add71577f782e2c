import { writeText } from './cli-io.js';
import { escapeTerminalText } from './escape-terminal-text.js';
import type { CliIo } from './cli-io.js';
import type { CommandEntry } from './command.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
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
    name: 'db',
    summary: 'look after the PostgreSQL event log: grant-writer, lag, migrate, prune',
    load: async () => (await import('./commands/db.js')).dbCommand,
  },
];

const width = Math.max(...COMMANDS.map((command) => command.name.length));

/** The top-level usage text. */
export const USAGE = `Usage: kora-audit <command> [options]

Read, follow, check, describe and ship kora audit JSONL files.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run 'kora-audit <command> --help' for a command's options.
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
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((command) => command.name === args[0]) : undefined;
    await writeText(io.stdout, topic === undefined ? USAGE : (await topic.load()).usage);
    return EXIT_OK;
  }
  const entry = COMMANDS.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    await writeText(
      io.stderr,
      `kora-audit: unknown command '${escapeTerminalText(name)}' (commands: ${COMMANDS.map((known) => known.name).join(', ')}; see kora-audit --help)\n`,
    );
    return EXIT_USAGE;
  }
  const command = await entry.load();
  // `--help` anywhere before a `--` asks for the command's usage rather than running it.
  const beforeTerminator = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (beforeTerminator.includes('--help') || beforeTerminator.includes('-h')) {
    await writeText(io.stdout, command.helpFor === undefined ? command.usage : await command.helpFor(args));
    return EXIT_OK;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    const message =
      error instanceof UsageError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    // A message may quote a path or a value from the command line or a file.
    await writeText(io.stderr, `kora-audit ${command.name}: ${escapeTerminalText(message)}\n`);
    return EXIT_USAGE;
  }
}
