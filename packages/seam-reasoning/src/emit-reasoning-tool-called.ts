import { digestToolArgs, emitSeamEvent, escapeToken, fitRedactedLength, readErrorTypeName } from '@kora/audit-sink';
import type { EmitOutcome, EmitTargets } from '@kora/audit-sink';
import { MAX_TOOL_NAME_LENGTH, seam } from './reasoning-tool-called.js';
import type { ReasoningToolCalledDetails, ToolStatus } from './reasoning-tool-called.js';

/** Raw inputs of {@link emitReasoningToolCalled}, as the reasoning loop has them. */
export interface EmitReasoningToolCalledInput {
  /** The tool the model asked for, as the model spelled it. */
  readonly toolName: string;
  /** What woke the loop: `slack_dm`, `email`, `probe_wake`, `mcp:<actor>:<tool>`, … */
  readonly triggeredBy: string;
  /** How long the tool ran in milliseconds; rounded, and clamped at 0. */
  readonly durationMs: number;
  /** How the call ended. */
  readonly status: ToolStatus;
  /** What the tool threw, if anything (null means nothing): only its type name is kept, as `exc_type`. */
  readonly error?: unknown;
  /**
   * The tool call's raw input, as the model gave it. Never written: with a digest key on the
   * sink, only its keyed digest (`args_digest`) is.
   */
  readonly args?: unknown;
  /** The session that triggered the loop (`{channel}:{ts}` for a Slack DM), or null. */
  readonly callerSessionId?: string | null;
}

/**
 * Audit one tool call made inside the LLM reasoning loop: logs the
 * `[kora.reasoning.tool_called]` line at info and appends the row. Tool inputs, outputs and
 * error messages never leave this function; with a digest key the input's keyed digest goes in
 * the row (not the line). Never throws in best-effort mode.
 */
export function emitReasoningToolCalled(input: EmitReasoningToolCalledInput, targets?: EmitTargets): EmitOutcome {
  const details: ReasoningToolCalledDetails = {
    // Cut as written, secrets counted as their longer markers: the model's choice of name
    // must not be able to push it past the allow-list and cost the row.
    tool_name: fitRedactedLength(escapeToken(input.toolName, 8 * MAX_TOOL_NAME_LENGTH), MAX_TOOL_NAME_LENGTH),
    triggered_by: input.triggeredBy,
    // NaN stays NaN, so that a broken clock is refused and warned about, not written as 0.
    tool_duration_ms: Math.max(0, Math.round(input.durationMs)),
    tool_status: input.status,
    ...(input.error === undefined || input.error === null ? {} : { exc_type: readErrorTypeName(input.error) }),
    ...digestToolArgs(input.args, targets),
  };
  return emitSeamEvent(seam, details, { source: 'reasoning', caller_session_id: input.callerSessionId ?? null }, targets);
}
