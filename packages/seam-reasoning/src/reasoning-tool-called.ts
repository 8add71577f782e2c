import {
  ARGS_DIGEST_PATTERN,
  ARGS_DIGEST_SKIP_REASONS,
  defineSeam,
  formatPythonInt,
  formatPythonStr,
  readDetailsField,
} from '@kora/audit-sink';
import type { LineContext } from '@kora/audit-sink';
import { z } from 'zod';
import { reasoningToolCalledExport } from './reasoning-tool-called-export.js';

/**
 * How a tool call inside the reasoning loop ended, or `pending`: the intent row written before
 * a mutating tool runs when the audit is required, so that nothing changes unrecorded.
 */
export const TOOL_STATUSES = ['ok', 'error', 'denied', 'timeout', 'pending'] as const;

/** One of {@link TOOL_STATUSES}. */
export type ToolStatus = (typeof TOOL_STATUSES)[number];

/** Longest tool name the emit helper keeps. */
export const MAX_TOOL_NAME_LENGTH = 128;

/** The allow-list of `reasoning.tool_called`: what one tool call of the LLM loop may record. */
export const reasoningToolCalledDetails = z.strictObject({
  /**
   * The tool the model called. The model chooses it, so it is bounded printable ASCII; the
   * schema allows twice the helper's cap, room for a `[REDACTED:<rule>]` marker.
   */
  tool_name: z.string().regex(/^[\x21-\x7e]{1,256}$/, 'must be 1-256 printable ASCII characters without spaces'),
  /** What woke the reasoning loop: `slack_dm`, `email`, `probe_wake`, `mcp:<actor>:<tool>`, … */
  triggered_by: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 of A-Z a-z 0-9 _ . : -'),
  /** How long the tool ran, in whole milliseconds. */
  tool_duration_ms: z.number().int().nonnegative(),
  /** How the call ended; `pending` before a mutating tool runs, when the audit is required. */
  tool_status: z.enum(TOOL_STATUSES),
  /** The type name of the error the tool raised, when it raised one; never its message. */
  exc_type: z
    .string()
    .regex(/^[A-Za-z_$][A-Za-z0-9_$.]{0,127}$/, 'must be an error type name')
    .optional(),
  /**
   * With a digest key configured: `hmac-sha256:<key id>:<digest>`, the HMAC-SHA256 of the call's
   * arguments in RFC 8785 canonical JSON (unpadded base64url). Proves which arguments ran
   * without holding them.
   */
  args_digest: z.string().regex(ARGS_DIGEST_PATTERN, 'must be hmac-sha256:<key id>:<43 base64url characters>').optional(),
  /** With a digest key configured, why the arguments could not be digested (not JSON, cyclic, …). */
  args_digest_error: z.enum(ARGS_DIGEST_SKIP_REASONS).optional(),
});

/** Details of one `reasoning.tool_called` row. */
export type ReasoningToolCalledDetails = z.infer<typeof reasoningToolCalledDetails>;

/** The documented fields of `reasoning.tool_called`, locked by the allow-list gate. */
export const fields = [
  { key: 'tool_name', classification: 'identifier', description: 'The name of the tool the model called.' },
  {
    key: 'triggered_by',
    classification: 'machine_code',
    description: 'What woke the reasoning loop, e.g. slack_dm or mcp:<actor>:<tool>.',
  },
  { key: 'tool_duration_ms', classification: 'duration', description: 'How long the tool ran, in whole milliseconds.' },
  {
    key: 'tool_status',
    classification: 'machine_code',
    description: 'How the call ended: ok, error, denied or timeout; pending is the intent row before a mutating tool runs.',
  },
  {
    key: 'exc_type',
    classification: 'machine_code',
    description: 'The type name of the error the tool raised, when it raised one; never its message.',
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
 * `[kora.reasoning.tool_called] tool=%s triggered_by=%s caller_session_id=%s
 * tool_duration_ms=%d tool_status=%s`, then ` exc_type=%s` only when exc_type is present
 * (not null or undefined). A null caller session prints `None`. Formats any input.
 */
export function formatLine(details: Readonly<Record<string, unknown>>, context?: LineContext): string {
  const value = (key: string): unknown => readDetailsField(details, key);
  const excType = value('exc_type');
  return (
    `[kora.reasoning.tool_called] tool=${formatPythonStr(value('tool_name'))} triggered_by=${formatPythonStr(value('triggered_by'))}` +
    ` caller_session_id=${formatPythonStr(context?.caller_session_id)} tool_duration_ms=${formatPythonInt(value('tool_duration_ms'))}` +
    ` tool_status=${formatPythonStr(value('tool_status'))}` +
    (excType === undefined || excType === null ? '' : ` exc_type=${formatPythonStr(excType)}`)
  );
}

/** The `reasoning.tool_called` seam: an info line and a row per tool call of the LLM loop. */
export const seam = defineSeam({
  name: 'reasoning.tool_called',
  level: 'info',
  source: 'reasoning',
  details: reasoningToolCalledDetails,
  fields,
  formatLine,
  exportMapping: reasoningToolCalledExport,
});
