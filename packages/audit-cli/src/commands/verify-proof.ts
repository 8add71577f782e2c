import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSealVerifier } from '@kora/audit-seal';
import type { SealVerifier } from '@kora/audit-seal';
import { escapeJsonControls } from '@kora/audit-sink/reader';
import { checkProof } from '../check-proof.js';
import type { ProofCheck } from '../check-proof.js';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_OK, EXIT_PROBLEMS } from '../exit-codes.js';
import { parseCommandLine } from '../parse-arguments.js';
import { readBoundedInput } from '../read-bounded-input.js';
import { DEFAULT_MAX_LINE_BYTES } from '../read-lines-forward.js';
import { UsageError } from '../usage-error.js';

const options = {
  'public-key': {
    type: 'string',
    multiple: true,
    value: 'FILE',
    description:
      "a key the checkpoint must be signed with: seal-key.pub.pem (SPKI PEM)\nor seal-key.vkey (verifier key) from 'kora-audit keygen'; repeatable",
  },
  proof: { type: 'string', value: 'FILE', description: "the proof JSON ('-': standard input; at most 1 MiB)" },
  row: { type: 'string', value: 'FILE', description: "the row's line ('-': standard input)" },
  json: { type: 'boolean', description: 'print one JSON object: ok, kind, what is proven or the reason' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit verify-proof --public-key FILE [--public-key FILE ...] --proof FILE|- [--row FILE|-] [--json]

Check a proof from 'kora-audit prove' without the audit file, against the seal's public key:
the proof's signed checkpoint note verifies with one of the keys given, the checkpoint is
the proof's log, size and root, and the RFC 9162 proof holds.

An inclusion proof shows a leaf is in the log. With --row, the row's line (as 'prove' found
it in the file, without its newline; one trailing newline is dropped, nothing else) is
hashed and must be the proven leaf, and its id the proof's row_id: a row edited by a single
byte is not proven. Without --row only the leaf hash is proven, not which row it is. The
proof's file and line say where the row was found; they are not part of the proof.

A consistency proof shows the log at its older size is a prefix of the log at its newer one:
nothing sealed by the older checkpoint was changed or removed. Its newer note is always
checked; its older one when the proof carries it (else the older root is printed, to compare
with a checkpoint you hold).`,
  options,
  `It prints one line, "ok: ..." or "not proven: <reason>".

Exit status: 0 proven, 1 not proven (a proof that is no proof included), 2 usage error or
unreadable key or file.`,
);

const MAX_PROOF_BYTES = 1024 * 1024;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  const keyPaths = values['public-key'] ?? [];
  if (keyPaths.length === 0 || keyPaths.some((path) => path.trim() === '')) {
    throw new UsageError('--public-key FILE is required: the seal public key (seal-key.pub.pem or seal-key.vkey)');
  }
  if (values.proof === undefined || values.proof === '') throw new UsageError('--proof FILE is required (- for standard input)');
  if (values.row === '') throw new UsageError('--row: must name a file (- for standard input)');
  if (values.proof === '-' && values.row === '-') throw new UsageError('--proof and --row cannot both be standard input');

  let verifier: SealVerifier;
  try {
    verifier = await loadSealVerifier(keyPaths.map((path) => resolve(io.cwd, path)));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const proof = await readBoundedInput('--proof', values.proof, io, MAX_PROOF_BYTES);
  let row: Buffer | undefined;
  if (values.row !== undefined) {
    const bytes = await readBoundedInput('--row', values.row, io, DEFAULT_MAX_LINE_BYTES + 1);
    row = bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes;
  }

  const check = checkProof(proof, verifier, row);
  const text = values.json === true ? escapeJsonControls(JSON.stringify(check)) : escapeTerminalText(describe(check));
  await writeText(io.stdout, `${text}\n`);
  return check.ok ? EXIT_OK : EXIT_PROBLEMS;
}

/** The one line printed: what is proven, or why not. */
function describe(check: ProofCheck): string {
  if (!check.ok) return `not proven: ${check.reason}`;
  const signers = `signed by ${check.signed_by.join(', ')}`;
  if (check.kind === 'inclusion') {
    const where = `leaf ${check.leaf_index} of the log ${check.origin} at size ${check.tree_size}, ${signers}`;
    if (check.row_checked) return `ok: row ${check.row_id} is ${where}`;
    return `ok: the leaf hash ${check.leaf_hash} is ${where}; the row itself was not checked (give --row with its line to prove it is row ${check.row_id})`;
  }
  const prefix = `ok: the log ${check.origin} at size ${check.from.size} is a prefix of it at size ${check.to.size}, ${signers}`;
  if (check.from.signed) return `${prefix} (both checkpoints signed)`;
  return `${prefix}; only the newer checkpoint is signed in this proof: the root at size ${check.from.size} is ${check.from.root}, compare it with a checkpoint of that size you hold`;
}

/** `kora-audit verify-proof`: check a proof from `kora-audit prove` with the seal's public key alone. */
export const verifyProofCommand: Command = {
  name: 'verify-proof',
  usage,
  options,
  run,
};
