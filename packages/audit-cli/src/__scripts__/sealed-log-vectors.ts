/** The origin the sealed-log vectors are sealed under. */
export const SEALED_LOG_ORIGIN = 'test.kora-audit.invalid/sealed-log';

/** The name of the TEST key in signature lines. */
export const TEST_KEY_NAME = 'test.kora-audit.invalid/seal';

/** The files of `packages/audit-seal/vectors/sealed-log/`. */
export const SEALED_LOG_FILES = {
  rotated: 'audit.jsonl.1',
  live: 'audit.jsonl',
  checkpoints: 'audit.jsonl.checkpoints',
  inclusionProof: 'inclusion-proof.json',
  consistencyProof: 'consistency-proof.json',
} as const;
