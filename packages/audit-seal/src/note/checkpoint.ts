import { decodeBase64 } from './decode-base64.js';
import { noteTextProblem } from './note-text-problem.js';
import type { ParseResult } from './parse-result.js';

/** A checkpoint: the head of the audit file's Merkle tree at one size (C2SP `tlog-checkpoint`). */
export interface Checkpoint {
  /** Which log this is, unique to it; a schema-less URL is recommended (`audit.example.com/host-7`). */
  readonly origin: string;
  /** How many leaves (lines) the tree holds. */
  readonly size: number;
  /** The RFC 6962 root hash of the tree at that size: 32 bytes of SHA-256. */
  readonly root: Uint8Array;
  /** Extra lines after the root, each non-empty; opaque to readers. */
  readonly extensions?: readonly string[] | undefined;
}

const ROOT_BYTES = 32;

/** Why `line` cannot be a checkpoint line, or undefined. */
function lineProblem(line: string, what: string): string | undefined {
  if (line === '') return `the ${what} is empty`;
  const problem = noteTextProblem(`${line}\n`);
  if (problem !== undefined || line.includes('\n')) return `the ${what} holds a newline or control character`;
  return undefined;
}

/**
 * The checkpoint's note text: origin, size in decimal, base64 root hash, then any extension
 * lines, each ending in a newline. Throws on a value no checkpoint can hold (a bug in the caller).
 */
export function formatCheckpoint({ origin, size, root, extensions = [] }: Checkpoint): string {
  const problem = lineProblem(origin, 'origin') ?? extensions.map((line) => lineProblem(line, 'extension line')).find(Boolean);
  if (problem !== undefined) throw new RangeError(`formatCheckpoint: ${problem}`);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('formatCheckpoint: the size is not a whole number');
  if (root.length !== ROOT_BYTES) throw new RangeError(`formatCheckpoint: the root hash is ${root.length} bytes, not 32`);
  return [origin, String(size), Buffer.from(root).toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

/**
 * Read a checkpoint's note text (the part of a signed note before the blank line). Refused:
 * fewer than three lines, an empty origin or extension line, a size with a sign, leading zero
 * or beyond 2^53 − 1, a root hash that is not canonical base64 of 32 bytes, a missing final newline.
 */
export function parseCheckpoint(text: string): ParseResult<Checkpoint> {
  const problem = noteTextProblem(text);
  if (problem !== undefined) return { ok: false, error: `not a checkpoint: ${problem}` };
  const [origin = '', sizeText = '', rootText = '', ...extensions] = text.slice(0, -1).split('\n');
  if (origin === '') return { ok: false, error: 'not a checkpoint: the origin line is empty' };
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) {
    return { ok: false, error: 'not a checkpoint: the second line is not a tree size in decimal without leading zeros' };
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return { ok: false, error: 'not a checkpoint: the tree size is larger than 2^53 - 1' };
  const root = decodeBase64(rootText);
  if (root?.length !== ROOT_BYTES) {
    return { ok: false, error: 'not a checkpoint: the third line is not a 32-byte root hash in base64' };
  }
  if (extensions.includes('')) return { ok: false, error: 'not a checkpoint: an extension line is empty' };
  return { ok: true, value: { origin, size, root: new Uint8Array(root), extensions } };
}
