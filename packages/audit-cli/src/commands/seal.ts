import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SealError, followSeal, loadSealSigner, openSealer, sealPaths } from '@kora/audit-seal';
import type { SealPass, Sealer } from '@kora/audit-seal';
import type { CheckpointAnchor, CheckpointAnchorStats } from '@kora/audit-substrate-pg';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_TEMPFAIL } from '../exit-codes.js';
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
  'database-url': {
    type: 'string',
    value: 'URL',
    description: 'anchor the checkpoints in PostgreSQL: postgres://user:password@host:5432/db',
  },
  table: {
    type: 'string',
    value: 'T',
    description: 'the event table, name or schema.name (default kora_audit_events); the\ncheckpoints go to T_checkpoints',
  },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit seal --key FILE [--path P] [--follow [--interval D]] [--name NAME] [--origin O]
                        [--database-url URL [--table T]]

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
newest checkpoint: if the file no longer matches, it stops with exit 1 and signs nothing.

With --database-url, each checkpoint is also anchored off the host, in the PostgreSQL table
T_checkpoints (as 'kora-audit ship' and the daemon do), at the start (to catch up) and after
each pass that appended one: a sealer running under its own user anchors without 'ship'.
'kora-audit verify --database-url' then checks the file against them. The table must exist
('kora-audit db migrate'); the user needs INSERT and SELECT on it ('kora-audit db
grant-writer'). When the database cannot be reached, a run without --follow still seals, then
exits 75; with --follow it warns and tries again after the next pass, from where it stopped
(and the next start catches up).
The password in the URL is never printed.`,
  options,
  `It prints one JSON object when it ends: origin, key, size (lines sealed), leaves_added,
checkpoint (the last one appended: size, root) and the checkpoints file; with --database-url
also anchor: anchored (stored now), already_there, conflicts (the table holds another root for
the same origin and size: the log was rewritten), skipped (lines of the checkpoints file that
are no checkpoint) and failed (the last attempt could not reach the database).

Exit status: 0 sealed, 1 the file no longer matches its seal (see 'kora-audit verify') or the
database holds another root for one of its checkpoints, 2 usage error or unreadable key or
file, 75 sealed but the database could not be reached (run again later), 130 interrupted
before a one-off pass finished.`,
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
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && databaseUrl.trim() === '') throw new UsageError('--database-url: must not be empty');
  if (values.table !== undefined && databaseUrl === undefined) throw new UsageError('--table: only with --database-url');
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
  let anchoring: Anchoring | undefined;
  try {
    anchoring = databaseUrl === undefined ? undefined : await openAnchoring({ databaseUrl, table: values.table, path, logger });
  } catch (error) {
    await sealer.close();
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  // A conflict ends following: the log was rewritten, and sealing on would hide nothing.
  const stop = new AbortController();
  const signal = io.signal === undefined ? stop.signal : AbortSignal.any([io.signal, stop.signal]);
  let added = 0;
  let last: SealPass['checkpoint'] = null;
  const onPass = async (pass: SealPass): Promise<void> => {
    added += pass.leaves;
    if (pass.checkpoint !== null) last = pass.checkpoint;
    if (anchoring === undefined || (pass.checkpoint === null && !anchoring.failed)) return;
    // A one-off run that could not reach the database does not try again.
    if (follow || !anchoring.failed) await anchoring.sync();
    if (anchoring.stats().conflicts > 0) stop.abort();
  };
  try {
    await anchoring?.sync();
    if (anchoring !== undefined && anchoring.stats().conflicts > 0) stop.abort();
    if (follow) {
      if (!stop.signal.aborted) await followSeal(sealer, { intervalMs, signal, onPass });
    } else {
      await onPass(await sealer.seal(io.signal));
    }
  } catch (error) {
    if (error instanceof SealError) return reportSealError(error, io);
    throw new UsageError(error instanceof Error ? error.message : String(error));
  } finally {
    await sealer.close();
    await anchoring?.close();
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
        ...(anchoring === undefined ? {} : { anchor: anchorOutput(anchoring.stats(), anchoring.failed) }),
      }),
    )}\n`,
  );
  if (anchoring !== undefined && anchoring.stats().conflicts > 0) {
    await writeText(
      io.stderr,
      'kora-audit seal: the database holds another root for a checkpoint of this log: the log was rewritten after it was anchored (see kora-audit verify --database-url)\n',
    );
    return EXIT_PROBLEMS;
  }
  // A follower stopped while the database was down carries on from there at its next start.
  if (!follow && anchoring?.failed === true) return EXIT_TEMPFAIL;
  return !follow && io.signal?.aborted === true ? EXIT_INTERRUPTED : EXIT_OK;
}

function anchorOutput(stats: CheckpointAnchorStats, failed: boolean): Record<string, unknown> {
  return { anchored: stats.anchored, already_there: stats.alreadyThere, conflicts: stats.conflicts, skipped: stats.skipped, failed };
}

/** The checkpoint anchor of a run with --database-url: a database error is warned about, never thrown. */
interface Anchoring {
  /** Whether the last sync could not finish. */
  readonly failed: boolean;
  /** Anchor the checkpoints appended since the last sync that finished. */
  sync(): Promise<void>;
  stats(): CheckpointAnchorStats;
  close(): Promise<void>;
}

async function openAnchoring(options: {
  readonly databaseUrl: string;
  readonly table: string | undefined;
  readonly path: string;
  readonly logger: { warn(message: string): void; info(message: string): void };
}): Promise<Anchoring> {
  // The driver is loaded only to anchor: help and argument errors answer without it.
  const {
    DEFAULT_SUBSTRATE_TIMEOUTS,
    createCheckpointAnchor,
    createSubstratePool,
    parseSubstrateTable,
    readDatabaseErrorCode,
    readDatabasePassword,
    redactDatabaseUrl,
  } = await import('@kora/audit-substrate-pg');
  const table = parseSubstrateTable(options.table).name;
  const pool = createSubstratePool({
    connectionString: options.databaseUrl,
    max: 1,
    applicationName: 'kora-audit seal',
    ...DEFAULT_SUBSTRATE_TIMEOUTS,
  });
  const anchor: CheckpointAnchor = createCheckpointAnchor({ client: pool, table, path: options.path, logger: options.logger });
  const password = readDatabasePassword(options.databaseUrl);
  const url = redactDatabaseUrl(options.databaseUrl);
  let failed = false;
  return {
    get failed() {
      return failed;
    },
    async sync() {
      try {
        await anchor.sync();
        failed = false;
      } catch (error) {
        failed = true;
        // The driver's message may quote the connection string: never with its password.
        let message = error instanceof Error ? error.message : String(error);
        if (password !== undefined && password !== '') message = message.split(password).join('***');
        options.logger.warn(
          `[kora.seal.anchor_failed] table=${table}_checkpoints url=${url} code=${readDatabaseErrorCode(error)} error=${JSON.stringify(message)}`,
        );
      }
    },
    stats: () => anchor.stats(),
    async close() {
      await anchor.close();
      await pool.end().catch(() => undefined);
    },
  };
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
