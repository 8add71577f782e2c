import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { HASH_SIZE, createTreeBuilder, hashLeaf, hashSubtree, openFileLeafHashes, verifierKeysFor, verifyNote } from '@kora/audit-seal';
import type { CheckpointRecord, SealVerifier, TreeBuilder } from '@kora/audit-seal';

/** What sealing problems `kora-audit verify` fails on (exit 1). */
export const SEAL_PROBLEM_KINDS = [
  'seal_missing',
  'seal_not_anchored',
  'seal_mismatch',
  'seal_truncated',
  'seal_unchecked_line',
  'checkpoint_invalid',
  'checkpoint_signature',
  'checkpoint_order',
] as const;

/** One of {@link SEAL_PROBLEM_KINDS}. */
export type SealProblemKind = (typeof SEAL_PROBLEM_KINDS)[number];

/** A line of the chain, or of the checkpoints file, or a row of the database's checkpoint table. */
export interface SealPlace {
  readonly file: string;
  readonly line: number;
}

/**
 * A sealing problem. `file:line` is the first bad line of the chain when it can be found (a
 * changed, inserted or removed line: the first leaf that differs), else the line where the
 * checkpoint's size ends; for a bad checkpoint, its line in the checkpoints file (or
 * `database:` and the size for one from PostgreSQL). Nothing of a row's content.
 */
export type SealProblem = SealPlace &
  (
    | {
        readonly kind: 'seal_mismatch';
        readonly size: number;
        /** Where the checkpoint is. */
        readonly checkpoint: SealPlace;
        /** True when file:line is the first line that differs; false when it is where the checkpoint's size ends. */
        readonly exact: boolean;
        /** The last line of the chain that the previous good checkpoint covers, when there is one. */
        readonly after?: SealPlace | undefined;
      }
    | {
        readonly kind: 'seal_truncated';
        readonly size: number;
        readonly lines: number;
        readonly checkpoint: SealPlace;
        /** True when file:line is the first line that differs from what was sealed; false when it is the chain's last line. */
        readonly exact: boolean;
      }
    | { readonly kind: 'seal_unchecked_line' }
    | { readonly kind: 'seal_missing' }
    | { readonly kind: 'seal_not_anchored'; readonly origin: string }
    | { readonly kind: 'checkpoint_invalid'; readonly reason: string }
    | { readonly kind: 'checkpoint_signature'; readonly size: number; readonly reason: string }
    | { readonly kind: 'checkpoint_order'; readonly size: number; readonly reason: 'size_decreased' | 'origin_changed' }
  );

/** A checkpoint to check, from the checkpoints file or the database. */
export interface CheckpointSource {
  readonly place: SealPlace;
  readonly record: CheckpointRecord;
}

/** A line of the checkpoints file that is no checkpoint: `torn` for a last line cut short (a sealer stopped mid-append). */
export interface InvalidCheckpoint {
  readonly place: SealPlace;
  readonly invalid: string;
  readonly torn: boolean;
}

/** What the sealing check found. */
export interface SealReport {
  /** Whether signatures were checked (a public key was given). */
  readonly signatures_checked: boolean;
  readonly origin: string | null;
  /** Checkpoints checked, from the file and the database. */
  readonly checkpoints: number;
  readonly checkpoints_from_database: number;
  /** Key names whose signatures verified. */
  readonly signed_by: readonly string[];
  /** The newest checkpoint that matched. */
  readonly last_checkpoint: { readonly size: number; readonly root: string; readonly sealed_at: string } | null;
  /** Lines of the chain that the newest good checkpoint covers, and those after it. */
  readonly sealed_lines: number;
  readonly unsealed_lines: number;
  /** The first line after the newest checkpoint. */
  readonly first_unsealed: SealPlace | null;
  /** Sealed lines before the chain's first, in files retention removed: their sealed hashes stood in for them. */
  readonly removed_lines: number;
  /** The checkpoints file's last line, cut short by a sealer that stopped while appending it (not a problem). */
  readonly torn_checkpoint: SealPlace | null;
  readonly problems: readonly SealProblem[];
  readonly problem_count: number;
  readonly problems_by_kind: Record<SealProblemKind, number>;
}

/** Options of {@link SealChecker}. */
export interface SealCheckerOptions {
  /** The checkpoints in order (the file's, merged by size with the database's). */
  readonly checkpoints: AsyncIterator<CheckpointSource | InvalidCheckpoint>;
  /** The trusted keys, or null to check roots only. */
  readonly verifier: SealVerifier | null;
  /** The leaves file the sealer keeps, to find the first bad line (optional). */
  readonly leavesPath: string | null;
  /** The origin whose anchored checkpoints the database was asked for, when it was: none there is a problem. */
  readonly anchoredOrigin?: string | undefined;
  readonly listLimit: number;
}

/** Where a problem is when the line is in a file retention removed: its line is its leaf number. */
export const REMOVED_FILES = '(files removed by retention)';

// Leaf hashes of the leaves file read at a time (2 MiB).
const LEAF_CHUNK = 65_536;

/**
 * The seal's account of an audit file chain, built line by line in chain order as `verify`
 * reads it: every line is a leaf of an RFC 6962 tree, and at each checkpoint's size the tree's
 * root must be the checkpoint's, whose signed note must verify with a trusted key. Memory stays
 * at the tree's frontier and one checkpoint at a time. When the leaves file is there, each
 * line's hash is also compared with the one sealed, so the first bad line can be named.
 */
export class SealChecker {
  private readonly builder: TreeBuilder = createTreeBuilder();
  private next: CheckpointSource | null = null;
  private done = false;
  private readonly problems: SealProblem[] = [];
  private readonly problemsByKind = Object.fromEntries(SEAL_PROBLEM_KINDS.map((kind) => [kind, 0])) as Record<SealProblemKind, number>;
  private origin: string | null = null;
  private checked = 0;
  private fromDatabase = 0;
  private readonly signers = new Set<string>();
  private lastGood: { size: number; root: string; sealed_at: string } | null = null;
  private lastSize = -1;
  private place: SealPlace = { file: '', line: 0 };
  // Where the leaf at the newest good checkpoint's size, and the one before, are.
  private lastGoodEnd: SealPlace | undefined;
  // The first line after the newest good checkpoint.
  private firstUnsealed: SealPlace | null = null;
  // Sealed lines of files retention removed, stood in for by their leaf hashes.
  private removedLeaves = 0;
  private tornCheckpoint: SealPlace | null = null;
  // The leaves file, read alongside, and the first leaf that differs from it.
  private readonly leaves: { descriptor: number; stored: number; buffer: Buffer; start: number; count: number } | null;
  private divergence: { index: number; place: SealPlace } | null = null;
  private readonly mismatches: {
    size: number;
    root: Buffer;
    from: number;
    problem: SealProblem & { kind: 'seal_mismatch' | 'seal_truncated' };
  }[] = [];

  constructor(private readonly options: SealCheckerOptions) {
    this.leaves = null;
    if (options.leavesPath !== null) {
      try {
        const descriptor = openSync(options.leavesPath, 'r');
        this.leaves = {
          descriptor,
          stored: Math.floor(fstatSync(descriptor).size / HASH_SIZE),
          buffer: Buffer.allocUnsafe(LEAF_CHUNK * HASH_SIZE),
          start: 0,
          count: 0,
        };
      } catch {
        this.leaves = null;
      }
    }
  }

  /**
   * Take the first checkpoint; a checkpoint of size 0 is checked at once. `firstLine`, the
   * chain's first line as it is now: when retention removed the oldest files, it is not the
   * first leaf that was sealed. If the leaves file holds its hash at leaf K, the K sealed leaf
   * hashes before it stand in for the removed lines: a checkpoint's root over them and the
   * chain's lines still proves every line that is left (and those hashes: they cannot be
   * forged to fit a signed root).
   */
  async start(firstLine?: Buffer): Promise<void> {
    await this.advance();
    await this.checkAtSize();
    if (firstLine !== undefined && this.leaves !== null) await this.takeRemovedPrefix(hashLeaf(firstLine));
  }

  /** The sealed leaf hashes of lines retention removed before the chain's first, from the leaves file. */
  private async takeRemovedPrefix(firstLeaf: Buffer): Promise<void> {
    const leaves = this.leaves!;
    if (leaves.stored === 0 || this.readStored(0).equals(firstLeaf)) return;
    let found = -1;
    for (let index = 1; index < leaves.stored && found === -1; index += 1) if (this.readStored(index).equals(firstLeaf)) found = index;
    if (found === -1) return;
    for (let index = 0; index < found; index += 1) {
      this.place = { file: REMOVED_FILES, line: index + 1 };
      this.builder.appendLeafHash(this.readStored(index));
      if (this.next !== null && this.builder.size === this.next.record.size) await this.checkAtSize();
    }
    this.removedLeaves = found;
  }

  /** Leaf `index` of the leaves file (a copy). */
  private readStored(index: number): Buffer {
    const leaves = this.leaves!;
    if (index < leaves.start || index >= leaves.start + leaves.count) this.fillStored(index);
    const offset = (index - leaves.start) * HASH_SIZE;
    return Buffer.from(leaves.buffer.subarray(offset, offset + HASH_SIZE));
  }

  /**
   * The next line of the chain is a leaf: its bytes (null for a line too long to be read whole,
   * which cannot be checked). A promise is returned only when a checkpoint's size is reached.
   */
  leaf(bytes: Buffer | null, from: number, to: number, place: SealPlace): void | Promise<void> {
    this.place = place;
    if (this.firstUnsealed === null && this.builder.size === (this.lastGood?.size ?? 0)) this.firstUnsealed = place;
    let leafHash: Buffer;
    if (bytes === null) {
      this.problem({ kind: 'seal_unchecked_line', ...place });
      // Its hash is unknown: what follows cannot match, and is reported as unchecked, not as changed.
      leafHash = Buffer.alloc(HASH_SIZE);
    } else {
      leafHash = hashLeaf(bytes.subarray(from, to));
    }
    const index = this.builder.size;
    this.builder.appendLeafHash(leafHash);
    if (this.leaves !== null && this.divergence === null) this.compareStored(index, leafHash, place);
    if (this.next !== null && this.builder.size === this.next.record.size) return this.checkAtSize();
    return undefined;
  }

  /** The chain ended: checkpoints beyond it are truncation; everything after the newest good one is unsealed. */
  async finish(): Promise<SealReport> {
    if (this.leaves !== null && this.divergence === null && this.leaves.stored > this.builder.size) {
      this.divergence = { index: this.builder.size, place: this.place };
    }
    if (this.checked === 0 && this.next === null && this.options.verifier !== null && this.problems.length === 0) {
      this.problem({ kind: 'seal_missing', ...this.place });
    }
    while (this.next !== null) {
      const { record, place } = this.next;
      if (this.accept(this.next)) {
        const problem = this.problem({
          kind: 'seal_truncated',
          ...this.place,
          size: record.size,
          lines: this.builder.size,
          checkpoint: place,
          exact: false,
        }) as SealProblem & { kind: 'seal_truncated' };
        this.mismatches.push({ size: record.size, root: Buffer.from(record.root, 'base64'), from: this.lastGood?.size ?? 0, problem });
      }
      await this.advance();
    }
    if (this.options.anchoredOrigin !== undefined && this.fromDatabase === 0) {
      this.problem({ kind: 'seal_not_anchored', ...this.place, origin: this.options.anchoredOrigin });
    }
    this.pinpoint();
    if (this.leaves !== null) closeSync(this.leaves.descriptor);
    const sealed = this.lastGood?.size ?? 0;
    const unsealed = Math.max(0, this.builder.size - sealed);
    return {
      signatures_checked: this.options.verifier !== null,
      origin: this.origin,
      checkpoints: this.checked,
      checkpoints_from_database: this.fromDatabase,
      signed_by: [...this.signers],
      last_checkpoint: this.lastGood,
      sealed_lines: Math.min(sealed, this.builder.size),
      unsealed_lines: unsealed,
      first_unsealed: unsealed > 0 ? this.firstUnsealed : null,
      torn_checkpoint: this.tornCheckpoint,
      removed_lines: this.removedLeaves,
      problems: this.problems,
      problem_count: SEAL_PROBLEM_KINDS.reduce((sum, kind) => sum + this.problemsByKind[kind], 0),
      problems_by_kind: { ...this.problemsByKind },
    };
  }

  /** Check every checkpoint whose size the tree has reached. */
  private async checkAtSize(): Promise<void> {
    while (this.next !== null && this.next.record.size <= this.builder.size) {
      const source = this.next;
      if (this.accept(source) && source.record.size === this.builder.size) this.compareRoot(source);
      await this.advance();
    }
  }

  /** The signature, order and origin of a checkpoint; false when it cannot be trusted to compare. */
  private accept({ record, place }: CheckpointSource): boolean {
    if (this.origin === null) this.origin = record.origin;
    else if (record.origin !== this.origin) {
      this.problem({ kind: 'checkpoint_order', ...place, size: record.size, reason: 'origin_changed' });
      return false;
    }
    if (record.size < this.lastSize) {
      this.problem({ kind: 'checkpoint_order', ...place, size: record.size, reason: 'size_decreased' });
      return false;
    }
    this.lastSize = record.size;
    this.checked += 1;
    if (place.file.startsWith('database:')) this.fromDatabase += 1;
    const { verifier } = this.options;
    if (verifier === null) return true;
    const verified = verifyNote(record.note, verifierKeysFor(record.note, verifier));
    if (!verified.ok) {
      this.problem({ kind: 'checkpoint_signature', ...place, size: record.size, reason: verified.error });
      return false;
    }
    for (const signature of verified.verified) this.signers.add(signature.name);
    return true;
  }

  private compareRoot({ record, place }: CheckpointSource): void {
    const root = this.builder.root();
    if (root.toString('base64') === record.root) {
      // A later mismatch is after this line.
      this.lastGood = { size: record.size, root: record.root, sealed_at: record.sealed_at };
      this.lastGoodEnd = record.size === 0 ? undefined : this.place;
      this.firstUnsealed = null;
      return;
    }
    const problem = this.problem({
      kind: 'seal_mismatch',
      ...this.place,
      size: record.size,
      checkpoint: place,
      exact: false,
      after: this.lastGoodEnd,
    }) as SealProblem & { kind: 'seal_mismatch' };
    this.mismatches.push({ size: record.size, root: Buffer.from(record.root, 'base64'), from: this.lastGood?.size ?? 0, problem });
  }

  /**
   * Name the first bad line of each mismatch where the leaves file allows: when its hashes
   * have the checkpoint's root (they are what was sealed), the first line whose hash differs
   * from them is the first line changed, inserted or removed. A chain that ends early differs
   * at its end, after its last line: there the last line stays named.
   */
  private pinpoint(): void {
    const divergence = this.divergence;
    if (divergence === null || this.options.leavesPath === null) return;
    for (const mismatch of this.mismatches) {
      if (divergence.index < mismatch.from || divergence.index >= mismatch.size || divergence.index >= this.builder.size) continue;
      const stored = openFileLeafHashes(this.options.leavesPath);
      try {
        if (stored.size() < mismatch.size || !hashSubtree(stored, 0, mismatch.size).equals(mismatch.root)) continue;
      } finally {
        stored.close();
      }
      const problem = mismatch.problem as { file: string; line: number; exact: boolean };
      problem.file = divergence.place.file;
      problem.line = divergence.place.line;
      problem.exact = true;
      return;
    }
  }

  /** Compare leaf `index`'s hash with the leaves file's, reading it a chunk at a time. */
  private compareStored(index: number, leafHash: Buffer, place: SealPlace): void {
    const leaves = this.leaves!;
    if (index >= leaves.stored) return;
    if (index >= leaves.start + leaves.count) {
      this.fillStored(index);
      if (leaves.count === 0) return;
    }
    const offset = (index - leaves.start) * HASH_SIZE;
    if (leaves.buffer.compare(leafHash, 0, HASH_SIZE, offset, offset + HASH_SIZE) !== 0) this.divergence = { index, place };
  }

  /** Read the leaves file's hashes from leaf `index`, a chunk of them. */
  private fillStored(index: number): void {
    const leaves = this.leaves!;
    const count = Math.max(0, Math.min(LEAF_CHUNK, leaves.stored - index));
    let filled = 0;
    while (filled < count * HASH_SIZE) {
      const read = readSync(leaves.descriptor, leaves.buffer, filled, count * HASH_SIZE - filled, index * HASH_SIZE + filled);
      if (read === 0) break;
      filled += read;
    }
    leaves.start = index;
    leaves.count = Math.floor(filled / HASH_SIZE);
  }

  private async advance(): Promise<void> {
    for (;;) {
      if (this.done) {
        this.next = null;
        return;
      }
      const step = await this.options.checkpoints.next();
      if (step.done === true) {
        this.done = true;
        this.next = null;
        return;
      }
      const value = step.value;
      if (!('invalid' in value)) {
        this.next = value;
        return;
      }
      if (value.torn) this.tornCheckpoint = value.place;
      else this.problem({ kind: 'checkpoint_invalid', ...value.place, reason: value.invalid });
    }
  }

  private problem(problem: SealProblem): SealProblem {
    this.problemsByKind[problem.kind] += 1;
    if (this.problems.length < this.options.listLimit) this.problems.push(problem);
    return problem;
  }
}
