import { createHash, createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { snapshotJsonValue } from './snapshot-json-value.js';
import type { ArgsDigestSkipReason } from './snapshot-json-value.js';

/** The algorithm named at the head of every digest. */
export const ARGS_DIGEST_ALGORITHM = 'hmac-sha256';
/** Fewest bytes a key may have: as many as the hash's output. */
export const MIN_ARGS_DIGEST_KEY_BYTES = 32;
/** What an explicit key id may hold. */
export const ARGS_DIGEST_KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/**
 * Every digest {@link createArgsDigester} makes, and nothing else: the algorithm, a key id and
 * 32 bytes in unpadded base64url. Seams allow-list `args_digest` with it.
 */
export const ARGS_DIGEST_PATTERN = /^hmac-sha256:[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_-]{43}$/;
// Standard or URL-safe base64, padding optional: what `openssl rand -base64 32` prints and more.
const BASE64_KEY = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Options of {@link createArgsDigester}. */
export interface ArgsDigesterOptions {
  /** The key: base64 (standard or URL-safe) text, or its bytes; at least 32 bytes. */
  readonly key: string | Uint8Array;
  /** The key's name in each digest; defaults to the first 8 hex digits of the key's SHA-256. */
  readonly keyId?: string | undefined;
}

/** What {@link ArgsDigester.digest} made of one argument set. */
export type ArgsDigestResult =
  { readonly ok: true; readonly digest: string } | { readonly ok: false; readonly reason: ArgsDigestSkipReason };

/**
 * Keyed digests of tool-call arguments: `hmac-sha256:<key id>:<digest>`, the HMAC-SHA256 of the
 * arguments' RFC 8785 canonical JSON in unpadded base64url. It holds its key out of sight: no
 * property, `JSON.stringify` or `inspect` of it shows the key.
 */
export interface ArgsDigester {
  /** The key id written in every digest. */
  readonly keyId: string;
  /** Digest one argument set, or say why it cannot be (not JSON, cyclic, too deep, too large). Never throws. */
  digest(args: unknown): ArgsDigestResult;
}

/**
 * Make an {@link ArgsDigester} from a key. Throws a TypeError or RangeError, which never holds
 * the key, when the key is not base64 of at least 32 bytes or the key id is not 1-64 of
 * `A-Z a-z 0-9 _ . -`.
 */
export function createArgsDigester(options: ArgsDigesterOptions): ArgsDigester {
  const bytes = decodeKey(options.key);
  const keyId = options.keyId ?? createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  if (typeof keyId !== 'string' || !ARGS_DIGEST_KEY_ID_PATTERN.test(keyId)) {
    throw new RangeError('createArgsDigester: keyId must be 1-64 of A-Z a-z 0-9 _ . -');
  }
  const key: KeyObject = createSecretKey(bytes);
  bytes.fill(0);
  const prefix = `${ARGS_DIGEST_ALGORITHM}:${keyId}:`;
  return Object.freeze({
    keyId,
    digest(args: unknown): ArgsDigestResult {
      const snapshot = snapshotJsonValue(args);
      if (!snapshot.ok) return snapshot;
      let canonical: string | undefined;
      try {
        canonical = canonicalize(snapshot.value);
      } catch {
        // The snapshot is plain JSON, so only the stack could fail here.
        return { ok: false, reason: 'unreadable' };
      }
      if (canonical === undefined) return { ok: false, reason: 'not_json' };
      return { ok: true, digest: prefix + createHmac('sha256', key).update(canonical, 'utf8').digest('base64url') };
    },
  });
}

function decodeKey(key: unknown): Buffer {
  if (key instanceof Uint8Array) {
    if (key.byteLength < MIN_ARGS_DIGEST_KEY_BYTES)
      throw new RangeError(`createArgsDigester: key must be at least ${MIN_ARGS_DIGEST_KEY_BYTES} bytes`);
    return Buffer.from(key);
  }
  if (typeof key !== 'string') throw new TypeError('createArgsDigester: key must be base64 text or bytes');
  const text = key.trim();
  if (!BASE64_KEY.test(text)) throw new RangeError('createArgsDigester: key must be base64 (standard or URL-safe)');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength < MIN_ARGS_DIGEST_KEY_BYTES) {
    throw new RangeError(
      `createArgsDigester: key must decode to at least ${MIN_ARGS_DIGEST_KEY_BYTES} bytes (generate one with: openssl rand -base64 32)`,
    );
  }
  return bytes;
}
