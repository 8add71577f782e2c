// @kora/audit-sink/files: the state files the audit file's followers keep beside it (the
// shipper's position, the sealer's tree): one holder at a time, replaced atomically, and the
// fingerprint that tells a file from another at a reused inode.
export { lockStateFile } from './lock-state-file.js';
export type { StateFileLock } from './lock-state-file.js';
export { fileMatchesFingerprint, matchesFingerprint, takeFingerprint } from './file-fingerprint.js';
export type { FileFingerprint } from './file-fingerprint.js';
export { writeFileAtomically } from './write-file-atomically.js';
