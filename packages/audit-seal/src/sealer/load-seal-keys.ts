import type { KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { readErrorCode } from '@kora/audit-sink/reader';
import { hostname } from 'node:os';
import { isNoteKeyName } from '../note/is-note-key-name.js';
import { noteKeyHash } from '../note/note-key-hash.js';
import { loadSealKey, rawPublicKey } from '../note/seal-key.js';
import type { NoteSigner } from '../note/sign-note.js';
import { parseVerifierKey } from '../note/verifier-key.js';
import type { VerifierKey } from '../note/verifier-key.js';

// A key file is a few hundred bytes; more is not a key, and is not read whole into memory.
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The public keys a checker trusts: verifier keys (name and key ID known) and bare public keys. */
export interface SealVerifier {
  readonly verifierKeys: readonly VerifierKey[];
  /** SPKI public keys: they verify a signature line of any name whose key ID matches the key. */
  readonly publicKeys: readonly KeyObject[];
}

/**
 * The signer in the private key file `keyPath` (PKCS#8 PEM, as `kora-audit keygen` writes it).
 * Its name is `name` when given, else the one in the verifier key beside it (`seal-key.vkey` for
 * `seal-key.pem`) when that key is this key's, else `kora-audit@<host>`. Rejects with a message
 * that names the file, never its bytes.
 */
export async function loadSealSigner(keyPath: string, name?: string): Promise<NoteSigner> {
  const loaded = loadSealKey(await readKeyFile(keyPath));
  if (!loaded.ok) throw new Error(`${keyPath}: ${loaded.error}`);
  const { privateKey } = loaded.value;
  if (privateKey === undefined) throw new Error(`${keyPath}: a public key; sealing needs the private key (seal-key.pem)`);
  if (name !== undefined) {
    if (!isNoteKeyName(name)) throw new Error('the key name is empty or holds a space, + or a control character');
    return { name, privateKey };
  }
  const besideName = await readBesideName(keyPath, rawPublicKey(privateKey));
  return { name: besideName ?? `kora-audit@${hostname()}`, privateKey };
}

/** The name in the verifier key beside a `.pem` key file, if there is one for the same key. */
async function readBesideName(keyPath: string, raw: Buffer): Promise<string | undefined> {
  if (!keyPath.endsWith('.pem')) return undefined;
  let text: string;
  try {
    text = await readKeyFile(`${keyPath.slice(0, -'.pem'.length)}.vkey`);
  } catch {
    return undefined;
  }
  const parsed = parseVerifierKey(text.trim());
  if (!parsed.ok || !rawPublicKey(parsed.value.publicKey).equals(raw)) return undefined;
  return parsed.value.name;
}

/**
 * The checker's keys from files: each an SPKI public key in PEM (`seal-key.pub.pem`), a private
 * key's PEM (its public key is used) or a verifier key `NAME+KEYID+KEY` (`seal-key.vkey`).
 */
export async function loadSealVerifier(paths: readonly string[]): Promise<SealVerifier> {
  const verifierKeys: VerifierKey[] = [];
  const publicKeys: KeyObject[] = [];
  for (const path of paths) {
    const text = await readKeyFile(path);
    if (text.includes('-----BEGIN')) {
      const loaded = loadSealKey(text);
      if (!loaded.ok) throw new Error(`${path}: ${loaded.error}`);
      publicKeys.push(loaded.value.publicKey);
      continue;
    }
    const parsed = parseVerifierKey(text.trim());
    if (!parsed.ok) throw new Error(`${path}: neither a PEM public key nor a verifier key: ${parsed.error}`);
    verifierKeys.push(parsed.value);
  }
  return { verifierKeys, publicKeys };
}

/** The verifier keys to check `note` with: the known ones, and each public key under each name the note's signature lines give. */
export function verifierKeysFor(note: string, verifier: SealVerifier): VerifierKey[] {
  const keys = [...verifier.verifierKeys];
  if (verifier.publicKeys.length === 0) return keys;
  const names = new Set<string>();
  const blank = note.indexOf('\n\n');
  for (const line of note.slice(blank + 2).split('\n')) {
    const match = /^— (\S+) /.exec(line);
    if (match?.[1] !== undefined && isNoteKeyName(match[1])) names.add(match[1]);
  }
  for (const name of names) {
    for (const publicKey of verifier.publicKeys) keys.push({ name, keyHash: noteKeyHash(name, rawPublicKey(publicKey)), publicKey });
  }
  return keys;
}

/** A key file's text; refused when it is not a regular file or is too large to be a key. */
async function readKeyFile(path: string): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new Error(`${path}: cannot read the key file (${readErrorCode(error) ?? 'error'})`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`${path}: not a regular file`);
    if (stats.size > MAX_KEY_FILE_BYTES) throw new Error(`${path}: too large to be a key file`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
