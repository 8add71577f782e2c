import type Anthropic from '@anthropic-ai/sdk';
import { readErrorTypeName } from '@kora/audit-sink';
import type { EmitOutcome } from '@kora/audit-sink';
import { emitReasoningToolCalled } from '@kora/seam-reasoning';
import type { ToolStatus } from '@kora/seam-reasoning';
import { z } from 'zod';
import type { DaemonContext } from '../daemon-context.js';
import { KORA_TOOLS } from '../operations/kora-tools.js';
import type { KoraTool, ToolServices } from '../operations/kora-tools.js';
import type { ReasoningEngine, ReasoningRequest } from './reasoning-engine.js';

/** Options of {@link createReasoningEngine}. */
export interface ReasoningEngineOptions {
  /** Where the `reasoning.tool_called` rows go. */
  readonly context: DaemonContext;
  /** The Messages API client; undefined when no key or base URL is configured. */
  readonly client: Anthropic | undefined;
  /** The model to ask, `claude-sonnet-4-5`. */
  readonly model: string;
  /** Most Messages API calls one answer may take; more → {@link ReasoningTurnLimit}. */
  readonly maxTurns: number;
  /** What the tools act on. */
  readonly services: ToolServices;
  /** The tools to offer; default every Kora tool. */
  readonly tools?: readonly KoraTool[];
  /**
   * Names of the tools the model may call; default all of `tools`. Only these are offered,
   * and a call to another known tool is refused and audited as `denied`.
   */
  readonly allowedTools?: readonly string[];
  /** `max_tokens` of each call; default 1024. */
  readonly maxTokens?: number;
  /** The system prompt; default a short operations-agent brief. */
  readonly system?: string;
}

/** Thrown by `answer` when no Messages API client is configured. */
export class ReasoningNotConfigured extends Error {
  constructor() {
    super('the reasoning engine is not configured (KORA_ANTHROPIC_API_KEY, KORA_ANTHROPIC_BASE_URL)');
    this.name = 'ReasoningNotConfigured';
  }
}

/** Thrown by `answer` when the model still wants tools after `maxTurns` calls. */
export class ReasoningTurnLimit extends Error {
  /** The limit that was reached. */
  readonly maxTurns: number;
  constructor(maxTurns: number) {
    super(`the model did not finish within ${maxTurns} turns`);
    this.name = 'ReasoningTurnLimit';
    this.maxTurns = maxTurns;
  }
}

/** Thrown by `answer` when the model finished without any text. */
export class ReasoningNoAnswer extends Error {
  constructor() {
    super('the model finished without an answer');
    this.name = 'ReasoningNoAnswer';
  }
}

/** A tool call naming no tool the engine has; its type name becomes the row's `exc_type`. */
export class UnknownTool extends Error {
  constructor() {
    super('there is no tool with this name');
    this.name = 'UnknownTool';
  }
}

/** A tool call to a known tool outside `allowedTools`. */
export class ToolNotAllowed extends Error {
  constructor() {
    super('this tool is not allowed here');
    this.name = 'ToolNotAllowed';
  }
}

/** A tool call whose input does not match the tool's schema. */
export class InvalidToolInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidToolInput';
  }
}

/**
 * The audit is required and a row could not be written. Thrown by `answer` when the outcome
 * row of a tool that has run cannot be written: the result is kept from the model and no
 * further tool runs. A mutating tool whose intent row cannot be written is not run at all;
 * the model is told so, and this is the `exc_type` of that refusal's row.
 */
export class AuditUnavailable extends Error {
  constructor() {
    super('a tool call could not be audited, and the audit is required');
    this.name = 'AuditUnavailable';
  }
}

const DEFAULT_MAX_TOKENS = 1024;
const DEFAULT_SYSTEM_PROMPT =
  'You are Kora, the operations agent of this runtime. Answer the operator briefly and plainly. ' +
  'Use the tools to look up live state instead of guessing, and never repeat credentials.';
// Error messages go back to the model so it can correct itself; a long one says nothing more.
const MAX_ERROR_TEXT = 300;

/** How one tool call ended, before it is audited and returned to the model. */
interface ToolOutcome {
  readonly status: ToolStatus;
  readonly error: unknown;
  /** The `tool_result` content: the tool's JSON, or a short error for the model. */
  readonly content: string;
  /** The tool was not run because the audit could not record it: nothing else runs either. */
  readonly auditUnavailable?: true;
}

/** What a refused call tells the model, and the row it is audited with. */
function refuseUnaudited(toolName: string): ToolOutcome {
  return {
    status: 'denied',
    error: new AuditUnavailable(),
    content: `${toolName} was not run: the audit trail is unavailable, and this agent does not act unaudited. Try again later.`,
    auditUnavailable: true,
  };
}

/**
 * Create the reasoning engine: a Messages API tool-use loop over the Kora tools. Each tool
 * call the model makes is validated against the tool's zod schema, run, timed, answered with
 * a `tool_result`, and audited as one `reasoning.tool_called` row (name, trigger, duration,
 * status, error type). Tool inputs and outputs and the model's text go to the model and the
 * caller only, never to the audit.
 *
 * In `required` mode a mutating tool runs only after its intent row (`tool_status: pending`)
 * was written. If it cannot be, the tool is not run, the model gets an error result saying the
 * audit is unavailable, and no other tool of this run is run (each is refused the same way),
 * so the model can only answer in text. An outcome row that cannot be written after a tool ran
 * ends the run with {@link AuditUnavailable}.
 */
export function createReasoningEngine(options: ReasoningEngineOptions): ReasoningEngine {
  const { context, client, model, maxTurns, services } = options;
  const tools = options.tools ?? KORA_TOOLS;
  const toolsByName = new Map(tools.map((tool) => [tool.name, tool]));
  const allowed = new Set(options.allowedTools ?? tools.map((tool) => tool.name));
  for (const name of allowed) {
    // A misspelt allow-list would silently offer fewer tools: that is a wiring bug.
    if (!toolsByName.has(name)) throw new TypeError(`allowedTools names an unknown tool: ${name}`);
  }
  const offered = tools.filter((tool) => allowed.has(tool.name)).map(describeTool);
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const system = options.system ?? DEFAULT_SYSTEM_PROMPT;

  const audit = (
    block: Anthropic.ToolUseBlock,
    request: ReasoningRequest,
    durationMs: number,
    outcome: Pick<ToolOutcome, 'status' | 'error'>,
  ): EmitOutcome =>
    emitReasoningToolCalled(
      {
        toolName: block.name,
        triggeredBy: request.triggeredBy,
        durationMs,
        status: outcome.status,
        error: outcome.error,
        // Never written: with a digest key the row gets its keyed digest.
        args: block.input,
        callerSessionId: request.callerSessionId,
      },
      context.audit,
    );

  const callTool = async (block: Anthropic.ToolUseBlock, request: ReasoningRequest): Promise<ToolOutcome> => {
    const tool = toolsByName.get(block.name);
    if (tool === undefined) return { status: 'error', error: new UnknownTool(), content: `Unknown tool: ${block.name}` };
    if (!allowed.has(tool.name)) return { status: 'denied', error: new ToolNotAllowed(), content: `Tool not allowed: ${tool.name}` };
    const parsed = tool.input.safeParse(block.input ?? {});
    if (!parsed.success) {
      const error = new InvalidToolInput(describeIssues(parsed.error));
      return { status: 'error', error, content: `Invalid input: ${error.message}` };
    }
    if (tool.kind === 'mutating' && context.audit.sink.failure === 'required') {
      // Fail closed, as the MCP route does: the intent is on file before the tool acts, so
      // nothing changes without a row saying it was about to. Read tools only look.
      const intent = audit(block, request, 0, { status: 'pending', error: undefined });
      if (!intent.ok) {
        context.audit.logger.warn(`[kora.daemon.audit_unavailable] tool=${tool.name} action=refused reason=${intent.reason}`);
        return refuseUnaudited(tool.name);
      }
    }
    try {
      const result = await tool.run(parsed.data, services);
      return { status: 'ok', error: undefined, content: JSON.stringify(result.content) ?? 'null' };
    } catch (error) {
      const typeName = readErrorTypeName(error);
      const message = error instanceof Error ? error.message.slice(0, MAX_ERROR_TEXT) : '';
      return {
        status: isTimeout(error) ? 'timeout' : 'error',
        error,
        content: message === '' ? `The tool failed: ${typeName}` : `The tool failed: ${typeName}: ${message}`,
      };
    }
  };

  /** Run (or, once the audit failed this run, refuse) one call, audit its outcome, answer it. */
  const runToolUse = async (
    block: Anthropic.ToolUseBlock,
    request: ReasoningRequest,
    refuseAll: boolean,
  ): Promise<{ result: Anthropic.ToolResultBlockParam; auditUnavailable: boolean }> => {
    const started = performance.now();
    const outcome = refuseAll ? refuseUnaudited(block.name) : await callTool(block, request);
    const written = audit(block, request, performance.now() - started, outcome);
    // Fail closed: what ran but was not audited does not reach the model, and the loop goes
    // no further. A refusal's row is attempted for the record, but the refusal stands anyway.
    if (!written.ok && outcome.auditUnavailable !== true && context.audit.sink.failure === 'required') throw new AuditUnavailable();
    const result: Anthropic.ToolResultBlockParam = {
      type: 'tool_result',
      tool_use_id: block.id,
      content: outcome.content,
      ...(outcome.status === 'ok' ? {} : { is_error: true }),
    };
    return { result, auditUnavailable: outcome.auditUnavailable === true };
  };

  return {
    async answer(request) {
      if (client === undefined) throw new ReasoningNotConfigured();
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: request.text }];
      // Set once an intent row could not be written: from then on this run refuses every tool.
      let auditUnavailable = false;
      for (let turn = 1; turn <= maxTurns; turn += 1) {
        const response = await client.messages.create({
          model,
          max_tokens: maxTokens,
          system,
          messages,
          ...(offered.length > 0 ? { tools: offered } : {}),
        });
        messages.push({ role: 'assistant', content: response.content });
        // The server paused a long turn of its own; sending the conversation back resumes it.
        if (response.stop_reason === 'pause_turn') continue;
        const toolUses = response.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
        if (response.stop_reason !== 'tool_use' || toolUses.length === 0) return readAnswer(response);
        // On the last turn the results could never be read: the tools are not run at all.
        if (turn === maxTurns) break;
        const results: Anthropic.ToolResultBlockParam[] = [];
        // One after another, in the model's order: a later call may depend on an earlier change.
        for (const block of toolUses) {
          const answered = await runToolUse(block, request, auditUnavailable);
          // Every tool_use still needs its tool_result, so later calls are answered as refused.
          auditUnavailable ||= answered.auditUnavailable;
          results.push(answered.result);
        }
        messages.push({ role: 'user', content: results });
      }
      throw new ReasoningTurnLimit(maxTurns);
    },
  };
}

function describeTool(tool: KoraTool): Anthropic.Tool {
  // `input` so that fields with defaults are optional to the model, as the parser treats them.
  const schema: Record<string, unknown> = { ...z.toJSONSchema(tool.input, { io: 'input' }) };
  // The API reads the schema as JSON Schema 2020-12 anyway; the dialect marker is noise.
  delete schema.$schema;
  if (schema.type !== 'object') throw new TypeError(`tool ${tool.name} must take an object`);
  return { name: tool.name, description: tool.description, input_schema: { ...schema, type: 'object' } };
}

function readAnswer(response: Anthropic.Message): string {
  const text = response.content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('\n')
    .trim();
  if (text === '') throw new ReasoningNoAnswer();
  return text;
}

// Paths and zod's wording only: the model needs to know what to fix, not see its input echoed.
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? '(input)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}

// A Slack call that timed out surfaces as a request error wrapping a TimeoutError.
function isTimeout(error: unknown): boolean {
  if (readErrorTypeName(error) === 'TimeoutError') return true;
  if (typeof error !== 'object' || error === null) return false;
  const { original, cause } = error as { original?: unknown; cause?: unknown };
  return readErrorTypeName(original) === 'TimeoutError' || readErrorTypeName(cause) === 'TimeoutError';
}
