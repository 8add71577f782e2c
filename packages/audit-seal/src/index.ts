// @kora/audit-seal: the audit file sealed as Certificate Transparency seals its logs.
export { formatCheckpoint, parseCheckpoint } from './note/checkpoint.js';
export type { Checkpoint } from './note/checkpoint.js';
export { isNoteKeyName } from './note/is-note-key-name.js';
export { ED25519_SIGNATURE_TYPE, noteKeyHash } from './note/note-key-hash.js';
export type { ParseResult } from './note/parse-result.js';
export { generateSealKey, loadSealKey, privateKeyPem, publicKeyFromRaw, publicKeyPem, rawPublicKey } from './note/seal-key.js';
export type { LoadedSealKey, SealKeyPair } from './note/seal-key.js';
export { signNote } from './note/sign-note.js';
export type { NoteSigner } from './note/sign-note.js';
export { formatKeyHash, formatVerifierKey, parseVerifierKey } from './note/verifier-key.js';
export type { VerifierKey } from './note/verifier-key.js';
export { MAX_NOTE_SIGNATURES, verifyNote } from './note/verify-note.js';
export type { NoteSignature, NoteVerification } from './note/verify-note.js';
