import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  classifyAuditLine,
  escapeJsonControls,
  hasRowPrefix,
  loadLifecycleSchemas,
  readSinkRowBytes,
  readSinkRowWriter,
} from '@kora/audit-sink/reader';
import type { AuditLineClass, LifecycleSchemas, SeamName } from '@kora/audit-sink/reader';
import { loadSealVerifier, readCheckpointLines, sealPaths } from '@kora/audit-seal';
import { ChainVerifier } from '../chain-verifier.js';
import type { LifecycleRow, VerifyProblem, VerifyResult, WriterReport } from '../chain-verifier.js';
import { LineWriter } from '../cli-io.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from '../command.js';
import { formatUsage, parseArgsOptions } from '../command-options.js';
import type { CommandOptions } from '../command-options.js';
import { escapeTerminalText } from '../escape-terminal-text.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS } from '../exit-codes.js';
import { openAuditChain } from '../open-audit-chain.js';
import { parseCommandLine, resolveLogPathOption } from '../parse-arguments.js';
import { readLineBytesForward } from '../read-line-bytes-forward.js';
import type { SealProblem, SealReport } from '../seal-check/seal-checker.js';
import { startSealCheck } from '../seal-check/start-seal-check.js';
import { UsageError } from '../usage-error.js';

/** How many problems, and notes, are listed; all are counted. */
const LIST_LIMIT = 100;

const options = {
  path: { type: 'string', value: 'P', description: 'the audit file (default: KORA_AUDIT_LOG_PATH, KORA_HOME, HERMES_HOME, ~/.kora)' },
  'public-key': {
    type: 'string',
    multiple: true,
    value: 'FILE',
    description:
      "a key checkpoints must be signed with: seal-key.pub.pem (SPKI PEM) or\nseal-key.vkey from 'kora-audit keygen'; repeat it for keys used before\na key rotation",
  },
  checkpoints: { type: 'string', value: 'FILE', description: 'the checkpoints (default P.checkpoints)' },
  'database-url': {
    type: 'string',
    value: 'URL',
    description:
      "also check the checkpoints anchored in PostgreSQL ('kora-audit ship' and the\ndaemon store them in <table>_checkpoints): one the file lost still proves\nthe lines it covers",
  },
  table: { type: 'string', value: 'T', description: 'the event table (default kora_audit_events)' },
  origin: { type: 'string', value: 'O', description: "the log's origin in the database (default: the checkpoints file's)" },
  json: {
    type: 'boolean',
    description:
      'print one JSON object: ok, rows, v1_rows, writers, problems (each with\nkind, file, line), problem_count, problems_by_kind, notes, note_count,\nseal (null when not sealed)',
  },
} as const satisfies CommandOptions;

const usage = formatUsage(
  `Usage: kora-audit verify [--path P] [--public-key FILE]... [--checkpoints FILE]
                         [--database-url URL [--table T] [--origin O]] [--json]

Answer "is this everything?" for the audit file P and its rotated files (P.N ... P.1, then P,
oldest first). Every writer (one sink in one process) numbers its rows 1, 2, 3... from its
audit.opened row, names every number it lost in an audit.lost row and, when it closes, counts
its rows in an audit.closed row. verify reads the chain once, front to back, and accounts for
every number of every writer.

It prints one line per writer (host, pid, mode and batch size from its audit.opened row; its
seqs, rows, rows lost by reason; closed or not) and one line per problem, as FILE:LINE:
kind: what (the first ${LIST_LIMIT}, then how many more). Problems (exit 1):
  gap             seqs of a writer that are in no file and named by none of its audit.lost
                  rows (a row removed); the line is the first row after them. A writer
                  whose audit.opened row (seq 1) is missing has a gap from 1, unless its
                  first row is in the oldest file: older files may have been deleted by
                  retention, which is a note (began_before_chain), not a problem
  duplicate       a seq seen twice in a writer (a copied row), or a row whose id is not
                  after its writer's previous one (a copy renumbered)
  out_of_order    a seq lower than one already seen in its writer, missing until then
  after_closed    a row of a writer after its audit.closed row
  invalid_line    a line that is not a row (malformed, refused by the envelope, an audit.*
                  row its allow-list refuses); not the torn head of a row followed by a
                  row, which is a note (torn_write)
  count_mismatch  an audit.closed row whose counters disagree with the chain (seqs already
                  reported as gaps may be counted as written or lost)
  loss_mismatch   an audit.lost row naming a seq that is in the chain, or named already
  opened_mismatch a seq 1 that is not the writer's audit.opened row, or an audit.opened
                  row elsewhere
Notes (not problems): began_before_chain, torn_write, torn_last_line (the last line has no
newline: its writer is mid-write), blank_line. Rows of envelope version 1 name no writer:
they are counted and cannot be accounted for.

A writer that did not close (crashed, killed, still running) is not a problem: it may have
lost fewer rows than its batch size when batched, none it acknowledged in sync mode. What
verify cannot see: the removed tail of a writer that never closed looks like a crash; rows
lost by copytruncate rotation are gaps. See "What kora-audit verify proves" in
docs/operations.md.

Sealed files ('kora-audit seal'): when P.checkpoints exists or --public-key is given, verify
also answers "was anything rewritten?". Every line of the chain is a leaf of the RFC 6962
tree; at each checkpoint's size the tree's root must be the checkpoint's, and with
--public-key its signed note must verify with one of the keys. Problems (exit 1):
  seal_mismatch        the lines a checkpoint sealed were changed, inserted, removed or
                       reordered; the line named is the first that differs when P.leaves
                       (the sealed leaf hashes, checked against the checkpoint) allows,
                       else the line where the checkpoint's size ends
  seal_truncated       the chain is shorter than a checkpoint
  checkpoint_signature a checkpoint not signed by any given key (re-signed, or edited)
  checkpoint_invalid   a line of P.checkpoints that is not a checkpoint record
  checkpoint_order     a checkpoint smaller than the one before, or of another log
  seal_missing         --public-key given, but no checkpoint
  seal_not_anchored    --database-url given, but the database holds no checkpoint of the log
  seal_unchecked_line  a line longer than 16 MiB, which cannot be hashed here
Lines after the newest checkpoint are reported as unsealed (a note). When the oldest files
were deleted (retention), the sealed hashes of their lines in P.leaves stand in for them and
the rest is still checked: a note (removed_lines) says how many. What sealing cannot prove:
see docs/integrity.md.`,
  options,
  `Exit status: 0 nothing wrong, 1 problems, 2 usage error or unreadable file, 130 interrupted.`,
);

const LIFECYCLE_PREFIX = 'audit.';
const V1 = 0x31;
// Offsets of a row's header in the sink's layout (`{"v":2,"id":"<36>","emitted_at":"<24>",…`).
const ID_START = 13;
const ID_END = ID_START + 36;
const EMITTED_AT_START = ID_END + '","emitted_at":"'.length;
const EMITTED_AT_SECOND_END = EMITTED_AT_START + 'YYYY-MM-DDTHH:MM:SS'.length;
const EMITTED_AT_END = EMITTED_AT_START + 24;

/** What `verify --json` prints. */
export interface VerifyOutput extends VerifyResult {
  /** No problem. */
  readonly ok: boolean;
  readonly path: string;
  /** The files read, oldest first. */
  readonly files: readonly { readonly path: string; readonly lines: number }[];
  /** The seal's check, when the file is sealed or a public key was given; null otherwise. */
  readonly seal: SealReport | null;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({
      args: [...args],
      options: parseArgsOptions(options),
      strict: true,
    }),
  );
  const path = resolveLogPathOption(values.path, io);
  const publicKeys = (values['public-key'] ?? []).map((key) => resolve(io.cwd, key));
  if (publicKeys.length > 0) {
    // Read once here, so that a bad key is a usage error before any file is read.
    try {
      await loadSealVerifier(publicKeys);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  const checkpointsPath = values.checkpoints === undefined ? sealPaths(path).checkpoints : resolve(io.cwd, values.checkpoints);
  const database = values['database-url'] === undefined ? undefined : await readDatabaseOptions(values, path, checkpointsPath);
  const sealed = publicKeys.length > 0 || database !== undefined || (await isFile(checkpointsPath));
  const chain = await openAuditChain(path);
  const verifier = new ChainVerifier({ listLimit: LIST_LIMIT });
  const sealCheck = sealed
    ? startSealCheck({
        files: chain.map((file) => ({ fd: file.handle.fd, path: file.path, size: file.size, finished: file.index > 0 })),
        checkpointsPath,
        leavesPath: values.checkpoints === undefined ? sealPaths(path).leaves : null,
        publicKeyPaths: publicKeys,
        listLimit: LIST_LIMIT,
        database,
      })
    : null;
  const files: { path: string; lines: number }[] = [];
  let seal: SealReport | null = null;
  try {
    for (const [index, file] of chain.entries()) {
      verifier.startFile(file.path, index === 0);
      const reader = new LineVerifier(verifier);
      let lines: number;
      try {
        lines = await readLineBytesForward(file.handle, reader.visit, { signal: io.signal, end: file.size });
      } catch (error) {
        throw new UsageError(`${file.path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      reader.endOfFile();
      files.push({ path: file.path, lines });
      if (io.signal?.aborted === true) return EXIT_INTERRUPTED;
    }
    try {
      seal = sealCheck === null ? null : await sealCheck.report;
    } catch (error) {
      throw new UsageError(`${checkpointsPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } finally {
    // The seal check reads through the same descriptors: it ends before they are closed.
    await sealCheck?.stop();
    await Promise.all(chain.map((file) => file.handle.close()));
  }

  const result = verifier.finish();
  const output: VerifyOutput = { ok: result.problem_count === 0 && (seal?.problem_count ?? 0) === 0, path, files, ...result, seal };
  const out = new LineWriter(io.stdout);
  if (values.json === true) {
    // Paths are the operator's, but may hold any character: none is printed raw.
    await out.line(escapeJsonControls(JSON.stringify(output, null, 2)));
  } else {
    for (const line of formatHuman(output)) if (out.add(escapeTerminalText(line))) await out.flush();
  }
  await out.flush();
  return output.ok ? EXIT_OK : EXIT_PROBLEMS;
}

/**
 * Where the anchored checkpoints are: the URL, the event table (its checkpoints are in
 * `<table>_checkpoints`) and the log's origin: `--origin`, else the one in the checkpoints
 * file or the sealer's state. Checked before anything connects.
 */
async function readDatabaseOptions(
  values: { readonly 'database-url'?: string | undefined; readonly table?: string | undefined; readonly origin?: string | undefined },
  path: string,
  checkpointsPath: string,
): Promise<{ url: string; table: string; origin: string }> {
  const url = values['database-url'] ?? '';
  if (url.trim() === '') throw new UsageError('--database-url: must not be empty');
  const { parseSubstrateTable } = await import('@kora/audit-substrate-pg');
  let table: string;
  try {
    table = parseSubstrateTable(values.table).name;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const origin = values.origin ?? (await readLogOrigin(path, checkpointsPath));
  if (origin === undefined) {
    throw new UsageError(`--origin is required: ${checkpointsPath} holds no checkpoint to read the log's origin from`);
  }
  return { url, table, origin };
}

/** The log's origin, from its first checkpoint or the sealer's state; undefined when neither has one. */
async function readLogOrigin(path: string, checkpointsPath: string): Promise<string | undefined> {
  try {
    for await (const line of readCheckpointLines(checkpointsPath)) if (line.ok) return line.record.origin;
  } catch {
    // Unreadable: the state may still say.
  }
  try {
    const state = JSON.parse(await readFile(sealPaths(path).state, 'utf8')) as { origin?: unknown };
    return typeof state.origin === 'string' && state.origin !== '' ? state.origin : undefined;
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

let lifecycleSchemas: LifecycleSchemas | undefined;

/**
 * The lines of one file, in order, into the chain's account. Rows as the sink writes them are
 * checked on their bytes and their writer and seq read from their end; any other line goes to
 * the core's classifier, which has the final word. Lifecycle rows are parsed and checked
 * against their seam's allow-list.
 */
class LineVerifier {
  /** A torn head waiting for the next line: a row there recovers it. */
  private tornHead: number | null = null;
  // The second (`YYYY-MM-DDTHH:MM:SS`) of the last row whose time was checked: rows come many a second.
  private checkedSecond = Buffer.alloc(EMITTED_AT_SECOND_END - EMITTED_AT_START);

  constructor(private readonly verifier: ChainVerifier) {}

  readonly visit = (bytes: Buffer | null, from: number, to: number, line: number, terminated: boolean): void | Promise<void> => {
    if (!terminated) {
      this.settleTornHead(false);
      this.verifier.note({ kind: 'torn_last_line', file: this.verifier.name(), line });
      return;
    }
    if (bytes !== null && readSinkRowBytes(bytes, from, to) !== undefined && this.validTime(bytes, from)) {
      this.settleTornHead(true);
      if (bytes[from + 5] === V1) {
        this.verifier.v1Row();
        return;
      }
      // Vouched for as a version 2 row: it has a writer and a seq.
      const { writer, seq } = readSinkRowWriter(bytes, from, to)!;
      const id = bytes.toString('latin1', from + ID_START, from + ID_END);
      const seamStart = from + EMITTED_AT_END + '","seam":"'.length;
      if (bytes[seamStart] === 0x61 && bytes.toString('latin1', seamStart, seamStart + LIFECYCLE_PREFIX.length) === LIFECYCLE_PREFIX) {
        // Printable ASCII: its bytes are its text.
        const row = JSON.parse(bytes.toString('latin1', from, to)) as { seam: SeamName; details: unknown };
        return this.lifecycleRow(line, writer, seq, id, row.seam, row.details);
      }
      this.verifier.row(line, writer, seq, id);
      return;
    }
    const text = bytes === null ? null : bytes.toString('utf8', from, to);
    const classified = classifyAuditLine(text);
    if (classified instanceof Promise) return classified.then((settled) => this.classified(line, text, bytes, from, settled));
    return this.classified(line, text, bytes, from, classified);
  };

  /** The file ended: a torn head with no row after it is not recovered. */
  endOfFile(): void {
    this.settleTornHead(false);
  }

  private classified(
    line: number,
    text: string | null,
    bytes: Buffer | null,
    from: number,
    classified: AuditLineClass,
  ): void | Promise<void> {
    const { verifier } = this;
    if (classified.kind === 'row') {
      this.settleTornHead(true);
      // A whole row glued after a torn head: its emit was acknowledged, the head is a torn write.
      if (classified.afterTornHead === true) verifier.note({ kind: 'torn_write', file: verifier.name(), line });
      const { entry } = classified;
      if (entry.v === 1 || entry.writer === undefined || entry.seq === undefined) {
        verifier.v1Row();
        return;
      }
      if (entry.seam.startsWith(LIFECYCLE_PREFIX))
        return this.lifecycleRow(line, entry.writer, entry.seq, entry.id, entry.seam, entry.details);
      verifier.row(line, entry.writer, entry.seq, entry.id);
      return;
    }
    this.settleTornHead(false);
    if (classified.kind === 'blank') {
      verifier.note({ kind: 'blank_line', file: verifier.name(), line });
    } else if (classified.kind === 'malformed' && text !== null && bytes !== null && hasRowPrefix(bytes, from)) {
      // The head of a row whose write was cut short, if a row follows.
      this.tornHead = line;
    } else {
      verifier.invalidLine(line, classified.kind === 'invalid' ? classified.reason : text === null ? 'too_long' : 'malformed');
    }
  }

  private lifecycleRow(line: number, writer: string, seq: number, id: string, seam: SeamName, details: unknown): void | Promise<void> {
    if (lifecycleSchemas === undefined) {
      return loadLifecycleSchemas().then((schemas) => {
        lifecycleSchemas = schemas;
        // Loaded now: this call answers at once.
        return this.lifecycleRow(line, writer, seq, id, seam, details);
      });
    }
    const row = checkLifecycle(lifecycleSchemas, seam, details);
    if (row.seam === 'invalid') this.verifier.invalidLine(line, 'invalid_details');
    this.verifier.row(line, writer, seq, id, row);
  }

  private settleTornHead(rowFollows: boolean): void {
    if (this.tornHead === null) return;
    if (rowFollows) this.verifier.note({ kind: 'torn_write', file: this.verifier.name(), line: this.tornHead });
    else this.verifier.invalidLine(this.tornHead, 'malformed');
    this.tornHead = null;
  }

  /**
   * Whether the row's time is one a `Date` can hold, as the classifier demands: its shape was
   * checked with the row, so only the second needs a look, once per second of rows.
   */
  private validTime(bytes: Buffer, from: number): boolean {
    const start = from + EMITTED_AT_START;
    const secondEnd = from + EMITTED_AT_SECOND_END;
    if (bytes.compare(this.checkedSecond, 0, this.checkedSecond.length, start, secondEnd) === 0) return true;
    if (Number.isNaN(Date.parse(bytes.toString('latin1', start, from + EMITTED_AT_END)))) return false;
    bytes.copy(this.checkedSecond, 0, start, secondEnd);
    return true;
  }
}

/** An `audit.*` row's details by its seam's allow-list. */
function checkLifecycle(schemas: LifecycleSchemas, seam: SeamName, details: unknown): LifecycleRow {
  if (seam === 'audit.opened') {
    const parsed = schemas['audit.opened'].safeParse(details);
    if (parsed.success) return { seam, details: parsed.data };
  } else if (seam === 'audit.lost') {
    const parsed = schemas['audit.lost'].safeParse(details);
    if (parsed.success) return { seam, details: parsed.data };
  } else if (seam === 'audit.closed') {
    const parsed = schemas['audit.closed'].safeParse(details);
    if (parsed.success) return { seam, details: parsed.data };
  }
  return { seam: 'invalid' };
}

/** The human report: a line per writer, per problem and per note, and a summary. Escaped by the caller. */
function formatHuman(output: VerifyOutput): string[] {
  const lines: string[] = [];
  const fileNames = output.files.map((file) => file.path);
  lines.push(
    `verify ${output.path}: ${output.files.length} file${output.files.length === 1 ? '' : 's'} (${fileNames.join(', ')}), ${count(output.rows, 'row')}, ${count(output.writers.length, 'writer')}`,
  );
  for (const writer of output.writers) lines.push(formatWriter(writer));
  if (output.v1_rows > 0) lines.push(`${count(output.v1_rows, 'v1 row')}: no writer, cannot be accounted for`);
  for (const problem of output.problems) lines.push(`${problem.file}:${problem.line}: ${problem.kind}: ${describeProblem(problem)}`);
  if (output.problem_count > output.problems.length) {
    lines.push(`... and ${output.problem_count - output.problems.length} more problems`);
  }
  for (const note of output.notes) {
    const detail =
      note.kind === 'began_before_chain'
        ? `: writer ${note.writer}: first row seq ${note.first_seq}, in the oldest file: its earlier rows may be in files retention deleted`
        : '';
    lines.push(`${note.file}:${note.line}: note: ${note.kind}${detail}`);
  }
  if (output.note_count > output.notes.length) lines.push(`... and ${output.note_count - output.notes.length} more notes`);
  if (output.seal !== null) lines.push(...formatSeal(output.seal));
  const byKind = Object.entries(output.problems_by_kind)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  if (output.ok) {
    lines.push(
      output.seal === null || output.seal.checkpoints === 0
        ? 'ok: every row of every writer is accounted for'
        : `ok: every row of every writer is accounted for, and every sealed line is as it was sealed${output.seal.signatures_checked ? '' : ' (signatures not checked: give --public-key)'}`,
    );
  } else {
    const sealKinds = Object.entries(output.seal?.problems_by_kind ?? {})
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ${n}`);
    const total = output.problem_count + (output.seal?.problem_count ?? 0);
    lines.push(`${count(total, 'problem')}: ${[byKind, ...sealKinds].filter((part) => part !== '').join(', ')}`);
  }
  return lines;
}

/** The seal's part of the human report. */
function formatSeal(seal: SealReport): string[] {
  const lines: string[] = [];
  const last = seal.last_checkpoint;
  const signed = seal.signatures_checked
    ? seal.signed_by.length === 0
      ? 'no signature verified'
      : `signed by ${seal.signed_by.join(', ')}`
    : 'signatures not checked (no --public-key)';
  lines.push(
    `seal: origin ${seal.origin ?? '(none)'}; ${count(seal.checkpoints, 'checkpoint')}${seal.checkpoints_from_database > 0 ? ` (${seal.checkpoints_from_database} from the database)` : ''}; ${signed}; ${
      last === null
        ? 'no checkpoint matched'
        : `newest good checkpoint size ${last.size}${last.sealed_at === '' ? '' : ` sealed ${last.sealed_at}`}`
    }`,
  );
  for (const problem of seal.problems) lines.push(`${problem.file}:${problem.line}: ${problem.kind}: ${describeSealProblem(problem)}`);
  if (seal.problem_count > seal.problems.length) lines.push(`... and ${seal.problem_count - seal.problems.length} more seal problems`);
  if (seal.unsealed_lines > 0 && seal.first_unsealed !== null) {
    lines.push(
      `${seal.first_unsealed.file}:${seal.first_unsealed.line}: note: unsealed: ${count(seal.unsealed_lines, 'line')} from here are after the newest checkpoint`,
    );
  }
  if (seal.removed_lines > 0) {
    lines.push(
      `note: removed_lines: the ${count(seal.removed_lines, 'sealed line')} before the chain's first line are gone (files retention deleted, or lines removed from the oldest file's head); their sealed hashes in the leaves file stood in for them`,
    );
  }
  if (seal.torn_checkpoint !== null) {
    lines.push(
      `${seal.torn_checkpoint.file}:${seal.torn_checkpoint.line}: note: torn_checkpoint: the last checkpoint line was cut short (a sealer stopped while writing it)`,
    );
  }
  return lines;
}

/** What a seal problem is, in words: sizes, places and reasons only. */
function describeSealProblem(problem: SealProblem): string {
  switch (problem.kind) {
    case 'seal_missing':
      return 'a public key was given but the file has no checkpoint';
    case 'seal_not_anchored':
      return `the database holds no checkpoint of the log ${problem.origin}: nothing anchored it off the host`;
    case 'seal_mismatch': {
      const where = `${problem.checkpoint.file}:${problem.checkpoint.line}`;
      if (problem.exact)
        return `the first line that differs from what checkpoint ${where} (size ${problem.size}) sealed: changed, inserted, removed or moved`;
      const after = problem.after === undefined ? '' : ` after ${problem.after.file}:${problem.after.line}`;
      return `the chain's first ${problem.size} lines do not have the root of checkpoint ${where}: a line${after}, up to this one, was changed, inserted, removed or moved`;
    }
    case 'seal_truncated':
      if (problem.exact) {
        return `the first line that differs from what checkpoint ${problem.checkpoint.file}:${problem.checkpoint.line} (size ${problem.size}) sealed; the chain holds ${problem.lines} lines: lines were removed`;
      }
      return `the chain ends here after ${problem.lines} lines, but checkpoint ${problem.checkpoint.file}:${problem.checkpoint.line} sealed ${problem.size}: lines were removed`;
    case 'seal_unchecked_line':
      return 'a line too long to be read whole: its leaf cannot be checked';
    case 'checkpoint_invalid':
      return `not a checkpoint record (${problem.reason})`;
    case 'checkpoint_signature':
      return `checkpoint size ${problem.size}: its signature does not verify with the given keys (${problem.reason})`;
    case 'checkpoint_order':
      return problem.reason === 'size_decreased'
        ? `checkpoint size ${problem.size} is smaller than the one before it`
        : `checkpoint size ${problem.size} names another log (origin) than the first checkpoint`;
  }
}

function formatWriter(writer: WriterReport): string {
  const opened =
    writer.host === null
      ? 'opened row not in the chain'
      : `host ${writer.host} pid ${writer.pid} mode ${writer.mode} batch_size ${writer.batch_size}`;
  const reasons = Object.entries(writer.lost_by_reason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`);
  const lost = `lost ${writer.lost}${reasons.length === 0 ? '' : ` (${reasons.join(', ')})`}`;
  const missing = writer.missing > 0 ? `, missing ${writer.missing}` : '';
  let ending: string;
  if (writer.closed) ending = `closed (${writer.trigger})`;
  else if (writer.may_have_lost_at_most === null) ending = 'not closed (mode unknown: what it may have lost cannot be told)';
  else if (writer.mode === 'batched') ending = `not closed: may have lost up to ${writer.may_have_lost_at_most} rows (its unwritten batch)`;
  else ending = 'not closed: sync, no acknowledged row lost';
  return `writer ${writer.writer}: ${opened}; seq ${writer.first_seq}-${writer.last_seq}, rows ${writer.rows}, ${lost}${missing}; ${ending}`;
}

/** What a problem is, in words: ids, seqs, counts and kinds only. */
function describeProblem(problem: VerifyProblem): string {
  switch (problem.kind) {
    case 'gap':
      return `writer ${problem.writer}: ${seqs(problem.first, problem.last)} missing before this row, named by no audit.lost row`;
    case 'duplicate':
      return problem.reason === 'seq'
        ? `writer ${problem.writer}: ${seqRun(problem.seq, problem.rows)} seen before (a copy)`
        : `writer ${problem.writer}: ${seqRun(problem.seq, problem.rows)}: its id is not after the previous row's (a copy, renumbered)`;
    case 'out_of_order':
      return `writer ${problem.writer}: ${seqRun(problem.seq, problem.rows)} after a higher seq`;
    case 'after_closed':
      return `writer ${problem.writer}: ${seqRun(problem.seq, problem.rows)} after its audit.closed row`;
    case 'invalid_line':
      return `not a row (${problem.reason})`;
    case 'count_mismatch': {
      const expected =
        problem.expected_min === problem.expected_max ? `${problem.expected_min}` : `${problem.expected_min} to ${problem.expected_max}`;
      return `writer ${problem.writer}: audit.closed says ${problem.field} ${problem.found}, expected ${expected}`;
    }
    case 'loss_mismatch':
      return `writer ${problem.writer}: audit.lost names ${seqs(problem.first, problem.last)}: ${LOSS_MISMATCH_WORDS[problem.reason]}`;
    case 'opened_mismatch':
      return `writer ${problem.writer}: seq ${problem.seq}: ${OPENED_MISMATCH_WORDS[problem.reason]}`;
  }
}

const LOSS_MISMATCH_WORDS = {
  present: 'in the chain',
  named_twice: 'named by an earlier audit.lost row',
  not_before_loss_row: 'not before the audit.lost row itself',
  not_a_range: 'not a range (first after last)',
  rows_count: 'its rows count disagrees with its ranges',
} as const;

const OPENED_MISMATCH_WORDS = {
  first_row_not_opened: 'the first row is not an audit.opened row',
  opened_not_first: 'an audit.opened row that is not the first',
  id_not_writer: "the audit.opened row's id is not the writer's",
} as const;

function seqs(first: number, last: number): string {
  return first === last ? `seq ${first}` : `seqs ${first}-${last}`;
}

function seqRun(seq: number, rows: number): string {
  return rows === 1 ? `seq ${seq}` : `seqs ${seq}-${seq + rows - 1}`;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}

/** `kora-audit verify`: account for every row of every writer in an audit file chain. */
export const verifyCommand: Command = {
  name: 'verify',
  usage,
  options,
  run,
};
