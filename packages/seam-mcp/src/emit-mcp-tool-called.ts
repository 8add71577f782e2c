import {
  digestToolArgs,
  emitSeamEvent,
  escapeCodePoints,
  escapeToken,
  fitRedactedLength,
  readErrorTypeName,
  redactText,
} from '@kora/audit-sink';
import type { EmitOutcome, EmitTargets } from '@kora/audit-sink';
import { compareCodePoints } from './compare-code-points.js';
import { MAX_ARGS_KEYS, MAX_TOKEN_LENGTH, seam } from './mcp-tool-called.js';
import type { McpToolCalledDetails } from './mcp-tool-called.js';

// Text is escaped this far before it is cut: enough to see a secret that runs across the cut.
const SCAN_LENGTH = 8 * MAX_TOKEN_LENGTH;
/**
 * Bytes of JSON the argument key names may take in the row. The other fields take at most
 * about 2.5 KiB, so with this a row stays within the sink's default 16 KiB cap and is never
 * cut down, which could merge two names into one and break the allow-list.
 */
const ARGS_KEYS_BUDGET_BYTES = 12 * 1024;

/** How a tool call ended, when the caller has not already made a result code. */
export type McpToolOutcome =
  /** The tool ran; `code` is its short result (`count=25`), `ok` by default. */
  | { readonly status: 'ok'; readonly code?: string }
  /** The caller was not allowed to call the tool; `reason` is a short code. */
  | { readonly status: 'denied'; readonly reason: string }
  /** The tool threw; only the error's type name is kept. */
  | { readonly status: 'error'; readonly error: unknown };

interface EmitMcpToolCalledBase {
  /** The called tool's name, as the client sent it. */
  readonly toolName: string;
  /** Whether the tool only reads or changes state. */
  readonly toolKind: 'read' | 'mutating';
  /** The actor kind the caller's token maps to. */
  readonly callerActorKind: string;
  /**
   * The call's raw arguments: only their own key names are kept, never values, and, when the
   * sink has a digest key, their keyed digest (`args_digest`).
   */
  readonly args?: unknown;
  /** The caller's identity or MCP session id, written as the row's `caller_session_id`. */
  readonly callerSessionId?: string | null;
}

/** Raw inputs of {@link emitMcpToolCalled}: a result code, or an outcome to derive one from. */
export type EmitMcpToolCalledInput = EmitMcpToolCalledBase &
  (
    | {
        /** A ready result code: `ok`, `count=25`, `ticket_id=tkt-1`. */
        readonly result: string;
        readonly outcome?: undefined;
      }
    | { readonly outcome: McpToolOutcome; readonly result?: undefined }
  );

/**
 * Audit one MCP tool call (read or mutating, ok, denied or failed): logs the
 * `[kora.mcp.tool_called]` line at info and appends the row. Argument values never leave this
 * function: only their key names, sorted by code point, and with a digest key their keyed digest
 * (in the row only; the line stays as it was). Never throws in best-effort mode.
 */
export function emitMcpToolCalled(input: EmitMcpToolCalledInput, targets?: EmitTargets): EmitOutcome {
  const details: McpToolCalledDetails = {
    tool_name: fitToken(input.toolName),
    tool_kind: input.toolKind,
    caller_actor_kind: input.callerActorKind,
    args_keys: listArgsKeys(input.args),
    result: fitToken(describeResult(input)),
    ...digestToolArgs(input.args, targets),
  };
  return emitSeamEvent(seam, details, { caller_session_id: input.callerSessionId ?? null }, targets);
}

/**
 * A caller's text as a token of at most 128 characters as written: the guard's markers for any
 * secrets in it counted, so that a few short secrets cannot push it past the allow-list.
 */
function fitToken(text: string): string {
  return fitRedactedLength(escapeToken(text, SCAN_LENGTH), MAX_TOKEN_LENGTH);
}

function describeResult(input: EmitMcpToolCalledInput): string {
  if (input.result !== undefined) return input.result;
  const outcome = input.outcome;
  switch (outcome.status) {
    case 'ok':
      return outcome.code ?? 'ok';
    case 'denied':
      return `denied:${outcome.reason}`;
    case 'error':
      return `error:${readErrorTypeName(outcome.error)}`;
  }
}

/**
 * The arguments' own key names, sorted by code point, made printable (spaces, control and other
 * non-printable characters escaped as `\xNN`/`\uXXXX`) and capped in length and number, so a
 * caller's odd keys can never make the row invalid, nor read in the line as another field.
 */
function listArgsKeys(args: unknown): string[] {
  if (typeof args !== 'object' || args === null) return [];
  let keys: string[];
  try {
    keys = Object.keys(args);
  } catch {
    // A hostile proxy: there are no keys we can honestly report.
    return [];
  }
  const printable = new Set(keys.map(printableKeyName));
  const kept: string[] = [];
  let bytes = 0;
  for (const name of [...printable].sort(compareCodePoints)) {
    // Measured as written: a secret in a name is written as its (longer) marker.
    bytes += Buffer.byteLength(JSON.stringify(redactText(name).text), 'utf8') + 1;
    if (kept.length === MAX_ARGS_KEYS || bytes > ARGS_KEYS_BUDGET_BYTES) break;
    kept.push(name);
  }
  return kept;
}

// Every character Python's repr escapes, and the space: with no space in a name, the line's
// `args_keys=[…]` cannot hold a ` result=` or ` caller_actor_kind=` of its own.
const ESCAPED_IN_KEY_NAME = /[\p{C}\p{Z}]/u;

function printableKeyName(key: string): string {
  const name = escapeCodePoints(key, (character) => ESCAPED_IN_KEY_NAME.test(character), SCAN_LENGTH);
  // Cut by code point, so that no surrogate pair is split, and never inside a secret.
  return fitRedactedLength(name, MAX_TOKEN_LENGTH);
}
