import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CAPABILITIES } from '../operations/kora-tools.js';
import type { Capability } from '../operations/kora-tools.js';

/** The actor kind audited for a request that presented no known token. */
export const ANONYMOUS_ACTOR_KIND = 'anonymous';

// SHA-256 of the empty string: an entry with this hash would let an empty bearer token in.
const EMPTY_TOKEN_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// Missing fields and wrong types get one short wording each; zod's own would say "Invalid input".
function expected(what: string): { error: (issue: z.core.$ZodRawIssue) => string | undefined } {
  return {
    error: (issue) => {
      if (issue.code !== 'invalid_type') return undefined;
      return issue.input === undefined ? 'is required' : `must be ${what}`;
    },
  };
}

// Names and actor kinds land in audit rows and log lines: a narrow alphabet keeps them tokens.
const shortToken = z.string(expected('a string')).regex(/^[a-z0-9_.-]{1,64}$/, { error: 'must be 1-64 of a-z 0-9 _ . -' });

/** One entry of the callers file. */
export const callerEntry = z.strictObject(
  {
    /** Who the caller is, e.g. `pm-agent`; written as the audit row's `caller_session_id`. */
    name: shortToken,
    /** Lower-case hex SHA-256 of the caller's bearer token; the token itself is never stored. */
    token_sha256: z
      .string(expected('a string'))
      .regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lower-case hex characters (a SHA-256 digest)' })
      .refine((hash) => hash !== EMPTY_TOKEN_SHA256, { error: 'is the hash of an empty token' }),
    /** The kind of actor the caller is, e.g. `claude_pm_isokron`; written as `caller_actor_kind`. */
    actor_kind: shortToken.refine((kind) => kind !== ANONYMOUS_ACTOR_KIND, {
      error: `must not be "${ANONYMOUS_ACTOR_KIND}", which marks unauthenticated requests`,
    }),
    /** What the caller may do; each tool needs one capability. */
    capabilities: z
      .array(z.enum(CAPABILITIES, { error: `must be one of ${CAPABILITIES.join(', ')}` }), expected('an array'))
      .refine((list) => new Set(list).size === list.length, { error: 'lists a capability twice' }),
  },
  expected('an object'),
);

/** One entry of the callers file, as written. */
export type CallerEntry = z.infer<typeof callerEntry>;

/** The callers file: who may call the MCP server, and what they may call. */
export const callersFile = z.strictObject(
  {
    /** Every caller; names and token hashes are unique. */
    callers: z.array(callerEntry, expected('an array')),
  },
  expected('a JSON object'),
);

/** The callers file, as written. */
export type CallersFile = z.infer<typeof callersFile>;

/** An authenticated caller. */
export interface Caller {
  /** The entry's name; the MCP audit rows carry it as `caller_session_id`. */
  readonly name: string;
  /** The actor kind the audit rows record as `caller_actor_kind`. */
  readonly actorKind: string;
  /** What this caller may do. */
  readonly capabilities: ReadonlySet<Capability>;
}

/** The callers of one callers file, able to tell who presented a bearer token. */
export interface CallerRegistry {
  /** Every caller, in file order. */
  readonly callers: readonly Caller[];
  /**
   * The caller whose token this is, or undefined. Hashes the token and compares the digest
   * with every entry in constant time, so neither the match nor its position shows in timing.
   */
  authenticate(presentedToken: string): Caller | undefined;
}

/** A callers file that cannot be read or is not valid; the message names the file and the problem. */
export class CallersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallersFileError';
  }
}

/** Lower-case hex SHA-256 of a bearer token: what a callers file stores as `token_sha256`. */
export function hashCallerToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Read and validate the callers file at `path`. Throws a {@link CallersFileError} naming the
 * file and every problem found, but never a hash or any other value from the file.
 */
export function loadCallersFile(path: string): CallerRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
    throw new CallersFileError(`callers file ${path}: cannot be read (${code})`);
  }
  return parseCallersFile(text, path);
}

/**
 * Validate the text of a callers file. `source` names the file in error messages. Throws a
 * {@link CallersFileError} naming every problem found, never a value from the file.
 */
export function parseCallersFile(text: string, source = '(inline)'): CallerRegistry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error, which may be a hash.
    throw invalid(source, 'is not valid JSON');
  }
  const parsed = callersFile.safeParse(json);
  if (!parsed.success) throw invalid(source, parsed.error.issues.map(describeIssue).join('; '));
  const entries = parsed.data.callers;

  const problems: string[] = [];
  const firstByName = new Map<string, number>();
  const firstByHash = new Map<string, number>();
  entries.forEach((entry, index) => {
    const sameName = firstByName.get(entry.name);
    if (sameName === undefined) firstByName.set(entry.name, index);
    else problems.push(`callers[${index}].name is already used by callers[${sameName}]`);
    const sameHash = firstByHash.get(entry.token_sha256);
    if (sameHash === undefined) firstByHash.set(entry.token_sha256, index);
    else problems.push(`callers[${index}].token_sha256 is already used by callers[${sameHash}]: each caller needs its own token`);
  });
  if (problems.length > 0) throw invalid(source, problems.join('; '));
  return createCallerRegistry(entries);
}

function invalid(source: string, problem: string): CallersFileError {
  return new CallersFileError(`callers file ${source}: ${problem}`);
}

function createCallerRegistry(entries: readonly CallerEntry[]): CallerRegistry {
  const known = entries.map((entry) => ({
    digest: Buffer.from(entry.token_sha256, 'hex'),
    caller: Object.freeze({
      name: entry.name,
      actorKind: entry.actor_kind,
      capabilities: new Set<Capability>(entry.capabilities),
    }),
  }));
  return {
    callers: known.map(({ caller }) => caller),
    authenticate(presentedToken) {
      // Hashing first makes every comparison 32 bytes against 32 bytes, whatever the length
      // of the presented token, so timingSafeEqual never throws on a length mismatch.
      const presented = createHash('sha256').update(presentedToken, 'utf8').digest();
      let match: Caller | undefined;
      for (const { digest, caller } of known) {
        // No break: every entry is compared, so the time taken does not say which one matched.
        if (timingSafeEqual(presented, digest) && match === undefined) match = caller;
      }
      return match;
    },
  };
}

// The schemas' messages never quote the input. Unknown keys are named only when they look
// like field names: a stray token pasted in as a key must not be echoed.
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const count = issue.keys.length;
    if (!issue.keys.every((key) => /^[A-Za-z0-9_]{1,32}$/.test(key)))
      return `${where} has ${count} unknown ${count === 1 ? 'key' : 'keys'}`;
    const hint = issue.keys.includes('token') ? ' (store token_sha256, never the token)' : '';
    return `${where} has unknown ${count === 1 ? 'key' : 'keys'}: ${issue.keys.join(', ')}${hint}`;
  }
  return `${where} ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const segment of path) {
    formatted += typeof segment === 'number' ? `[${segment}]` : `${formatted === '' ? '' : '.'}${String(segment)}`;
  }
  return formatted === '' ? 'the top level' : formatted;
}
