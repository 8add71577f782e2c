import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isNoteKeyName } from './is-note-key-name.js';
import { noteKeyHash } from './note-key-hash.js';
import { noteTextProblem } from './note-text-problem.js';
import { rawPublicKey } from './seal-key.js';

/** Who signs a note: the key's name in the signature line and its Ed25519 private key. */
export interface NoteSigner {
  /** The key name, as in the verifier key (`audit.example.com/host-7`). */
  readonly name: string;
  /** The Ed25519 private key. */
  readonly privateKey: KeyObject;
}

/**
 * Sign `text` as a C2SP signed note: the text, a blank line, then the line
 * `— NAME BASE64(key ID || Ed25519 signature of the text's UTF-8 bytes)`. Throws on text that
 * cannot be a note (no final newline, a control character) or a bad name: a bug in the caller.
 */
export function signNote(text: string, { name, privateKey }: NoteSigner): string {
  const problem = noteTextProblem(text);
  if (problem !== undefined) throw new RangeError(`signNote: ${problem}`);
  if (!isNoteKeyName(name)) throw new RangeError('signNote: the name is not a valid note key name');
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('signNote: the key is not an Ed25519 private key');
  }
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(noteKeyHash(name, rawPublicKey(privateKey)));
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n— ${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}
