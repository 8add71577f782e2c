/** One signed checkpoint of an audit file's Merkle tree, as the checkpoint table stores it. */
export interface SubstrateCheckpoint {
  /** The log's origin line, for example `kora-audit/host-7/<uuid>`: one line, 1–1,024 bytes, no control characters. */
  readonly origin: string;
  /** The tree size: how many of the file's lines the root covers, a safe integer ≥ 0. */
  readonly size: number;
  /** The RFC 6962 root hash: 32 bytes of SHA-256 in standard base64 with its padding (44 characters). */
  readonly root: string;
  /** The whole signed note (C2SP signed-note text): UTF-8, ending with a newline, at most 64 KiB. */
  readonly note: string;
}

/** A checkpoint as read back, with when the table received it. */
export interface StoredCheckpoint extends SubstrateCheckpoint {
  /** When the row was inserted (the database's clock). */
  readonly receivedAt: Date;
}

const MAX_ORIGIN_BYTES = 1_024;
const MAX_NOTE_BYTES = 65_536;
// 32 bytes are 43 base64 digits, the last carrying 4 bits and 2 zero bits, then one `=`: only
// the canonical encoding passes, so one root has one spelling and equal roots compare equal.
const ROOT = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
// ASCII control characters, which a note's origin line may not hold (C2SP signed-note).
const CONTROL = /[\u0000-\u001f\u007f]/;
// A lone surrogate has no UTF-8 form: the driver would store U+FFFD in its place, and the note
// read back would not be the note signed.
const LONE_SURROGATE = /\p{Cs}/u;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Check an origin: a TypeError naming `owner` and the field, never the value. Shared by the
 * writer and the readers, so a reader asks only for what a writer could have stored.
 */
export function parseCheckpointOrigin(owner: string, origin: unknown): string {
  if (
    typeof origin !== 'string' ||
    origin === '' ||
    CONTROL.test(origin) ||
    LONE_SURROGATE.test(origin) ||
    Buffer.byteLength(origin, 'utf8') > MAX_ORIGIN_BYTES
  ) {
    throw new TypeError(`${owner}: origin must be one line of 1 to ${MAX_ORIGIN_BYTES} bytes of text without control characters`);
  }
  return origin;
}

/**
 * Check a checkpoint before it is stored. Throws a TypeError naming `owner` and the first field
 * that fails, never its value (a note or an origin may be anything a caller was handed).
 */
export function parseSubstrateCheckpoint(owner: string, checkpoint: unknown): SubstrateCheckpoint {
  if (!isObject(checkpoint)) throw new TypeError(`${owner}: the checkpoint must be an object with origin, size, root and note`);
  const origin = parseCheckpointOrigin(owner, checkpoint.origin);
  const { size, root, note } = checkpoint;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new TypeError(`${owner}: size must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
  if (typeof root !== 'string' || !ROOT.test(root))
    throw new TypeError(`${owner}: root must be 32 bytes in standard base64 with padding (44 characters)`);
  if (
    typeof note !== 'string' ||
    !note.endsWith('\n') ||
    note.includes('\u0000') ||
    LONE_SURROGATE.test(note) ||
    Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES
  ) {
    throw new TypeError(`${owner}: note must be UTF-8 text ending with a newline, without NUL, of at most ${MAX_NOTE_BYTES} bytes`);
  }
  return { origin, size, root, note };
}
