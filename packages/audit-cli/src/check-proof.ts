import {
  formatKeyHash,
  hashLeaf,
  parseCheckpoint,
  verifierKeysFor,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from '@kora/audit-seal';
import type { SealVerifier } from '@kora/audit-seal';
import { parseProofDocument } from './proof-document.js';
import type { ConsistencyProofDocument, InclusionProofDocument } from './proof-document.js';

/** What checking a proof found: what it proves, or why it proves nothing. */
export type ProofCheck =
  | {
      readonly ok: true;
      readonly kind: 'inclusion';
      readonly origin: string;
      readonly tree_size: number;
      readonly root: string;
      readonly leaf_index: number;
      readonly leaf_hash: string;
      /** The proof's row id: proven only when `row_checked`. */
      readonly row_id: string;
      /** The row's line was given, its leaf hash computed and its id read from it. */
      readonly row_checked: boolean;
      /** The keys whose signatures verified, as `NAME+KEYID`. */
      readonly signed_by: readonly string[];
    }
  | {
      readonly ok: true;
      readonly kind: 'consistency';
      readonly origin: string;
      readonly from: { readonly size: number; readonly root: string; readonly signed: boolean };
      readonly to: { readonly size: number; readonly root: string; readonly signed: true };
      readonly signed_by: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

type Failure = { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Check a proof from `kora-audit prove` without the audit file: its signed note(s) verify with
 * one of the trusted keys, the note's checkpoint is the proof's log, size and root, and the
 * RFC 9162 proof holds. With the row's line (`row`, without its newline) the leaf hash is
 * computed from it, and its id must be the proof's. The proof is untrusted: any bytes are
 * refused with a reason that quotes none of them; this never throws.
 */
export function checkProof(source: Uint8Array, verifier: SealVerifier, row?: Uint8Array): ProofCheck {
  let text: string;
  try {
    text = utf8.decode(source);
  } catch {
    return notProven('the proof file is not UTF-8 text');
  }
  const parsed = parseProofDocument(text);
  if (!parsed.ok) return notProven(`the proof file is not a proof: ${parsed.error}`);
  const document = parsed.value;
  if (document.kind === 'inclusion') return checkInclusion(document, verifier, row);
  if (row !== undefined) return notProven('--row: a consistency proof is about the log, not a row');
  return checkConsistency(document, verifier);
}

function checkInclusion(document: InclusionProofDocument, verifier: SealVerifier, row: Uint8Array | undefined): ProofCheck {
  const signed = checkNote('the', document.note, verifier, document.origin, document.tree_size, document.root);
  if (!signed.ok) return signed;
  let leafHash: Buffer = Buffer.from(document.leaf_hash, 'base64');
  if (row !== undefined) {
    const computed = hashLeaf(row);
    if (!computed.equals(leafHash)) {
      return notProven("the row is not the proven one: its leaf hash is not the proof's (the row was changed, or is another row)");
    }
    if (rowId(row) !== document.row_id) return notProven("the row's id is not the proof's row_id");
    leafHash = computed;
  }
  const proof = document.proof.map((hash) => Buffer.from(hash, 'base64'));
  if (!verifyInclusion(leafHash, document.leaf_index, document.tree_size, proof, Buffer.from(document.root, 'base64'))) {
    return notProven(`the inclusion proof does not lead from leaf ${document.leaf_index} to the signed root of size ${document.tree_size}`);
  }
  return {
    ok: true,
    kind: 'inclusion',
    origin: document.origin,
    tree_size: document.tree_size,
    root: document.root,
    leaf_index: document.leaf_index,
    leaf_hash: leafHash.toString('base64'),
    row_id: document.row_id,
    row_checked: row !== undefined,
    signed_by: signed.signers,
  };
}

function checkConsistency(document: ConsistencyProofDocument, verifier: SealVerifier): ProofCheck {
  const { from, to, origin } = document;
  const newer = checkNote('the newer', to.note, verifier, origin, to.size, to.root);
  if (!newer.ok) return newer;
  let signers = newer.signers;
  if (from.note !== null) {
    const older = checkNote('the older', from.note, verifier, origin, from.size, from.root);
    if (!older.ok) return older;
    signers = [...new Set([...signers, ...older.signers])];
  }
  const proof = document.proof.map((hash) => Buffer.from(hash, 'base64'));
  if (!verifyConsistency(from.size, to.size, Buffer.from(from.root, 'base64'), Buffer.from(to.root, 'base64'), proof)) {
    return notProven(`the consistency proof does not show the log at size ${from.size} is a prefix of it at size ${to.size}`);
  }
  return {
    ok: true,
    kind: 'consistency',
    origin,
    from: { size: from.size, root: from.root, signed: from.note !== null },
    to: { size: to.size, root: to.root, signed: true },
    signed_by: signers,
  };
}

/** The note verifies with a trusted key and signs this log's checkpoint of this size and root. */
function checkNote(
  which: string,
  note: string,
  verifier: SealVerifier,
  origin: string,
  size: number,
  root: string,
): { readonly ok: true; readonly signers: string[] } | Failure {
  const verified = verifyNote(note, verifierKeysFor(note, verifier));
  if (!verified.ok) return notProven(`${which} checkpoint note is not signed by a given key: ${noteError(verified.error)}`);
  const checkpoint = parseCheckpoint(verified.text);
  if (!checkpoint.ok) return notProven(`${which} signed note is not a checkpoint (${checkpoint.error})`);
  if (checkpoint.value.origin !== origin) return notProven(`${which} checkpoint is of another log: its origin is not the proof's`);
  if (checkpoint.value.size !== size) return notProven(`${which} checkpoint's size is not the proof's`);
  if (Buffer.from(checkpoint.value.root).toString('base64') !== root) return notProven(`${which} checkpoint's root is not the proof's`);
  return { ok: true, signers: verified.verified.map((signature) => `${signature.name}+${formatKeyHash(signature.keyHash)}`) };
}

/** Why the note was refused, without the key names its signature lines carry. */
function noteError(error: string): string {
  if (error.startsWith('invalid signature')) return 'a signature by a given key does not verify (the note was changed)';
  if (error.startsWith('ambiguous key')) return 'a key was given twice';
  if (error === 'no signature by a known key') return 'no signature by a given key';
  return error;
}

function notProven(reason: string): Failure {
  return { ok: false, reason };
}

/** The `id` of a row's line, if it is a JSON object. */
function rowId(row: Uint8Array): unknown {
  try {
    const value: unknown = JSON.parse(utf8.decode(row));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined;
  } catch {
    return undefined;
  }
}
