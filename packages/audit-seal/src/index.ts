// @kora/audit-seal: the audit file sealed as Certificate Transparency seals its logs.
export { EMPTY_ROOT } from './merkle/empty-root.js';
export { HASH_SIZE, hashLeaf } from './merkle/hash-leaf.js';
export { hashChildren } from './merkle/hash-children.js';
export { createTreeBuilder, type TreeBuilder } from './merkle/create-tree-builder.js';
export { restoreTreeBuilder, type RestoreTreeBuilderOutcome } from './merkle/restore-tree-builder.js';
export type { TreeState } from './merkle/tree-state.js';
export type { LeafHashes } from './merkle/leaf-hashes.js';
export { createMemoryLeafHashes, type MemoryLeafHashes } from './merkle/create-memory-leaf-hashes.js';
export { openFileLeafHashes, type FileLeafHashes } from './merkle/open-file-leaf-hashes.js';
export { hashSubtree } from './merkle/hash-subtree.js';
export type { ProofOutcome } from './merkle/proof-outcome.js';
export { proveInclusion } from './merkle/prove-inclusion.js';
export { proveConsistency } from './merkle/prove-consistency.js';
export { verifyInclusion } from './merkle/verify-inclusion.js';
export { verifyConsistency } from './merkle/verify-consistency.js';
