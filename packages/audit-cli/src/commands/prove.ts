import { parseArgs } from 'node:util';
import {
  HASH_SIZE,
  hashLeaf,
  hashSubtree,
  openFileLeafHashes,
  proveConsistency,
  proveInclusion,
  readCheckpointLines,
  sealPaths,
} from '@kora/audit-seal';
import type { CheckpointRecord, FileLeafHashes } from '@kora/audit-seal';
import { escapeJsonControls, readErrorCode } from '@kora/audit-sink/reader';
import { writeText } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS } from '../exit-codes.js';
import { openAuditChain } from '../open-audit-chain.js';
import { parseCommandLine, parseCountOption, resolveLogPathOption } from '../parse-arguments.js';
import type { ConsistencyProofDocument, InclusionProofDocument } from '../proof-document.js';
import { readLineBytesForward } from '../read-line-bytes-forward.js';
import { UsageError } from '../usage-error.js';

const options = {
  id: { type: 'string', value: 'ROW_ID', description: "the row's id (a UUID)" },
  consistency: { type: 'boolean', description: 'prove consistency between two sizes instead' },
  from: { type: 'string', value: 'N', description: 'the older size (lines of the chain), N <= M' },
  to: { type: 'string', value: 'M', description: "the newer size, a checkpoint's (default: the newest checkpoint)" },
  path: { type: 'string', value: 'P', description: 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)' },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit prove --id ROW_ID [--path P]
       kora-audit prove --consistency --from N [--to M] [--path P]

Print, as JSON, a proof that stands without the audit file: anyone with the seal's public
key checks it with 'kora-audit verify-proof', or with any RFC 9162 and C2SP signed-note tool.
The audit file P must be sealed ('kora-audit seal'); the proof is against its newest
checkpoint (or checkpoint M).

--id ROW_ID: an inclusion proof that the row with this id is a line of the sealed file:
  {"kind":"inclusion","origin","row_id","file","line","leaf_index","leaf_hash","tree_size",
   "root","note","proof"}
  leaf_index is the row's line in the whole chain (P.N ... P.1, P; from 0), file and line
  where it was found, note the newest checkpoint's signed note, proof the RFC 9162 audit
  path. The row's line itself (without its newline) is what 'verify-proof --row' takes:
  the proof binds the row's bytes, so an edited row is not proven.

--consistency --from N [--to M]: a consistency proof that the log at size N is a prefix of
  the log at size M (default: the newest checkpoint), which must be a checkpoint's size:
  {"kind":"consistency","origin","from":{"size","root","note"},"to":{...},"proof"}
  from.note is the signed note of a checkpoint of size N, or null when none was made at N.

Before proving, the leaf hashes kept in P.leaves are checked against the checkpoint's root,
and the row's line against its leaf hash. A row keeps its sealed place (leaf_index) when
retention has since deleted the oldest rotated files.`,
  options,
  `Exit status: 0 proof printed, 1 no proof: the row is not found or not sealed yet, no
checkpoint, or the file or P.leaves no longer matches the checkpoint; 2 usage error or
unreadable file, 130 interrupted.`,
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A reason there is no proof: exit 1 with this message. */
class NoProof extends Error {}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  const consistency = values.consistency === true;
  if (consistency) {
    if (values.id !== undefined) throw new UsageError('--id: not with --consistency');
    if (values.from === undefined) throw new UsageError('--consistency needs --from N (the older tree size)');
  } else {
    if (values.from !== undefined || values.to !== undefined) throw new UsageError('--from and --to: only with --consistency');
    if (values.id === undefined) throw new UsageError('--id ROW_ID is required (or --consistency --from N)');
    if (!UUID.test(values.id)) throw new UsageError('--id: not a row id (a UUID such as 0192f7c2-6d3e-7a4b-9c1d-000000000001)');
  }
  const from = parseCountOption('--from', values.from, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const to = parseCountOption('--to', values.to, { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (from !== undefined && to !== undefined && from > to) throw new UsageError('--from: larger than --to');
  const path = resolveLogPathOption(values.path, io);
  const paths = sealPaths(path);

  try {
    const checkpoints = await readCheckpoints(paths.checkpoints);
    const latest = checkpoints.at(-1);
    if (latest === undefined)
      throw new NoProof(`${paths.checkpoints} holds no checkpoint: seal the file first (kora-audit seal --key FILE)`);
    const leaves = openLeaves(paths.leaves);
    try {
      if (consistency) {
        const document = proveConsistencyDocument(path, leaves, checkpoints, from!, to ?? latest.size);
        await writeText(io.stdout, `${escapeJsonControls(JSON.stringify(document, null, 2))}\n`);
        return EXIT_OK;
      }
      checkLeaves(path, leaves, latest);
      const found = await findRow(path, values.id!.toLowerCase(), io.signal);
      if (found === 'interrupted') return EXIT_INTERRUPTED;
      const document = proveRow(leaves, latest, found, values.id!.toLowerCase());
      await writeText(io.stdout, `${escapeJsonControls(JSON.stringify(document, null, 2))}\n`);
      return EXIT_OK;
    } finally {
      leaves.close();
    }
  } catch (error) {
    if (!(error instanceof NoProof)) throw error;
    await writeText(io.stderr, `kora-audit prove: ${escapeTerminalText(error.message)}\n`);
    return EXIT_PROBLEMS;
  }
}

/** Every checkpoint record, oldest first; a torn last line (a sealer stopped mid-append) is left out. */
async function readCheckpoints(path: string): Promise<CheckpointRecord[]> {
  const records: CheckpointRecord[] = [];
  try {
    for await (const line of readCheckpointLines(path)) {
      if (line.ok) {
        records.push(line.record);
        continue;
      }
      if (line.torn) break;
      throw new NoProof(`${path}:${line.line}: not a checkpoint record (${line.error}); run kora-audit verify`);
    }
  } catch (error) {
    if (error instanceof NoProof) throw error;
    throw new UsageError(`cannot read ${path}: ${readErrorCode(error) ?? String(error)}`);
  }
  return records;
}

function openLeaves(path: string): FileLeafHashes {
  try {
    return openFileLeafHashes(path);
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') throw new NoProof(`${path} is missing: ${rebuildAdvice(path)}`);
    throw new UsageError(`cannot read ${path}: ${readErrorCode(error) ?? String(error)}`);
  }
}

function rebuildAdvice(auditOrLeavesPath: string): string {
  const paths = sealPaths(auditOrLeavesPath.endsWith('.leaves') ? auditOrLeavesPath.slice(0, -'.leaves'.length) : auditOrLeavesPath);
  return `it can be rebuilt from the audit file: remove ${paths.leaves} and ${paths.state} and run kora-audit seal (which checks the file against the checkpoints as it does)`;
}

/** The leaf hashes kept beside the file are the ones the checkpoint signs. */
function checkLeaves(path: string, leaves: FileLeafHashes, checkpoint: CheckpointRecord): void {
  const { leaves: leavesPath } = sealPaths(path);
  const stored = leaves.size();
  if (stored < checkpoint.size) {
    throw new NoProof(
      `${leavesPath} holds ${stored} leaf hashes, fewer than the ${checkpoint.size} of checkpoint ${checkpoint.size}: ${rebuildAdvice(path)}`,
    );
  }
  if (hashSubtree(leaves, 0, checkpoint.size).toString('base64') !== checkpoint.root) {
    throw new NoProof(`${leavesPath} does not match checkpoint ${checkpoint.size} (its root differs): ${rebuildAdvice(path)}`);
  }
}

/** The row as found in the chain. */
interface FoundRow {
  readonly file: string;
  /** 1-based, in `file`. */
  readonly line: number;
  /** Its line in the whole chain, from 0: its leaf. */
  readonly leafIndex: number;
  /** False for the live file's last line without its newline: not a leaf yet. */
  readonly isLeaf: boolean;
  readonly bytes: Buffer;
}

/**
 * The first line of the chain that is a JSON object with this id, counting leaves as the
 * sealer does: every line without its newline, and a rotated file's last line without one.
 */
async function findRow(path: string, id: string, signal: AbortSignal | undefined): Promise<FoundRow | 'interrupted'> {
  const idBytes = Buffer.from(id, 'latin1');
  const chain = await openAuditChain(path);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort);
  let leaves = 0;
  let found: FoundRow | undefined;
  try {
    for (const file of chain) {
      const live = file.index === 0;
      const visit = (bytes: Buffer | null, from: number, to: number, line: number, terminated: boolean): void => {
        if (found !== undefined) return;
        const isLeaf = terminated || !live;
        if (bytes !== null && bytes.subarray(from, to).includes(idBytes) && rowId(bytes.toString('utf8', from, to)) === id) {
          found = { file: file.path, line, leafIndex: leaves, isLeaf, bytes: Buffer.from(bytes.subarray(from, to)) };
          stop.abort();
          return;
        }
        if (isLeaf) leaves += 1;
      };
      try {
        await readLineBytesForward(file.handle, visit, { signal: stop.signal, end: file.size });
      } catch (error) {
        throw new UsageError(`${file.path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (found !== undefined) return found;
      if (signal?.aborted === true) return 'interrupted';
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(chain.map((file) => file.handle.close()));
  }
  throw new NoProof(`no row with id ${id} in ${path} or its rotated files`);
}

/** The `id` of a line that is a JSON object, else undefined. */
function rowId(line: string): unknown {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined;
  } catch {
    return undefined;
  }
}

function proveRow(leaves: FileLeafHashes, checkpoint: CheckpointRecord, row: FoundRow, id: string): InclusionProofDocument {
  const where = `line ${row.line} of ${row.file}`;
  if (!row.isLeaf) throw new NoProof(`the row is ${where}, still being written (no newline yet): not sealed yet`);
  if (row.leafIndex >= checkpoint.size) {
    throw new NoProof(
      `the row is ${where}, leaf ${row.leafIndex}, after the newest checkpoint (size ${checkpoint.size}): not sealed yet: run kora-audit seal`,
    );
  }
  const leafHash = hashLeaf(row.bytes);
  let leafIndex = row.leafIndex;
  if (!leafHash.equals(leaves.read(leafIndex, 1))) {
    // Lines before it gone (retention deleted the oldest rotated files): its leaf is further on.
    const sealedAt = findLeaf(leaves, leafHash, checkpoint.size);
    if (sealedAt === undefined) {
      throw new NoProof(
        `the row's line no longer matches its sealed leaf hash (${where}, leaf ${leafIndex}): the row was changed after it was sealed; run kora-audit verify`,
      );
    }
    leafIndex = sealedAt;
  }
  const proof = proveInclusion(leaves, leafIndex, checkpoint.size);
  if (!proof.ok) throw new NoProof(proof.reason);
  return {
    kind: 'inclusion',
    origin: checkpoint.origin,
    row_id: id,
    file: row.file,
    line: row.line,
    leaf_index: leafIndex,
    leaf_hash: leafHash.toString('base64'),
    tree_size: checkpoint.size,
    root: checkpoint.root,
    note: checkpoint.note,
    proof: proof.proof.map((hash) => hash.toString('base64')),
  };
}

// Leaf hashes read at a time when looking for one: 2 MiB.
const SEARCH_CHUNK = 65_536;

/** The first of the first `size` leaves whose hash is `leafHash`, if any. */
function findLeaf(leaves: FileLeafHashes, leafHash: Buffer, size: number): number | undefined {
  for (let start = 0; start < size; start += SEARCH_CHUNK) {
    const chunk = Buffer.from(leaves.read(start, Math.min(SEARCH_CHUNK, size - start)));
    for (let at = chunk.indexOf(leafHash); at !== -1; at = chunk.indexOf(leafHash, at + 1)) {
      if (at % HASH_SIZE === 0) return start + at / HASH_SIZE;
    }
  }
  return undefined;
}

function proveConsistencyDocument(
  path: string,
  leaves: FileLeafHashes,
  checkpoints: readonly CheckpointRecord[],
  from: number,
  to: number,
): ConsistencyProofDocument {
  const { checkpoints: checkpointsPath } = sealPaths(path);
  const newest = checkpoints.at(-1)!;
  if (from > to) throw new UsageError(`--from: larger than the newest checkpoint's size ${to}`);
  const target = checkpoints.findLast((record) => record.size === to);
  if (target === undefined) {
    throw new NoProof(
      `no checkpoint of size ${to} in ${checkpointsPath} (the newest is of size ${newest.size}): --to must be a checkpoint's size`,
    );
  }
  checkLeaves(path, leaves, target);
  const fromRoot = hashSubtree(leaves, 0, from).toString('base64');
  const older = checkpoints.findLast((record) => record.size === from);
  if (older !== undefined && (older.root !== fromRoot || older.origin !== target.origin)) {
    throw new NoProof(
      `checkpoint ${from} does not match the leaves checkpoint ${to} signs: the checkpoints contradict each other (the sealed file was rewritten between them); run kora-audit verify`,
    );
  }
  const proof = proveConsistency(leaves, from, to);
  if (!proof.ok) throw new NoProof(proof.reason);
  return {
    kind: 'consistency',
    origin: target.origin,
    from: { size: from, root: fromRoot, note: older?.note ?? null },
    to: { size: to, root: target.root, note: target.note },
    proof: proof.proof.map((hash) => hash.toString('base64')),
  };
}

/** `kora-audit prove`: an inclusion proof of one row, or a consistency proof between two sizes, from the sealed file. */
export const proveCommand: Command = {
  name: 'prove',
  usage,
  options,
  run,
};
