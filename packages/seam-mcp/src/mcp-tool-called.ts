import { ARGS_DIGEST_PATTERN, ARGS_DIGEST_SKIP_REASONS, defineSeam, formatPythonStr, readDetailsField } from '@kora/audit-sink';
import type { LineContext } from '@kora/audit-sink';
import { z } from 'zod';
import { compareCodePoints } from './compare-code-points.js';
import { mcpToolCalledExport } from './mcp-tool-called-export.js';

/** Longest tool name, result code or key name the emit helper keeps. */
export const MAX_TOKEN_LENGTH = 128;
/** Most argument key names kept per call. */
export const MAX_ARGS_KEYS = 256;

// The schema allows twice the helper's cap: the guard may replace a short secret inside a
// value with a longer `[REDACTED:<rule>]` marker after the helper cut it to size.
// Printable ASCII without spaces: a name or a code can be written, a sentence cannot.
const token = z.string().regex(/^[\x21-\x7e]{1,256}$/, 'must be 1-256 printable ASCII characters without spaces');
// Actor kinds come from the server's own configuration: a narrow alphabet suffices.
const actorKind = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . : -');
// A JSON key may be any printable text (`say "hi"`, `café`), but no control, format,
// private-use, unassigned or separator characters other than the plain space.
const keyName = z.string().regex(/^(?:[^\p{C}\p{Z}]| ){0,256}$/u, 'must be at most 256 printable characters');
// The guard redacts after the helper sorted the keys, so markers may sit out of order.
const REDACTION_MARKER = '[REDACTED:';

/** The allow-list of `mcp.tool_called`: what one MCP tool call may record. */
export const mcpToolCalledDetails = z.strictObject({
  /** The MCP tool's name, e.g. `kora__list_tickets`. */
  tool_name: token,
  /** Whether the tool only reads (`read`) or changes state (`mutating`). */
  tool_kind: z.enum(['read', 'mutating']),
  /** The kind of actor the caller's token maps to, e.g. `claude_pm_isokron`. */
  caller_actor_kind: actorKind,
  /**
   * The call's argument key names, sorted by code point and unique (key names the guard
   * redacted excepted); never their values.
   */
  args_keys: z.array(keyName).max(MAX_ARGS_KEYS).refine(isStrictlySorted, 'must be sorted by code point without duplicates'),
  /** A short result code: `ok`, `count=25`, `ticket_id=…`, `denied:<reason>`, `error:<ErrorName>`. */
  result: token,
  /**
   * With a digest key configured: `hmac-sha256:<key id>:<digest>`, the HMAC-SHA256 of the call's
   * arguments in RFC 8785 canonical JSON (unpadded base64url). Proves which arguments ran
   * without holding them.
   */
  args_digest: z.string().regex(ARGS_DIGEST_PATTERN, 'must be hmac-sha256:<key id>:<43 base64url characters>').optional(),
  /** With a digest key configured, why the arguments could not be digested (not JSON, cyclic, …). */
  args_digest_error: z.enum(ARGS_DIGEST_SKIP_REASONS).optional(),
});

/** Details of one `mcp.tool_called` row. */
export type McpToolCalledDetails = z.infer<typeof mcpToolCalledDetails>;

/** The documented fields of `mcp.tool_called`, locked by the allow-list gate. */
export const fields = [
  { key: 'tool_name', classification: 'identifier', description: 'The name of the MCP tool that was called.' },
  { key: 'tool_kind', classification: 'machine_code', description: 'read for tools that only read, mutating for tools that change state.' },
  { key: 'caller_actor_kind', classification: 'identifier', description: "The actor kind the caller's bearer token maps to." },
  {
    key: 'args_keys',
    classification: 'key_names',
    description: "The names of the call's arguments, sorted by code point; never their values.",
  },
  {
    key: 'result',
    classification: 'machine_code',
    description: 'The outcome as a short code: ok, count=N, ticket_id=..., denied:<reason> or error:<ErrorName>.',
  },
  {
    key: 'args_digest',
    classification: 'identifier',
    description: "A keyed HMAC-SHA256 of the call's arguments in RFC 8785 canonical JSON, with the key's id; never the arguments.",
  },
  {
    key: 'args_digest_error',
    classification: 'machine_code',
    description: 'Why the arguments could not be digested: not_json, cyclic, too_deep, too_large or unreadable.',
  },
] as const;

/**
 * `[kora.mcp.tool_called] tool=%s caller_actor_kind=%s args_keys=%s result=%s`, with Python's
 * `%s`: `args_keys` is the list's repr (`['a', 'b']`). Formats any input.
 */
export function formatLine(details: Readonly<Record<string, unknown>>, _context?: LineContext): string {
  const value = (key: string): string => formatPythonStr(readDetailsField(details, key));
  return `[kora.mcp.tool_called] tool=${value('tool_name')} caller_actor_kind=${value('caller_actor_kind')} args_keys=${value('args_keys')} result=${value('result')}`;
}

/** The `mcp.tool_called` seam: an info line and a row per MCP tool call, read or mutating. */
export const seam = defineSeam({
  name: 'mcp.tool_called',
  level: 'info',
  source: 'mcp_http',
  details: mcpToolCalledDetails,
  fields,
  formatLine,
  exportMapping: mcpToolCalledExport,
});

function isStrictlySorted(keys: readonly unknown[]): boolean {
  let previous: string | undefined;
  for (const key of keys) {
    if (typeof key !== 'string') return false;
    if (key.includes(REDACTION_MARKER)) continue;
    if (previous !== undefined && compareCodePoints(previous, key) >= 0) return false;
    previous = key;
  }
  return true;
}
