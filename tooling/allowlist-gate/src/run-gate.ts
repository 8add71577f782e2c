import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCK_FILE_NAME, readAllowlistLock, writeAllowlistLock } from './allowlist-lock.js';
import type { AllowlistLock, LockedSeam, ReviewRecord } from './allowlist-lock.js';
import { describeSeam, digestSeam } from './describe-seam.js';
import type { SeamAllowlist } from './describe-seam.js';
import { diffFields } from './diff-allowlist.js';
import type { FieldChange } from './diff-allowlist.js';
import { diffExportMapping } from './diff-export-mapping.js';
import { findChangesetsFor } from './find-changesets.js';
import { GATED_SEAMS } from './gated-seams.js';
import type { GatedSeam } from './gated-seams.js';

/** Where the gate writes. */
export interface GateIo {
  out(text: string): void;
  err(text: string): void;
}

/** What the gate runs against; tests point it at a scratch root and altered seams. */
export interface GateOptions {
  readonly root: string;
  readonly seams?: readonly GatedSeam[];
  /** Today as `YYYY-MM-DD`, for review records. */
  readonly today?: () => string;
}

/** Exit codes: 0 in order, 1 drift or refusal, 2 usage error or unreadable lock. */
export const GATE_EXIT = { ok: 0, drift: 1, usage: 2 } as const;

/** How one seam's code differs from its lock entry. */
interface SeamDrift {
  readonly seam: string;
  readonly package: string;
  readonly problem: 'new_seam' | 'changed' | 'removed_seam' | 'lock_edited' | 'unreviewed';
  readonly changes: readonly FieldChange[];
}

const USAGE = `usage: allowlist-gate check
       allowlist-gate approve --seam <name> [--seam <name>]... --reviewer <who> --reason "<why>"`;

/** Run `check` or `approve` with `argv` (after the program name); returns the exit code. */
export function runGate(argv: readonly string[], io: GateIo, options: GateOptions): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'check' && rest.length === 0) return check(io, options);
    if (command === 'approve') return approve(rest, io, options);
  } catch (error) {
    io.err(`allowlist-gate: ${error instanceof Error ? error.message : String(error)}\n`);
    return GATE_EXIT.usage;
  }
  io.err(`${USAGE}\n`);
  return GATE_EXIT.usage;
}

// Field changes first, then export changes (paths under `export.`).
function diffSeam(
  locked: Pick<LockedSeam, 'fields' | 'export'> | undefined,
  current: Pick<SeamAllowlist, 'fields' | 'export'>,
): FieldChange[] {
  return [...diffFields(locked?.fields ?? [], current.fields), ...diffExportMapping(locked?.export ?? null, current.export)];
}

function findDrift(lock: AllowlistLock, current: readonly SeamAllowlist[]): SeamDrift[] {
  const drift: SeamDrift[] = [];
  for (const allowlist of current) {
    const locked = lock.seams[allowlist.seam];
    const base = { seam: allowlist.seam, package: allowlist.package };
    if (locked === undefined) {
      drift.push({ ...base, problem: 'new_seam', changes: diffSeam(undefined, allowlist) });
    } else if (digestSeam(locked.fields, locked.export) !== locked.digest) {
      drift.push({ ...base, problem: 'lock_edited', changes: diffSeam(locked, allowlist) });
    } else if (locked.digest !== allowlist.digest) {
      drift.push({ ...base, problem: 'changed', changes: diffSeam(locked, allowlist) });
    } else if (locked.reviews.at(-1)?.digest !== locked.digest) {
      drift.push({ ...base, problem: 'unreviewed', changes: [] });
    }
  }
  const gated = new Set(current.map((allowlist) => allowlist.seam));
  for (const [seam, locked] of Object.entries(lock.seams)) {
    if (!gated.has(seam)) {
      drift.push({ seam, package: locked.package, problem: 'removed_seam', changes: diffSeam(locked, { fields: [], export: null }) });
    }
  }
  return drift;
}

const PROBLEM_TEXT: Readonly<Record<SeamDrift['problem'], string>> = {
  new_seam: 'a seam the lock does not know yet',
  changed: 'its allow-list differs from the reviewed one',
  removed_seam: 'the lock has it, the code no longer does',
  lock_edited: 'its lock entry was edited by hand (digest does not match its fields and export mapping)',
  unreviewed: 'its lock entry has no review for its digest',
};
// A changed seam says which of its two reviewed parts changed.
function problemText(item: SeamDrift): string {
  if (item.problem !== 'changed') return PROBLEM_TEXT[item.problem];
  const exported = item.changes.filter((change) => change.path === 'export' || change.path.startsWith('export.')).length;
  if (exported === 0) return PROBLEM_TEXT.changed;
  if (exported === item.changes.length) return 'its export mapping differs from the reviewed one';
  return 'its allow-list and export mapping differ from the reviewed ones';
}

const MARK: Readonly<Record<FieldChange['direction'], string>> = { added: '+', removed: '-', widened: '>', narrowed: '<', changed: '~' };

function describeDrift(drift: readonly SeamDrift[]): string {
  const lines: string[] = [];
  for (const item of drift) {
    lines.push(`${item.seam} (${item.package}): ${problemText(item)}`);
    for (const change of item.changes)
      lines.push(`  ${MARK[change.direction]} ${change.path}: ${change.direction} — ${change.description}`);
  }
  return lines.join('\n');
}

function check(io: GateIo, options: GateOptions): number {
  const lockPath = join(options.root, LOCK_FILE_NAME);
  const lock = readAllowlistLock(lockPath);
  const current = (options.seams ?? GATED_SEAMS).map(describeSeam);
  const drift = findDrift(lock, current);
  if (drift.length === 0) {
    io.out(`${LOCK_FILE_NAME}: all ${current.length} seam allow-lists match their reviewed entries.\n`);
    return GATE_EXIT.ok;
  }
  const named = drift.filter((item) => item.problem !== 'removed_seam');
  io.err(
    [
      `${LOCK_FILE_NAME} does not match the seams' allow-lists:`,
      '',
      describeDrift(drift),
      '',
      'A wider allow-list changes what leaves the process, an export mapping where it lands: either',
      'needs a security review (docs/allowlist-review.md) and a changeset for the seam package',
      '(pnpm changeset).',
      ...(named.length === 0
        ? ['Remove the seam from the lock once its removal is reviewed.']
        : [
            'Once reviewed, record the approval:',
            `  pnpm allowlist:approve ${named.map((item) => `--seam ${item.seam}`).join(' ')} --reviewer <github-handle> --reason "<why it is needed and safe>"`,
          ]),
      '',
    ].join('\n'),
  );
  return GATE_EXIT.drift;
}

function approve(argv: readonly string[], io: GateIo, options: GateOptions): number {
  const { values } = parseArgs({
    args: [...argv],
    options: { seam: { type: 'string', multiple: true }, reviewer: { type: 'string' }, reason: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const names = values.seam ?? [];
  const reviewer = values.reviewer?.trim() ?? '';
  const reason = values.reason?.trim() ?? '';
  const missing = [names.length === 0 ? '--seam' : '', reviewer === '' ? '--reviewer' : '', reason === '' ? '--reason' : ''].filter(
    Boolean,
  );
  if (missing.length > 0) {
    io.err(`allowlist-gate approve: missing ${missing.join(', ')}\n${USAGE}\n`);
    return GATE_EXIT.usage;
  }
  const lockPath = join(options.root, LOCK_FILE_NAME);
  const lock = readAllowlistLock(lockPath);
  const current = new Map((options.seams ?? GATED_SEAMS).map(describeSeam).map((allowlist) => [allowlist.seam, allowlist]));
  const unknown = names.filter((name) => !current.has(name));
  if (unknown.length > 0) {
    io.err(`allowlist-gate approve: not a gated seam: ${unknown.join(', ')} (gated: ${[...current.keys()].join(', ')})\n`);
    return GATE_EXIT.usage;
  }
  const drift = findDrift(lock, [...current.values()]);
  const unnamed = drift.filter((item) => !names.includes(item.seam));
  if (unnamed.length > 0) {
    io.err(
      `allowlist-gate approve: refused: other seams drifted too and were not named; review and name them as well:\n${describeDrift(unnamed)}\n`,
    );
    return GATE_EXIT.drift;
  }
  const undrifted = names.filter((name) => !drift.some((item) => item.seam === name));
  if (undrifted.length > 0) {
    io.err(`allowlist-gate approve: refused: nothing to approve for ${undrifted.join(', ')}: the lock already matches\n`);
    return GATE_EXIT.drift;
  }
  const reviews = new Map<string, ReviewRecord>();
  const date = (options.today ?? (() => new Date().toISOString().slice(0, 10)))();
  for (const name of names) {
    const allowlist = current.get(name)!;
    const changesets = findChangesetsFor(options.root, allowlist.package);
    if (changesets.length === 0) {
      io.err(
        `allowlist-gate approve: refused: no changeset under .changeset/ releases ${allowlist.package}; ` +
          'run `pnpm changeset`, describe the allow-list change for its users, and approve again\n',
      );
      return GATE_EXIT.drift;
    }
    reviews.set(name, { reviewer, date, reason, changeset: changesets.join(', '), digest: allowlist.digest });
  }
  const seams: Record<string, LockedSeam> = { ...lock.seams };
  for (const [name, review] of reviews) {
    const allowlist = current.get(name)!;
    seams[name] = {
      package: allowlist.package,
      digest: allowlist.digest,
      fields: allowlist.fields,
      export: allowlist.export,
      reviews: [...(lock.seams[name]?.reviews ?? []), review],
    };
  }
  writeAllowlistLock(lockPath, { version: 1, seams });
  io.out(
    `${drift.length > 0 ? describeDrift(drift) : ''}\napproved by ${reviewer} on ${date}: ${names.join(', ')} (${LOCK_FILE_NAME} updated)\n`,
  );
  return GATE_EXIT.ok;
}
