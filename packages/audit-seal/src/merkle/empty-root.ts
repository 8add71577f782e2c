import { sha256 } from './sha256.js';

/** The root of a tree with no leaves: SHA-256 of the empty string (RFC 6962 §2.1). */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0));
