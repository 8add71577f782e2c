import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { LockedExport } from './describe-export-mapping.js';
import type { LockedField } from './describe-seam.js';

/** The lock file's name, at the repository root. */
export const LOCK_FILE_NAME = 'allowlists.lock.json';

/** One security review of a seam's allow-list. */
export const reviewRecord = z.strictObject({
  /** Who approved it (a GitHub handle). */
  reviewer: z.string().min(1),
  /** The day it was approved, `YYYY-MM-DD`. */
  date: z.iso.date(),
  /** Why the change is needed and safe. */
  reason: z.string().min(1),
  /** The changeset that carries the change to the seam's package. */
  changeset: z.string().min(1),
  /** The allow-list digest approved. */
  digest: z.string().startsWith('sha256:'),
});
export type ReviewRecord = z.infer<typeof reviewRecord>;

const lockedSeam = z.strictObject({
  package: z.string().min(1),
  digest: z.string().startsWith('sha256:'),
  // The field types are checked by comparison with the code, not re-validated here.
  fields: z.array(
    z.looseObject({ key: z.string(), classification: z.string(), required: z.boolean(), type: z.looseObject({ kind: z.string() }) }),
  ),
  // How rows are exported (OpenTelemetry, OCSF, ECS), or null. Entries written before seams
  // had mappings lack it and read as null; like the fields, it is checked against the digest.
  export: z.record(z.string(), z.json()).nullable().default(null),
  reviews: z.array(reviewRecord),
});
export type LockedSeam = Omit<z.infer<typeof lockedSeam>, 'fields' | 'export'> & {
  readonly fields: readonly LockedField[];
  readonly export: LockedExport | null;
};

/** The lock file: per seam, the approved allow-list and its review history. */
export const allowlistLock = z.strictObject({
  version: z.literal(1),
  seams: z.record(z.string(), lockedSeam),
});
export interface AllowlistLock {
  readonly version: 1;
  readonly seams: Readonly<Record<string, LockedSeam>>;
}

/** Read the lock; a missing file is an empty lock, a malformed one an error naming the file. */
export function readAllowlistLock(path: string): AllowlistLock {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, seams: {} };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
  const result = allowlistLock.safeParse(parsed);
  if (!result.success) {
    throw new Error(`${path} is not a valid lock file: ${result.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ')}`);
  }
  return result.data as AllowlistLock;
}

/** Write the lock with seams sorted by name, atomically (temp file, then rename). */
export function writeAllowlistLock(path: string, lock: AllowlistLock): void {
  const seams = Object.fromEntries(Object.entries(lock.seams).sort(([left], [right]) => (left < right ? -1 : 1)));
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify({ version: 1, seams }, null, 2)}\n`);
  renameSync(temporary, path);
}
