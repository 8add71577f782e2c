import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What {@link createOperatorSessions} needs. */
export interface OperatorSessionsOptions {
  /** The operator token every caller must present (directly, or once to start a session). */
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** How long a session lasts. */
  readonly ttlMs: number;
  /** Sessions kept at most; starting one more ends the oldest. */
  readonly maxSessions: number;
}

/** A started browser session: the cookie value and how long it lives. */
export interface OperatorSession {
  readonly id: string;
  readonly expiresAt: number;
}

/** Checks the operator token and keeps the browser sessions started with it. */
export interface OperatorSessions {
  /** Whether `presented` is the operator token, in time independent of where they differ. */
  checkToken(presented: string): boolean;
  /** Start a session; its id goes into the HttpOnly cookie, never into a URL. */
  start(): OperatorSession;
  /** Whether `id` names a live session. */
  isActive(id: string): boolean;
  /** End the session `id` (unknown ids are ignored). */
  end(id: string): void;
}

/**
 * Keep the operator token and the sessions started with it in memory. Sessions end with the
 * process, so rotating the token (a restart) also signs every browser out. Only digests are
 * kept: neither the token nor a session id can be read back out of memory dumps of the map.
 */
export function createOperatorSessions(options: OperatorSessionsOptions): OperatorSessions {
  const tokenDigest = digest(options.token);
  // Session id digest → expiry. A Map keeps insertion order, so the first entry is the oldest.
  const sessions = new Map<string, number>();

  const prune = (now: number): void => {
    for (const [key, expiresAt] of sessions) {
      if (expiresAt <= now) sessions.delete(key);
    }
  };

  return {
    checkToken(presented) {
      // Comparing fixed-length digests hides the token's length as well as its content.
      return timingSafeEqual(digest(presented), tokenDigest);
    },
    start() {
      const now = options.clock();
      prune(now);
      while (sessions.size >= options.maxSessions) {
        const oldest = sessions.keys().next();
        if (oldest.done === true) break;
        sessions.delete(oldest.value);
      }
      const id = randomBytes(32).toString('base64url');
      const expiresAt = now + options.ttlMs;
      sessions.set(digest(id).toString('hex'), expiresAt);
      return { id, expiresAt };
    },
    isActive(id) {
      const key = digest(id).toString('hex');
      const expiresAt = sessions.get(key);
      if (expiresAt === undefined) return false;
      if (expiresAt <= options.clock()) {
        sessions.delete(key);
        return false;
      }
      return true;
    },
    end(id) {
      sessions.delete(digest(id).toString('hex'));
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
