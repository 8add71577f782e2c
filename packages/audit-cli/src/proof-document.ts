import { z } from 'zod';

// A tree of fewer than 2^53 leaves needs at most 54 hashes in either proof; a proof file with
// more than this is not one.
const MAX_PROOF_HASHES = 64;

// A signed note of a checkpoint is a few hundred bytes, with many signatures a few KiB.
const MAX_NOTE_CHARS = 64 * 1024;
const MAX_TEXT_CHARS = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `text` is the canonical base64 of 32 bytes. */
function isBase64Hash(text: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text;
}

const hash = z.string().refine(isBase64Hash, { message: 'not the base64 of a 32-byte hash' });
const count = (minimum: number) =>
  z.number().refine((value) => Number.isSafeInteger(value) && value >= minimum, {
    message: `not a whole number from ${minimum} to 2^53 - 1`,
  });
const note = z.string().max(MAX_NOTE_CHARS);
const text = z.string().min(1).max(MAX_TEXT_CHARS);
const proof = z.array(hash).max(MAX_PROOF_HASHES);

/** The proof `kora-audit prove --id` prints that one row is a line of the sealed audit file. */
export const inclusionProofDocument = z.strictObject({
  kind: z.literal('inclusion'),
  /** The log's origin: the first line of its checkpoints. */
  origin: text,
  /** The row's id. Bound to the proof only through the row's line (`verify-proof --row`). */
  row_id: z.string().refine((value) => UUID.test(value), { message: 'not a UUID in lower case' }),
  /** Where the row was found, a hint for the reader: not part of what is proven. */
  file: text,
  /** Its 1-based line in that file, a hint as `file` is. */
  line: count(1),
  /** The row's place in the tree: its line in the whole chain, from 0. */
  leaf_index: count(0),
  /** The leaf hash of the row's line, base64. */
  leaf_hash: hash,
  /** The size of the checkpoint the proof is against. */
  tree_size: count(1),
  /** The root hash at `tree_size`, base64. */
  root: hash,
  /** That checkpoint's C2SP signed note, whole. */
  note,
  /** The RFC 9162 inclusion proof, base64 hashes, the leaf's sibling first. */
  proof,
});
export type InclusionProofDocument = z.infer<typeof inclusionProofDocument>;

/** One end of a consistency proof. */
const treeHead = z.strictObject({
  /** The tree size. */
  size: count(0),
  /** The root hash at that size, base64. */
  root: hash,
  /** The signed checkpoint of this size, or null when none was made at it. */
  note: note.nullable(),
});

/** The proof `kora-audit prove --consistency` prints that the log at one size is a prefix of it at another. */
export const consistencyProofDocument = z.strictObject({
  kind: z.literal('consistency'),
  /** The log's origin. */
  origin: text,
  /** The older tree. */
  from: treeHead,
  /** The newer tree: always a checkpoint, its note signed. */
  to: z.strictObject({ size: count(1), root: hash, note }),
  /** The RFC 9162 consistency proof, base64 hashes. */
  proof,
});
export type ConsistencyProofDocument = z.infer<typeof consistencyProofDocument>;

/** Either proof, told apart by `kind`. */
export const proofDocument = z.discriminatedUnion('kind', [inclusionProofDocument, consistencyProofDocument]);
export type ProofDocument = z.infer<typeof proofDocument>;

/**
 * Read a proof file's text. Refused with a reason that names fields, never their values: not
 * JSON, not an object of one of the two kinds, a field missing, extra, mistyped or out of
 * range (hashes must be canonical base64 of 32 bytes, numbers safe whole numbers, proofs at
 * most 64 hashes).
 */
export function parseProofDocument(source: string): { ok: true; value: ProofDocument } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = proofDocument.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const [issue] = parsed.error.issues;
  return { ok: false, error: issue === undefined ? 'not a proof' : describeIssue(issue, value) };
}

/** An issue in words: the path is made of the schema's own field names and indexes; no value is quoted. */
function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const where = issue.path.length === 0 ? 'the proof' : issue.path.map(String).join('.');
  switch (issue.code) {
    case 'invalid_type':
      if (isMissing(value, issue.path)) return `${where} is missing`;
      return `${where} is not ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'unrecognized_keys':
      return `${where} holds fields a proof does not have`;
    case 'invalid_union':
      return 'kind is neither "inclusion" nor "consistency"';
    case 'invalid_value':
      return `${where} is not one of the expected values`;
    case 'too_big':
      return `${where} is too long`;
    case 'too_small':
      return `${where} is empty`;
    case 'custom':
      return `${where}: ${issue.message}`;
    default:
      return `${where} is not valid`;
  }
}

/** Whether the field at `path` is absent from `value` (its parent is there). */
function isMissing(value: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent: unknown = value;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  return typeof parent === 'object' && parent !== null && !Object.hasOwn(parent, path[path.length - 1]!);
}
