import { readFile } from 'node:fs/promises';
import { readErrorCode } from '../format/read-error-code.js';
import { MAX_EXTRA_KEYS, MAX_EXTRA_STRING_LENGTH, tailCheckpoint } from './tail-checkpoint.js';
import type { TailCheckpoint } from './tail-checkpoint.js';

/** Options of {@link readTailCheckpoint}: how its error names the file and the way out. */
export interface ReadTailCheckpointOptions {
  /** What the file is, in the error (default `'tail checkpoint'`). */
  readonly kind?: string | undefined;
  /** What the operator can do, in the error (default `'delete it to read every file from the start again'`). */
  readonly remedy?: string | undefined;
}

/**
 * Read a checkpoint file: null when there is none (reading starts from the oldest file).
 * Rejects when it exists but cannot be read or is not a checkpoint: guessing a position
 * could skip rows, so a damaged checkpoint stops the follower until an operator decides.
 */
export async function readTailCheckpoint(path: string, options: ReadTailCheckpointOptions = {}): Promise<TailCheckpoint | null> {
  const kind = options.kind ?? 'tail checkpoint';
  const remedy = options.remedy ?? 'delete it to read every file from the start again';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = tailCheckpoint.safeParse(value);
  if (parsed.success) return parsed.data;
  // The rules, not the file's keys or values: the file is untrusted text.
  const inExtra = parsed.error.issues.some((issue) => issue.path[0] === 'extra');
  const why = inExtra
    ? `: its extra is not at most ${MAX_EXTRA_KEYS} keys matching ^[a-z][a-z0-9_]{0,63}$, each a string of at most ${MAX_EXTRA_STRING_LENGTH} characters, a number or null`
    : '';
  const article = /^[aeiou]/i.test(kind) ? 'an' : 'a';
  throw new Error(`${path} is not ${article} ${kind}${why} (${remedy})`);
}
