import type { FileFingerprint } from '@kora/audit-sink/files';
import { countOneBits } from '../merkle/create-tree-builder.js';
import type { TreeState } from '../merkle/tree-state.js';

/**
 * Where the sealer stopped, saved atomically after each checkpoint (`<audit file>.seal-state`):
 * the log's origin, the tree so far, and the file and byte offset the next leaf starts at.
 * Losing it costs a re-read of the chain, not the seal: the sealer then rebuilds the tree from
 * the oldest file and checks it against the last checkpoint.
 */
export interface SealState {
  readonly v: 1;
  readonly origin: string;
  /** The tree over every leaf sealed so far. */
  readonly tree: TreeState;
  /** The file the next leaf is read from, by device and inode; null before any file was seen. */
  readonly file: {
    readonly dev: string;
    readonly ino: string;
    /** Where it was in the chain when saved (0 is the live file): where to look first. */
    readonly index: number;
    /** Bytes of it whose lines are leaves. */
    readonly offset: number;
    /** Of its first bytes, once it has some: inodes are reused. */
    readonly fingerprint: FileFingerprint | null;
  } | null;
  readonly updated_at: string;
}

const DECIMAL = /^\d{1,40}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const BASE64_HASH = /^[A-Za-z0-9+/]{43}=$/;

/** A state file's text, or undefined when it is not one (then the sealer rebuilds). */
export function parseSealState(text: string): SealState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Partial<Record<keyof SealState, unknown>>;
  if (state.v !== 1 || typeof state.origin !== 'string' || state.origin === '' || typeof state.updated_at !== 'string') return undefined;
  const tree = state.tree as Partial<TreeState> | undefined;
  if (typeof tree !== 'object' || tree === null || !Number.isSafeInteger(tree.size) || (tree.size as number) < 0) return undefined;
  if (!Array.isArray(tree.frontier) || !tree.frontier.every((hash) => typeof hash === 'string' && BASE64_HASH.test(hash))) return undefined;
  // One hash per 1-bit of the size, or the tree cannot be carried on from.
  if (tree.frontier.length !== countOneBits(tree.size as number)) return undefined;
  const file = state.file as SealState['file'] | undefined;
  if (file === undefined) return undefined;
  if (file !== null) {
    if (typeof file !== 'object' || typeof file.dev !== 'string' || typeof file.ino !== 'string') return undefined;
    if (!DECIMAL.test(file.dev) || !DECIMAL.test(file.ino)) return undefined;
    if (!Number.isSafeInteger(file.index) || file.index < 0 || !Number.isSafeInteger(file.offset) || file.offset < 0) return undefined;
    const fingerprint = file.fingerprint;
    if (fingerprint !== null) {
      if (typeof fingerprint !== 'object' || !Number.isSafeInteger(fingerprint.bytes) || fingerprint.bytes < 1) return undefined;
      if (typeof fingerprint.sha256 !== 'string' || !HEX_SHA256.test(fingerprint.sha256)) return undefined;
    }
  }
  return value as SealState;
}
