import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SealError, followSeal, loadSealSigner, openSealer, sealPaths } from '@kora/audit-seal';
import type { SealPass, Sealer } from '@kora/audit-seal';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS } from '../exit-codes.js';
import { parseCommandLine, parseDurationOption, resolveLogPathOption } from '../parse-arguments.js';
import { UsageError } from '../usage-error.js';

const options = {
  key: { type: 'string', value: 'FILE', description: "the private key (seal-key.pem from 'kora-audit keygen')" },
  path: { type: 'string', value: 'P', description: 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)' },
  follow: {
    type: 'boolean',
    short: 'f',
    description: 'keep sealing, a pass every --interval (default 1s) while rows arrive, until\ninterrupted',
  },
  interval: { type: 'string', value: 'D', description: 'time between passes with --follow (100ms to 1h)' },
  name: {
    type: 'string',
    value: 'NAME',
    description: "the key's name in signature lines (default: the name in the .vkey beside\nFILE, else kora-audit@<host>)",
  },
  origin: {
    type: 'string',
    value: 'O',
    description:
      'the origin of a log sealed for the first time (default\nkora-audit/<host>/<random UUID>: unique to this audit file); an existing\nlog keeps its own',
  },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit seal --key FILE [--path P] [--follow [--interval D]] [--name NAME] [--origin O]

Seal the audit file P as Certificate Transparency seals its logs. Every line of P's chain (its
rotated files P.N ... P.1, oldest first, then P), without its newline, is a leaf of an RFC 6962
Merkle tree; each run adds the lines written since the last and, if the tree grew, appends a
checkpoint (C2SP tlog-checkpoint: origin, size, root hash) signed with the Ed25519 key in FILE
as a C2SP signed note, one JSON object a line, to P.checkpoints. 'kora-audit verify
--public-key' then detects any change to a sealed line, and 'kora-audit prove' proves one row.

Files beside P (not part of the rotation chain):
  P.checkpoints  the signed checkpoints, oldest first: {"size","root","note","origin","key","sealed_at"}
  P.leaves       every leaf hash (32 bytes each), for proofs
  P.seal-state   where sealing stopped; without it the tree is rebuilt from the oldest file

Sealing resumes where it stopped and survives a crash at any point. One sealer runs per
audit file (P.seal-state.lock). Before it signs anything new, it checks the tree against the
newest checkpoint: if the file no longer matches, it stops with exit 1 and signs nothing.`,
  options,
  `It prints one JSON object when it ends: origin, key, size (lines sealed), leaves_added,
checkpoint (the last one appended: size, root) and the checkpoints file.

Exit status: 0 sealed, 1 the file no longer matches its seal (see 'kora-audit verify'), 2 usage
error or unreadable key or file, 130 interrupted before a one-off pass finished.`,
);

const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 3_600_000;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  if (values.key === undefined || values.key.trim() === '')
    throw new UsageError('--key is required: the private key from kora-audit keygen');
  const follow = values.follow === true;
  if (values.interval !== undefined && !follow) throw new UsageError('--interval: only with --follow');
  const intervalMs = values.interval === undefined ? 1_000 : parseDurationOption('--interval', values.interval);
  if (intervalMs === undefined || intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
    throw new UsageError('--interval: between 100ms and 1h');
  }
  if (values.origin !== undefined && (values.origin.trim() === '' || /[\u0000-\u001f\u007f]/.test(values.origin))) {
    throw new UsageError('--origin: must be one line of text, not empty');
  }
  const path = resolveLogPathOption(values.path, io);
  const logger = {
    info: (message: string) => void io.stderr.write(`${escapeTerminalText(message)}\n`),
    warn: (message: string) => void io.stderr.write(`${escapeTerminalText(message)}\n`),
  };

  let sealer: Sealer;
  try {
    const signer = await loadSealSigner(resolve(io.cwd, values.key), values.name);
    sealer = await openSealer({ path, signer, origin: values.origin, logger });
  } catch (error) {
    if (error instanceof SealError) return reportSealError(error, io);
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  let added = 0;
  let last: SealPass['checkpoint'] = null;
  const onPass = (pass: SealPass): void => {
    added += pass.leaves;
    if (pass.checkpoint !== null) last = pass.checkpoint;
  };
  try {
    if (follow) {
      await followSeal(sealer, { intervalMs, signal: io.signal ?? new AbortController().signal, onPass });
    } else {
      onPass(await sealer.seal(io.signal));
    }
  } catch (error) {
    if (error instanceof SealError) return reportSealError(error, io);
    throw new UsageError(error instanceof Error ? error.message : String(error));
  } finally {
    await sealer.close();
  }
  const status = sealer.status();
  const checkpoint = last as SealPass['checkpoint'];
  await writeText(
    io.stdout,
    `${escapeTerminalText(
      JSON.stringify({
        origin: status.origin,
        key: status.key,
        size: status.size,
        leaves_added: added,
        checkpoint: checkpoint === null ? null : { size: checkpoint.size, root: checkpoint.root },
        checkpoints: sealPaths(path).checkpoints,
      }),
    )}\n`,
  );
  return !follow && io.signal?.aborted === true ? EXIT_INTERRUPTED : EXIT_OK;
}

async function reportSealError(error: SealError, io: CliIo): Promise<number> {
  await writeText(io.stderr, `kora-audit seal: ${escapeTerminalText(error.message)}\n`);
  return EXIT_PROBLEMS;
}

/** `kora-audit seal`: the audit file's lines into a signed Merkle tree. */
export const sealCommand: Command = {
  name: 'seal',
  usage,
  options,
  run,
};
