import { verify } from 'node:crypto';
import { decodeBase64 } from './decode-base64.js';
import { isNoteKeyName } from './is-note-key-name.js';
import { isWellFormedText } from './note-text-problem.js';
import type { VerifierKey } from './verifier-key.js';
import { formatKeyHash } from './verifier-key.js';

/** A signature line of a note: the key it names. */
export interface NoteSignature {
  /** The key name. */
  readonly name: string;
  /** The key ID. */
  readonly keyHash: number;
}

/** What checking a signed note found. */
export type NoteVerification =
  | {
      readonly ok: true;
      /** The note's text, newline included, as signed: trust only this part. */
      readonly text: string;
      /** The known keys whose signatures verified, in note order. */
      readonly verified: readonly NoteSignature[];
      /** Signatures by keys not in the list: not checked, ignored as the format requires. */
      readonly unknown: readonly NoteSignature[];
    }
  | {
      readonly ok: false;
      /** Why the note is refused. */
      readonly error: string;
    };

/** More signatures than any real note carries; the format asks readers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = '— ';
// `ignoreBOM`: a leading U+FEFF is part of the signed text, not to be dropped.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Check a signed note against known verifier keys. The note is accepted when it is well formed,
 * at least one signature is by a known key, and every signature by a known key verifies; a
 * signature by an unknown key is skipped. Never throws: any input is refused with a reason.
 */
export function verifyNote(note: string | Uint8Array, verifiers: readonly VerifierKey[]): NoteVerification {
  let bytes: Buffer;
  let message: string;
  try {
    if (typeof note === 'string') {
      if (!isWellFormedText(note)) return { ok: false, error: 'malformed note: not valid Unicode' };
      message = note;
      bytes = Buffer.from(note, 'utf8');
    } else {
      bytes = Buffer.from(note.buffer, note.byteOffset, note.byteLength);
      message = utf8.decode(bytes);
    }
  } catch {
    return { ok: false, error: 'malformed note: not valid UTF-8' };
  }
  if (/[\u0000-\u0009\u000b-\u001f]/.test(message)) return { ok: false, error: 'malformed note: a control character' };
  const split = message.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, error: 'malformed note: no blank line before the signatures' };
  const text = message.slice(0, split + 1);
  const signatureBlock = message.slice(split + 2);
  if (!signatureBlock.endsWith('\n')) return { ok: false, error: 'malformed note: no signature line ending in a newline' };
  const lines = signatureBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) return { ok: false, error: `malformed note: more than ${MAX_NOTE_SIGNATURES} signatures` };
  const textBytes = bytes.subarray(0, Buffer.byteLength(text, 'utf8'));

  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, error: 'malformed note: a signature line does not start with "— "' };
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const signature = space < 0 ? undefined : decodeBase64(rest.slice(space + 1));
    if (!isNoteKeyName(name) || signature === undefined || signature.length < 5) {
      return { ok: false, error: 'malformed note: a signature line is not "— NAME BASE64"' };
    }
    const keyHash = signature.readUInt32BE(0);
    const matches = verifiers.filter((key) => key.name === name && key.keyHash === keyHash);
    const [match] = matches;
    if (match === undefined) {
      unknown.push({ name, keyHash });
      continue;
    }
    const label = `${name}+${formatKeyHash(keyHash)}`;
    if (matches.length > 1) return { ok: false, error: `ambiguous key ${label}: listed more than once` };
    if (verified.some((seen) => seen.name === name && seen.keyHash === keyHash)) continue;
    if (!verifySignature(textBytes, signature.subarray(4), match)) {
      return { ok: false, error: `invalid signature for key ${label}` };
    }
    verified.push({ name, keyHash });
  }
  if (verified.length === 0) return { ok: false, error: 'no signature by a known key' };
  return { ok: true, text, verified, unknown };
}

function verifySignature(text: Buffer, signature: Buffer, key: VerifierKey): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, text, key.publicKey, signature);
  } catch {
    return false;
  }
}
