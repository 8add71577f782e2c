import { readErrorTypeName } from '@kora/audit-sink';
import type { EmitOutcome } from '@kora/audit-sink';
import { emitMcpToolCalled } from '@kora/seam-mcp';
import type { McpToolOutcome } from '@kora/seam-mcp';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { DaemonContext } from '../daemon-context.js';
import { createFixedWindows } from '../http/create-fixed-windows.js';
import { limitRequestBody } from '../http/limit-request-body.js';
import { readPeerAddress } from '../http/read-peer-address.js';
import { findTool, KORA_TOOLS } from '../operations/kora-tools.js';
import type { KoraTool, ToolServices } from '../operations/kora-tools.js';
import { ANONYMOUS_ACTOR_KIND } from './callers-file.js';
import type { Caller, CallerRegistry } from './callers-file.js';
import { resourceMetadataUrlFor } from './create-protected-resource-routes.js';
import { continueTrace } from '../tracing/continue-trace.js';

/** Largest request body the MCP endpoint reads, unless told otherwise: 1 MiB. */
export const DEFAULT_MCP_MAX_BODY_BYTES = 1024 * 1024;

/** Most JSON-RPC messages one request may carry, as the SDK's own transport allows. */
export const MAX_MESSAGES_PER_REQUEST = 100;

/** What {@link createMcpRoutes} needs. */
export interface McpRoutesOptions {
  /** Where the `mcp.tool_called` rows and lines go. */
  readonly context: DaemonContext;
  /** Who may call, from the callers file. */
  readonly callers: CallerRegistry;
  /** What the tools act on. */
  readonly services: ToolServices;
  /** Largest request body in bytes; a longer one is answered 413. */
  readonly maxBodyBytes?: number;
  /** Tool calls each caller may make per window (default {@link DEFAULT_MCP_CALLS_PER_WINDOW}). */
  readonly callsPerWindow?: number;
  /** The window of the callers' budgets and of the refusal rows' limits (default 60 s). */
  readonly windowMs?: number;
  /**
   * The peer address of a request. Defaults to the socket's remote address; a deployment behind
   * a trusted proxy supplies its own (the client-controlled `X-Forwarded-For` is never trusted here).
   */
  readonly peerIpOf?: (c: Context) => string | undefined;
}

/** Tool calls a caller may make per minute, unless told otherwise. */
export const DEFAULT_MCP_CALLS_PER_WINDOW = 600;

const DEFAULT_WINDOW_MS = 60_000;
// Peers and callers remembered at most; see createFixedWindows for what forgetting one costs.
const WINDOW_CAPACITY = 10_000;

/** Counters of what the endpoint refused, including the refusals it did not write as rows. */
export interface McpStats {
  /** Requests refused 401 that carried at least one `tools/call` (a batch is one). */
  readonly unauthenticated: number;
  /** Of those, the ones not written as a row: every one after the first per peer address per window. */
  readonly unauthenticatedUnaudited: number;
  /** Requests of a known caller refused 429 because they would exceed its budget. */
  readonly rateLimited: number;
  /** Of those, the ones not written as a row: every one after the first per caller per window. */
  readonly rateLimitedUnaudited: number;
}

/** The MCP routes, mountable with `app.route(…)`, plus their counters. */
export type McpRoutes = Hono & { readonly stats: () => McpStats };

const SERVER_INFO = { name: 'kora', version: '0.0.0' } as const;
// JSON-RPC's implementation-defined server error, which the SDK's transport also uses for
// refusals at the HTTP level.
const SERVER_ERROR = -32000;

/** The arguments did not match the tool's schema; audited as `error:InvalidArguments`. */
class InvalidArguments extends Error {
  override name = 'InvalidArguments';
}

/**
 * The SDK refused a `tools/call` before any tool was looked up (not a JSON-RPC request, no
 * tool name, arguments not an object); audited as `error:InvalidRequest`.
 */
class InvalidRequest extends Error {
  override name = 'InvalidRequest';
}

/** A `tools/call` message as found in a request body, before anything validated it. */
interface ToolCallAttempt {
  readonly id: unknown;
  readonly toolName: string;
  readonly args: unknown;
  /** `params._meta.traceparent`, as the caller sent it: its rows are written in that trace when it is valid. */
  readonly traceparent: unknown;
}

/**
 * The `result` of the intent row written before a tool runs in `required` mode; the outcome
 * row follows once it has run.
 */
export const INTENT_RESULT = 'pending';

/** Who is calling, as the audit rows record it. */
interface AuditedActor {
  readonly actorKind: string;
  readonly sessionId: string | null;
}

const ANONYMOUS: AuditedActor = { actorKind: ANONYMOUS_ACTOR_KIND, sessionId: null };

/**
 * The MCP endpoint (Streamable HTTP, stateless: a new server and transport per request),
 * serving every tool of {@link KORA_TOOLS} to callers with a bearer token from the callers
 * file. Every `tools/call` is audited exactly once as `mcp.tool_called`: ok, denied, failed,
 * and also when the token is missing or unknown. Mount it with `app.route('/mcp', …)`.
 *
 * When the sink's failure policy is `required`, a tool runs only after an intent row
 * (`result: pending`) was written; if it cannot be, the call is refused as a tool error and
 * audited as `denied:audit_unavailable`, and a result whose outcome row cannot be written is
 * withheld. So in that mode a call that runs has two rows: the intent and the outcome.
 *
 * Refusals are written at a bounded rate, so that nobody can fill the disk with them:
 * - A request without a valid token is one refusal, however many calls it carries. Per peer
 *   address and window, the first refusal carrying a `tools/call` is written as one row (its
 *   first call, `denied:unauthenticated`); the rest are only counted in `stats()`.
 * - Each caller has a budget of `callsPerWindow` tool calls per window (a batch costs one per
 *   call). A request that would exceed it is refused whole with 429 and `Retry-After`; the
 *   first such refusal per caller and window is written (`denied:rate_limited`), the rest counted.
 */
export function createMcpRoutes(options: McpRoutesOptions): McpRoutes {
  const { context, callers, services } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MCP_MAX_BODY_BYTES;
  const callsPerWindow = options.callsPerWindow ?? DEFAULT_MCP_CALLS_PER_WINDOW;
  const windowOptions = { windowMs: options.windowMs ?? DEFAULT_WINDOW_MS, capacity: WINDOW_CAPACITY, clock: context.clock };
  // Refusals without a valid token, per peer address.
  const anonymousRefusals = createFixedWindows(windowOptions);
  // Tool calls made, and refusals over budget, per caller.
  const callsMade = createFixedWindows(windowOptions);
  const overBudgetRefusals = createFixedWindows(windowOptions);
  const counts = { unauthenticated: 0, unauthenticatedUnaudited: 0, rateLimited: 0, rateLimitedUnaudited: 0 };
  const audit = (actor: AuditedActor, attempt: ToolCallAttempt, outcome: McpToolOutcome | typeof INTENT_RESULT): EmitOutcome => {
    const call = {
      toolName: attempt.toolName,
      // An unknown tool could have done anything: it is audited as the riskier kind.
      toolKind: findTool(attempt.toolName)?.kind ?? 'mutating',
      callerActorKind: actor.actorKind,
      args: attempt.args,
      callerSessionId: actor.sessionId,
    };
    // A trace sent in the call's `_meta` comes before one sent in the request's header.
    return continueTrace(attempt.traceparent, () =>
      emitMcpToolCalled(outcome === INTENT_RESULT ? { ...call, result: INTENT_RESULT } : { ...call, outcome }, context.audit),
    );
  };
  const authenticate = (c: Context): { caller: Caller | undefined; presented: boolean } => {
    const token = readBearerToken(c.req.header('authorization'));
    return { caller: token === undefined ? undefined : callers.authenticate(token), presented: token !== undefined };
  };

  const app = new Hono();
  app.post(
    '/',
    limitRequestBody({
      maxBytes: maxBodyBytes,
      onTooLarge: (c) => jsonRpcError(c, 413, ErrorCode.InvalidRequest, `Request body exceeds ${maxBodyBytes} bytes`),
    }),
    async (c) => {
      const { caller, presented } = authenticate(c);
      const body = parseJson(await c.req.text());
      const messages = body.ok ? (Array.isArray(body.value) ? (body.value as unknown[]) : [body.value]) : [];
      // Bounded, so that one request cannot write thousands of rows.
      const attempts = messages.slice(0, MAX_MESSAGES_PER_REQUEST).flatMap(readToolCallAttempt);
      const [firstAttempt] = attempts;
      if (caller === undefined) {
        if (firstAttempt !== undefined) {
          counts.unauthenticated += 1;
          // Requests with no known peer address (no socket) share one key rather than bypass it.
          const peer = readPeerAddress(c, options.peerIpOf) ?? 'unknown';
          if (anonymousRefusals.add(peer, 1).count === 1) audit(ANONYMOUS, firstAttempt, { status: 'denied', reason: 'unauthenticated' });
          else counts.unauthenticatedUnaudited += 1;
        }
        return unauthorized(c, presented);
      }
      if (!body.ok) return jsonRpcError(c, 400, ErrorCode.ParseError, 'Parse error: the body is not JSON');

      const actor: AuditedActor = { actorKind: caller.actorKind, sessionId: caller.name };
      if (firstAttempt !== undefined) {
        const used = callsMade.peek(caller.name);
        if (used.count + attempts.length > callsPerWindow) {
          counts.rateLimited += 1;
          if (overBudgetRefusals.add(caller.name, 1).count === 1) audit(actor, firstAttempt, { status: 'denied', reason: 'rate_limited' });
          else counts.rateLimitedUnaudited += 1;
          const waitMs = used.count === 0 ? windowOptions.windowMs : used.resetsAt - context.clock();
          c.header('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
          return jsonRpcError(
            c,
            429,
            SERVER_ERROR,
            `Too many tool calls: this caller may make ${callsPerWindow} per ${windowOptions.windowMs / 1000} s`,
          );
        }
        callsMade.add(caller.name, attempts.length);
      }
      if (messages.length > MAX_MESSAGES_PER_REQUEST) {
        for (const attempt of attempts) audit(actor, attempt, { status: 'error', error: new InvalidRequest() });
        return jsonRpcError(c, 400, ErrorCode.InvalidRequest, `A request carries at most ${MAX_MESSAGES_PER_REQUEST} messages`);
      }
      // Calls the SDK turns away before dispatch (malformed params, bad headers) never reach
      // the tools/call handler; whatever is left here afterwards is audited as refused.
      const undispatched = [...attempts];
      const dispatched = (requestId: RequestId): void => {
        const index = undispatched.findIndex((attempt) => attempt.id === requestId);
        if (index >= 0) undispatched.splice(index, 1);
      };
      const server = createKoraMcpServer({
        caller,
        services,
        audit: (attempt, outcome) => audit(actor, attempt, outcome),
        dispatched,
        context,
      });
      // JSON responses: handleRequest resolves only once every call has been answered, so the
      // check for undispatched calls below runs after the handler had its chance.
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      try {
        await server.connect(transport);
        return await transport.handleRequest(c.req.raw, { parsedBody: body.value });
      } finally {
        for (const attempt of undispatched) audit(actor, attempt, { status: 'error', error: new InvalidRequest() });
        await server.close();
      }
    },
  );
  // Stateless: there is no server-to-client stream to GET and no session to DELETE.
  app.all('/', (c) => {
    const { caller, presented } = authenticate(c);
    if (caller === undefined) return unauthorized(c, presented);
    c.header('Allow', 'POST');
    return jsonRpcError(c, 405, SERVER_ERROR, 'Method not allowed: this server is stateless; POST JSON-RPC messages');
  });
  return Object.assign(app, { stats: (): McpStats => ({ ...counts }) });
}

interface KoraMcpServerOptions {
  readonly caller: Caller;
  readonly services: ToolServices;
  readonly context: DaemonContext;
  readonly audit: (attempt: ToolCallAttempt, outcome: McpToolOutcome | typeof INTENT_RESULT) => EmitOutcome;
  /** Told about every call the tools/call handler receives. */
  readonly dispatched: (requestId: RequestId) => void;
}

function createKoraMcpServer({ caller, services, context, audit, dispatched }: KoraMcpServerOptions): McpServer {
  const server = new McpServer(SERVER_INFO);

  const callTool = async (toolName: string, args: unknown, requestId: RequestId, traceparent?: unknown): Promise<CallToolResult> => {
    dispatched(requestId);
    const attempt: ToolCallAttempt = { id: requestId, toolName, args, traceparent };
    const tool = findTool(toolName);
    if (tool === undefined) {
      audit(attempt, { status: 'denied', reason: 'unknown_tool' });
      // The name is not echoed: it is the caller's own text, and tools/list has the real ones.
      throw new McpError(ErrorCode.InvalidParams, 'Unknown tool: tools/list names the tools of this server');
    }
    if (!caller.capabilities.has(tool.capability)) {
      audit(attempt, { status: 'denied', reason: 'missing_capability' });
      return toolError(`${tool.name} needs the capability ${tool.capability}, which this caller does not have.`);
    }
    const parsed = tool.input.safeParse(args ?? {});
    if (!parsed.success) {
      audit(attempt, { status: 'error', error: new InvalidArguments() });
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(arguments)'}: ${issue.message}`);
      return toolError(`Invalid arguments for ${tool.name}: ${problems.join('; ')}`);
    }
    if (context.audit.sink.failure === 'required') {
      // Fail closed, as a request log does: the intent is on file before the tool acts, so
      // nothing changes without a row saying it was about to.
      const intent = audit(attempt, INTENT_RESULT);
      if (!intent.ok) {
        audit(attempt, { status: 'denied', reason: 'audit_unavailable' });
        context.audit.logger.warn(`[kora.daemon.audit_unavailable] tool=${tool.name} action=refused reason=${intent.reason}`);
        return toolError(
          `${tool.name} was not run: the audit trail is unavailable, and this server does not act unaudited. Try again later.`,
        );
      }
    }
    let code: string;
    let text: string;
    let structured: Record<string, unknown> | undefined;
    try {
      const result = await tool.run(parsed.data, services);
      code = result.code;
      text = JSON.stringify(result.content);
      structured = isRecord(result.content) ? result.content : undefined;
    } catch (error) {
      audit(attempt, { status: 'error', error });
      // The type name is already in the audit row; the message and stack stay in the process.
      return toolError(`${tool.name} failed (${readErrorTypeName(error)}).`);
    }
    const written = audit(attempt, { status: 'ok', code });
    if (!written.ok && context.audit.sink.failure === 'required') {
      // Fail closed: what a caller cannot be held to account for, it does not get to see.
      return toolError(`${tool.name} ran, but the call could not be audited, so its result is withheld.`);
    }
    return { content: [{ type: 'text', text }], ...(structured === undefined ? {} : { structuredContent: structured }) };
  };

  // McpServer serves tools/list from these registrations (schema, title, annotations).
  for (const tool of KORA_TOOLS) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, annotations: annotationsFor(tool) },
      (args, extra) => callTool(tool.name, args, extra.requestId),
    );
  }
  // tools/call is taken over: McpServer resolves the name and validates the arguments before
  // a tool callback runs, so unknown tools and invalid arguments would go unaudited.
  // The tool runs inside the trace its call's `_meta.traceparent` names, when it names a valid one.
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const traceparent = readMetaTraceparent(request.params._meta);
    return continueTrace(traceparent, () => callTool(request.params.name, request.params.arguments, extra.requestId, traceparent));
  });
  return server;
}

function annotationsFor(tool: KoraTool): { title: string; readOnlyHint: boolean; destructiveHint: boolean } {
  return { title: tool.title, readOnlyHint: tool.kind === 'read', destructiveHint: tool.kind === 'mutating' };
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** The `tools/call` in one JSON-RPC message, if it is one, however malformed its params. */
function readToolCallAttempt(message: unknown): ToolCallAttempt[] {
  if (!isRecord(message) || message.method !== 'tools/call') return [];
  const params = isRecord(message.params) ? message.params : {};
  return [
    {
      id: message.id,
      toolName: typeof params.name === 'string' ? params.name : '',
      args: params.arguments,
      traceparent: readMetaTraceparent(params._meta),
    },
  ];
}

/** `_meta.traceparent` of a request's params (MCP's place for W3C trace context), unchecked. */
function readMetaTraceparent(meta: unknown): unknown {
  return isRecord(meta) && Object.hasOwn(meta, 'traceparent') ? meta.traceparent : undefined;
}

function readBearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; value?: undefined } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function unauthorized(c: Context, presented: boolean): Response {
  // RFC 6750: name the error only when a token was presented and refused. RFC 9728: point at
  // the resource's metadata, where MCP clients start their OAuth discovery.
  const metadataUrl = resourceMetadataUrlFor(c.req.url);
  const challenge = [
    'Bearer realm="kora-mcp"',
    ...(metadataUrl === undefined ? [] : [`resource_metadata="${metadataUrl}"`]),
    ...(presented ? ['error="invalid_token"'] : []),
  ];
  c.header('WWW-Authenticate', challenge.join(', '));
  return jsonRpcError(c, 401, SERVER_ERROR, 'Unauthorized: send Authorization: Bearer <token> of a caller in the callers file');
}

function jsonRpcError(c: Context, status: 400 | 401 | 405 | 413 | 429, code: number, message: string): Response {
  return c.json({ jsonrpc: '2.0', error: { code, message }, id: null }, status);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
