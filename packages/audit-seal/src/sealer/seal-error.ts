/**
 * The audit file no longer holds what was sealed of it (a sealed line changed, a file truncated
 * or removed below a checkpoint), or the seal's own files contradict each other. The sealer
 * stops: carrying on would sign a tree that is not the file's. `kora-audit verify` says where.
 */
export class SealError extends Error {
  override readonly name = 'SealError';
}
