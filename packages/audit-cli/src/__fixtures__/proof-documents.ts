/** A hash of the right size for a proof document. */
export const PROOF_HASH = Buffer.alloc(32, 7).toString('base64');

/** An inclusion proof document as `kora-audit prove` writes it. */
export const INCLUSION_PROOF = {
  kind: 'inclusion',
  origin: 'kora-audit/host-7/0192f7c2-6d3e-7a4b-9c1d-000000000000',
  row_id: '0192f7c2-6d3e-7a4b-9c1d-00000000002a',
  file: '/var/lib/kora/kora_audit_log.jsonl',
  line: 42,
  leaf_index: 41,
  leaf_hash: PROOF_HASH,
  tree_size: 3008,
  root: PROOF_HASH,
  note: 'a note\n',
  proof: [PROOF_HASH, PROOF_HASH],
};
