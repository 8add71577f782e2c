import { LOSS_REASONS, addRange, countSeqsWithin } from '@kora/audit-sink/reader';
import type { AuditClosedDetails, AuditLostDetails, AuditOpenedDetails, CloseTrigger, LossReason, SeqRange } from '@kora/audit-sink/reader';

/** What `kora-audit verify` fails on (exit 1). */
export const PROBLEM_KINDS = [
  'gap',
  'duplicate',
  'out_of_order',
  'after_closed',
  'invalid_line',
  'count_mismatch',
  'loss_mismatch',
  'opened_mismatch',
] as const;

/** One of {@link PROBLEM_KINDS}. */
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** What `kora-audit verify` reports without failing. */
export const NOTE_KINDS = ['began_before_chain', 'torn_write', 'torn_last_line', 'blank_line'] as const;

/** One of {@link NOTE_KINDS}. */
export type NoteKind = (typeof NOTE_KINDS)[number];

/** A line of a file of the chain: the file as named on the command line or found beside it, 1-based line. */
interface Place {
  readonly file: string;
  readonly line: number;
}

/**
 * A problem, at the line that shows it. Every value is an id, a sequence number, a count or a
 * kind: nothing of a row's details.
 */
export type VerifyProblem = Place &
  (
    | /** Seqs `first`-`last` of `writer` are not in the chain and no `audit.lost` row names them; `line` is the row after them. */
      { readonly kind: 'gap'; readonly writer: string; readonly first: number; readonly last: number }
      /**
       * A row whose seq (or, `reason` id, whose id) was seen before in its writer: a copy. `rows`
       * counts the rows of a run of consecutive seqs, from `seq`.
       */
    | {
        readonly kind: 'duplicate';
        readonly writer: string;
        readonly seq: number;
        readonly reason: 'seq' | 'id_not_increasing';
        rows: number;
      }
    /** A row whose seq was missing so far, lower than one already seen: rows moved. `rows` as for a duplicate. */
    | { readonly kind: 'out_of_order'; readonly writer: string; readonly seq: number; rows: number }
    /** A row of a writer after its `audit.closed` row. `rows` as for a duplicate. */
    | { readonly kind: 'after_closed'; readonly writer: string; readonly seq: number; rows: number }
    /** A line that is not a row the sink writes: `malformed`, `invalid_<key>` (the envelope's word), `invalid_details` (an audit.* row's). */
    | { readonly kind: 'invalid_line'; readonly reason: string }
    /** A counter of an `audit.closed` row that disagrees with what the chain holds of its writer. */
    | {
        readonly kind: 'count_mismatch';
        readonly writer: string;
        readonly field: string;
        readonly found: number;
        readonly expected_min: number;
        readonly expected_max: number;
      }
    /** An `audit.lost` row naming seqs `first`-`last` that are in the chain, named before, not before it, or miscounted. */
    | {
        readonly kind: 'loss_mismatch';
        readonly writer: string;
        readonly first: number;
        readonly last: number;
        readonly reason: 'present' | 'named_twice' | 'not_before_loss_row' | 'not_a_range' | 'rows_count';
      }
    /** Seq 1 that is not an `audit.opened` row whose id is the writer's, or an `audit.opened` row elsewhere. */
    | {
        readonly kind: 'opened_mismatch';
        readonly writer: string;
        readonly seq: number;
        readonly reason: 'first_row_not_opened' | 'opened_not_first' | 'id_not_writer';
      }
  );

/** Something verify reports that is not wrong. */
export type VerifyNote = Place &
  (
    | /** The writer's first seqs are not in the chain, and its first row is in the oldest file: older files may have been deleted. */
      { readonly kind: 'began_before_chain'; readonly writer: string; readonly first_seq: number }
      /** A torn head of a row (its writer stopped mid-write) that the next row recovers from. */
    | { readonly kind: 'torn_write' }
    /** The file's last line has no newline: its writer is mid-write, or stopped there. */
    | { readonly kind: 'torn_last_line' }
    /** An empty line. */
    | { readonly kind: 'blank_line' }
  );

/** What verify reports of one writer. */
export interface WriterReport {
  readonly writer: string;
  /** From its `audit.opened` row; null when that row is not in the chain. */
  readonly host: string | null;
  readonly pid: number | null;
  readonly mode: 'sync' | 'batched' | null;
  readonly batch_size: number | null;
  /** The lowest and highest seq of its rows in the chain. */
  readonly first_seq: number;
  readonly last_seq: number;
  /** Its rows in the chain, each seq once. */
  readonly rows: number;
  /** Seqs its `audit.lost` rows name, by reason. */
  readonly lost: number;
  readonly lost_by_reason: Partial<Record<LossReason, number>>;
  /** Seqs up to `last_seq` neither in the chain nor named as lost: the gaps reported. */
  readonly missing: number;
  /** Its first seqs are not in the chain and its first row is in the oldest file (note `began_before_chain`). */
  readonly began_before_chain: boolean;
  /** Whether its `audit.closed` row is in the chain, and what closed it. */
  readonly closed: boolean;
  readonly trigger: CloseTrigger | null;
  /**
   * Rows it may have lost that nothing in the chain can show, for a writer that did not close:
   * fewer than its batch size when batched (the unwritten batch of a crash), 0 in sync mode
   * (every acknowledged row was written), null when its mode is unknown. 0 once closed.
   */
  readonly may_have_lost_at_most: number | null;
  /** The file and line of its first and last row in the chain. */
  readonly first: Place;
  readonly last: Place;
}

/** Everything verify found. */
export interface VerifyResult {
  /** Lines that are rows (each copy counted). */
  readonly rows: number;
  /** Rows of envelope version 1: they name no writer, so nothing can account for them. */
  readonly v1_rows: number;
  readonly writers: WriterReport[];
  /** The first problems in chain order, at most the limit; `problem_count` counts them all. */
  readonly problems: VerifyProblem[];
  readonly problem_count: number;
  readonly problems_by_kind: Record<ProblemKind, number>;
  readonly notes: VerifyNote[];
  readonly note_count: number;
  readonly notes_by_kind: Record<NoteKind, number>;
}

/** A writer's `audit.*` row with its details checked by the seam's allow-list, or `invalid` when they fail it. */
export type LifecycleRow =
  | { readonly seam: 'audit.opened'; readonly details: AuditOpenedDetails }
  | { readonly seam: 'audit.lost'; readonly details: AuditLostDetails }
  | { readonly seam: 'audit.closed'; readonly details: AuditClosedDetails }
  | { readonly seam: 'invalid' };

/** Seqs `first`-`last` not seen, with the place of the row after them. */
interface MissingRange {
  first: number;
  last: number;
  readonly file: number;
  readonly line: number;
  /** Below the writer's first row, which is in the oldest file. */
  readonly beforeChain: boolean;
}

/** A run of problems of one kind on consecutive seqs of one writer, folded into one. */
interface ProblemRun {
  readonly problem: { rows: number };
  readonly kind: ProblemKind;
  readonly reason: string;
  nextSeq: number;
}

/** What is known of one writer so far: O(its gaps and its losses), whatever its rows. */
interface WriterAccount {
  readonly writer: string;
  opened: AuditOpenedDetails | null;
  /** The lowest seq of its rows in the chain. */
  lowestSeq: number;
  readonly firstFile: number;
  readonly firstLine: number;
  lastFile: number;
  lastLine: number;
  /** The highest seq seen (rows after its closing aside), and the id of that row. */
  lastSeq: number;
  lastId: string;
  rows: number;
  /** Ascending, disjoint. */
  missing: MissingRange[];
  /** Seqs named by its loss rows, ascending and disjoint. */
  named: SeqRange[];
  lostByReason: Partial<Record<LossReason, number>>;
  lost: number;
  closed: CloseTrigger | null;
  run: ProblemRun | null;
}

/** Options of {@link ChainVerifier}. */
export interface ChainVerifierOptions {
  /** How many problems, and notes, are kept to be listed (all are counted). */
  readonly listLimit: number;
}

/**
 * The account of every writer in an audit file chain, built row by row in chain order (oldest
 * file first). Memory grows with writers and with the gaps in their sequences, never with rows:
 * a writer's rows must come in seq order, so its highest seq and the ranges still missing below
 * it say which seqs were seen.
 */
export class ChainVerifier {
  private readonly files: string[] = [];
  private oldestFile = 0;
  private readonly writers = new Map<string, WriterAccount>();
  private readonly problems: (VerifyProblem & { readonly fileIndex: number })[] = [];
  private readonly notes: (VerifyNote & { readonly fileIndex: number })[] = [];
  private readonly problemsByKind = Object.fromEntries(PROBLEM_KINDS.map((kind) => [kind, 0])) as Record<ProblemKind, number>;
  private readonly notesByKind = Object.fromEntries(NOTE_KINDS.map((kind) => [kind, 0])) as Record<NoteKind, number>;
  private rows = 0;
  private v1Rows = 0;
  private file = -1;

  constructor(private readonly options: ChainVerifierOptions) {}

  /** The next file of the chain begins; `oldest` for the first, which retention may have preceded by others. */
  startFile(name: string, oldest: boolean): void {
    this.file = this.files.push(name) - 1;
    if (oldest) this.oldestFile = this.file;
  }

  /** A row of envelope version 1. */
  v1Row(): void {
    this.rows += 1;
    this.v1Rows += 1;
  }

  /** A line that is not a row the sink writes. */
  invalidLine(line: number, reason: string): void {
    this.problem({ kind: 'invalid_line', file: this.name(), line, reason });
  }

  /** Something to report that is not wrong. */
  note(note: VerifyNote): void {
    this.notesByKind[note.kind] += 1;
    if (this.notes.length < this.options.listLimit) this.notes.push({ ...note, fileIndex: this.file });
  }

  /** The name of the file being read. */
  name(): string {
    return this.files[this.file] ?? '';
  }

  /** A row of envelope version 2 at `line` of the current file. `lifecycle` for an `audit.*` row. */
  row(line: number, writer: string, seq: number, id: string, lifecycle?: LifecycleRow): void {
    this.rows += 1;
    let account = this.writers.get(writer);
    if (account === undefined) {
      account = this.openAccount(writer, seq, line);
      this.writers.set(writer, account);
    }
    if (seq > account.lastSeq) {
      if (account.closed !== null) {
        this.runProblem(account, 'after_closed', seq, line);
        return;
      }
      if (seq > account.lastSeq + 1) {
        account.missing.push({ first: account.lastSeq + 1, last: seq - 1, file: this.file, line, beforeChain: false });
      }
      // A writer's ids are made in the order of its seqs: a lower one is a copy of an earlier row, renumbered.
      const idInOrder = id > account.lastId;
      account.lastSeq = seq;
      account.lastId = id;
      account.run = null;
      if (!idInOrder) this.runProblem(account, 'duplicate', seq, line, 'id_not_increasing');
    } else if (removeMissing(account.missing, seq, seq) === 1) {
      this.runProblem(account, 'out_of_order', seq, line);
      if (seq < account.lowestSeq) account.lowestSeq = seq;
    } else {
      this.runProblem(account, 'duplicate', seq, line, 'seq');
      return;
    }
    account.rows += 1;
    account.lastFile = this.file;
    account.lastLine = line;
    this.checkOpening(account, seq, id, line, lifecycle);
    if (lifecycle?.seam === 'audit.lost') this.lose(account, seq, line, lifecycle.details);
    else if (lifecycle?.seam === 'audit.closed') this.close(account, seq, line, lifecycle.details);
  }

  /** The account of every writer, with the gaps left and the first problems and notes in chain order. */
  finish(): VerifyResult {
    const gaps: (VerifyProblem & { readonly fileIndex: number })[] = [];
    const began: (VerifyNote & { readonly fileIndex: number })[] = [];
    const writers: WriterReport[] = [];
    for (const account of this.writers.values()) {
      let missing = 0;
      let beforeChain: MissingRange | undefined;
      for (const range of account.missing) {
        if (range.beforeChain) {
          beforeChain ??= range;
          continue;
        }
        missing += range.last - range.first + 1;
        this.problemsByKind.gap += 1;
        gaps.push({
          kind: 'gap',
          file: this.files[range.file] ?? '',
          fileIndex: range.file,
          line: range.line,
          writer: account.writer,
          first: range.first,
          last: range.last,
        });
      }
      if (beforeChain !== undefined) {
        this.notesByKind.began_before_chain += 1;
        began.push({
          kind: 'began_before_chain',
          file: this.files[beforeChain.file] ?? '',
          fileIndex: beforeChain.file,
          line: beforeChain.line,
          writer: account.writer,
          first_seq: account.lowestSeq,
        });
      }
      const opened = account.opened;
      writers.push({
        writer: account.writer,
        host: opened?.host ?? null,
        pid: opened?.pid ?? null,
        mode: opened?.mode ?? null,
        batch_size: opened?.batch_size ?? null,
        first_seq: account.lowestSeq,
        last_seq: account.lastSeq,
        rows: account.rows,
        lost: account.lost,
        lost_by_reason: account.lostByReason,
        missing,
        began_before_chain: beforeChain !== undefined,
        closed: account.closed !== null,
        trigger: account.closed,
        may_have_lost_at_most: account.closed !== null ? 0 : opened === null ? null : opened.mode === 'batched' ? opened.batch_size - 1 : 0,
        first: { file: this.files[account.firstFile] ?? '', line: account.firstLine },
        last: { file: this.files[account.lastFile] ?? '', line: account.lastLine },
      });
    }
    const listed = this.firstInChain([...this.problems, ...gaps]) as VerifyProblem[];
    const notes = this.firstInChain([...this.notes, ...began]) as VerifyNote[];
    return {
      rows: this.rows,
      v1_rows: this.v1Rows,
      writers,
      problems: listed,
      problem_count: PROBLEM_KINDS.reduce((sum, kind) => sum + this.problemsByKind[kind], 0),
      problems_by_kind: { ...this.problemsByKind },
      notes,
      note_count: NOTE_KINDS.reduce((sum, kind) => sum + this.notesByKind[kind], 0),
      notes_by_kind: { ...this.notesByKind },
    };
  }

  /** The first of `items` in chain order, up to the limit, without their file index. */
  private firstInChain(items: readonly ({ readonly fileIndex: number; readonly line: number } & object)[]): object[] {
    return [...items]
      .sort((left, right) => left.fileIndex - right.fileIndex || left.line - right.line)
      .slice(0, this.options.listLimit)
      .map(({ fileIndex: _fileIndex, ...item }) => item);
  }

  private openAccount(writer: string, seq: number, line: number): WriterAccount {
    const account: WriterAccount = {
      writer,
      opened: null,
      lowestSeq: seq,
      firstFile: this.file,
      firstLine: line,
      lastFile: this.file,
      lastLine: line,
      lastSeq: 0,
      lastId: '',
      rows: 0,
      missing: [],
      named: [],
      lostByReason: {},
      lost: 0,
      closed: null,
      run: null,
    };
    // Its opening is not in the chain: a gap, unless the chain may have lost older files.
    if (seq > 1) {
      account.missing.push({ first: 1, last: seq - 1, file: this.file, line, beforeChain: this.file === this.oldestFile });
      account.lastSeq = seq - 1;
    }
    return account;
  }

  /** Count a problem, and keep it to be listed while there is room; the kept object is returned, to be added to. */
  private problem(problem: VerifyProblem): VerifyProblem {
    this.problemsByKind[problem.kind] += 1;
    const kept = { ...problem, fileIndex: this.file };
    if (this.problems.length < this.options.listLimit) this.problems.push(kept);
    return kept;
  }

  /** A problem with one row, folded into the writer's run of the same kind on the seq before. */
  private runProblem(
    account: WriterAccount,
    kind: 'duplicate' | 'out_of_order' | 'after_closed',
    seq: number,
    line: number,
    reason: 'seq' | 'id_not_increasing' = 'seq',
  ): void {
    const run = account.run;
    if (run !== null && run.kind === kind && run.reason === reason && run.nextSeq === seq) {
      run.problem.rows += 1;
      run.nextSeq += 1;
      return;
    }
    const place = { file: this.name(), line, writer: account.writer, seq, rows: 1 };
    const problem = this.problem(kind === 'duplicate' ? { kind, ...place, reason } : { kind, ...place }) as { rows: number };
    account.run = { problem, kind, reason, nextSeq: seq + 1 };
  }

  private checkOpening(account: WriterAccount, seq: number, id: string, line: number, lifecycle: LifecycleRow | undefined): void {
    const place = { file: this.name(), line, writer: account.writer, seq };
    if (lifecycle?.seam === 'audit.opened') {
      if (seq !== 1) this.problem({ kind: 'opened_mismatch', ...place, reason: 'opened_not_first' });
      else if (id !== account.writer) this.problem({ kind: 'opened_mismatch', ...place, reason: 'id_not_writer' });
      else account.opened = lifecycle.details;
    } else if (seq === 1 && lifecycle?.seam !== 'invalid') {
      this.problem({ kind: 'opened_mismatch', ...place, reason: 'first_row_not_opened' });
    }
  }

  /** An `audit.lost` row: the seqs it names are accounted for, if they are missing. */
  private lose(account: WriterAccount, seq: number, line: number, details: AuditLostDetails): void {
    const mismatch = (
      first: number,
      last: number,
      reason: 'present' | 'named_twice' | 'not_before_loss_row' | 'not_a_range' | 'rows_count',
    ) => this.problem({ kind: 'loss_mismatch', file: this.name(), line, writer: account.writer, first, last, reason });
    let named = 0;
    for (const range of details.ranges) {
      named += range.last - range.first + 1;
      if (range.first > range.last) {
        mismatch(range.first, range.last, 'not_a_range');
        continue;
      }
      const last = Math.min(range.last, seq - 1);
      if (last < range.last) mismatch(Math.max(range.first, seq), range.last, 'not_before_loss_row');
      if (range.first > last) continue;
      const twice = countSeqsWithin(account.named, range.first, last);
      const fromMissing = removeMissing(account.missing, range.first, last);
      if (twice > 0) mismatch(range.first, last, 'named_twice');
      if (last - range.first + 1 - twice - fromMissing > 0) mismatch(range.first, last, 'present');
      addRange(account.named, { first: range.first, last });
      account.lost += fromMissing;
      account.lostByReason[details.reason] = (account.lostByReason[details.reason] ?? 0) + fromMissing;
    }
    if (named !== details.rows) mismatch(details.ranges[0]?.first ?? 0, details.ranges.at(-1)?.last ?? 0, 'rows_count');
  }

  /**
   * An `audit.closed` row: its counters must agree with the chain. Seqs reported as gaps may be
   * counted by the writer as written or lost, so with gaps a counter has a range to fall in.
   */
  private close(account: WriterAccount, seq: number, line: number, details: AuditClosedDetails): void {
    account.closed = details.trigger;
    const mismatch = (field: string, found: number, expectedMin: number, expectedMax = expectedMin) => {
      if (found < expectedMin || found > expectedMax) {
        this.problem({
          kind: 'count_mismatch',
          file: this.name(),
          line,
          writer: account.writer,
          field,
          found,
          expected_min: expectedMin,
          expected_max: expectedMax,
        });
      }
    };
    // Counted only for a closing in seq order: one out of order is a problem already.
    if (seq !== account.lastSeq) return;
    mismatch('last_seq', details.last_seq, seq);
    mismatch('rows_made', details.rows_made, seq - 1);
    const unexplained = account.missing.reduce((sum, range) => sum + range.last - range.first + 1, 0);
    const present = account.rows - 1;
    mismatch('rows_written', details.rows_written, present, present + unexplained);
    const claimedLost = LOSS_REASONS.reduce((sum, reason) => sum + (details.rows_lost[reason] ?? 0), 0);
    mismatch('rows_lost', claimedLost, account.lost, account.lost + unexplained);
    mismatch('rows_written+rows_lost', details.rows_written + claimedLost, details.rows_made);
    for (const reason of LOSS_REASONS) {
      const named = account.lostByReason[reason] ?? 0;
      mismatch(`rows_lost.${reason}`, details.rows_lost[reason] ?? 0, named, named + unexplained);
    }
  }
}

/** Take seqs `first`-`last` out of `ranges`; how many were in it. */
function removeMissing(ranges: MissingRange[], first: number, last: number): number {
  let removed = 0;
  // Ranges mostly end at the writer's last seq: search from the end.
  let index = ranges.length - 1;
  while (index >= 0 && ranges[index]!.first > last) index -= 1;
  for (; index >= 0 && ranges[index]!.last >= first; index -= 1) {
    const range = ranges[index]!;
    const from = Math.max(range.first, first);
    const to = Math.min(range.last, last);
    if (from > to) continue;
    removed += to - from + 1;
    if (from === range.first && to === range.last) {
      ranges.splice(index, 1);
    } else if (from === range.first) {
      range.first = to + 1;
    } else if (to === range.last) {
      range.last = from - 1;
    } else {
      ranges.splice(index + 1, 0, { ...range, first: to + 1, last: range.last });
      range.last = from - 1;
    }
  }
  return removed;
}
