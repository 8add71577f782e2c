/** The files a sealed audit file keeps beside it. */
export interface SealPaths {
  /** `<audit file>.checkpoints`: the signed checkpoints, one JSON object a line, oldest first. */
  readonly checkpoints: string;
  /** `<audit file>.leaves`: every leaf hash, 32 bytes each, leaf 0 first, for proofs. */
  readonly leaves: string;
  /** `<audit file>.seal-state`: where the sealer stopped (file, offset, the tree's frontier). */
  readonly state: string;
}

/**
 * Where the sealer of the audit file `path` keeps its files. They sit beside the live file and
 * are not part of the rotation chain (`path.1`, `path.2`, …), so rotation leaves them alone.
 */
export function sealPaths(path: string): SealPaths {
  return { checkpoints: `${path}.checkpoints`, leaves: `${path}.leaves`, state: `${path}.seal-state` };
}
