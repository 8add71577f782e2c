import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { parseJson, readBody } from './read-fake-request.js';

/** A tool call the scripted model makes. */
export interface FakeToolUse {
  readonly name: string;
  /** The tool's arguments; `{}` when left out. */
  readonly input?: Readonly<Record<string, unknown>>;
}

/**
 * One answer of the scripted model: tool calls (stop reason `tool_use`, optionally after a
 * sentence of text), final text (stop reason `end_turn`; left out, a summary of every tool
 * result the model received in the conversation), or a failed request at this point.
 */
export type FakeModelTurn =
  | { readonly kind: 'tool_use'; readonly toolUses: readonly FakeToolUse[]; readonly text?: string }
  | { readonly kind: 'text'; readonly text?: string }
  | { readonly kind: 'fail'; readonly failure: FakeAnthropicFailure };

/**
 * How the fake fails a request: the Messages API's own errors by name (`overloaded` is 529
 * `overloaded_error`, `api_error` is 500, `rate_limited` is 429 with `retry-after`), any
 * status and error type, or `hang` (never answered, so the client times out).
 */
export type FakeAnthropicFailure =
  'overloaded' | 'api_error' | 'rate_limited' | 'hang' | { readonly status: number; readonly type: string; readonly message?: string };

/** A `POST /v1/messages` as the fake received it. */
export interface FakeMessagesRequest {
  /** The parsed body, or undefined when it was not a valid Messages request. */
  readonly body: FakeMessagesBody | undefined;
  /** Which header carried the key: `x-api-key`, `Authorization: Bearer`, or neither. */
  readonly auth: 'x-api-key' | 'bearer' | 'none';
  readonly anthropicVersion: string | undefined;
  /** The HTTP status answered; undefined while a hanging request is held. */
  readonly status: number | undefined;
}

/** Options of {@link startFakeAnthropicApi}. */
export interface FakeAnthropicApiOptions {
  /** The only key accepted (as `x-api-key` or `Authorization: Bearer`). Has a default. */
  readonly apiKey?: string;
  /**
   * What the model does when no script is queued: one call per turn, in order, of each of
   * these tools the request offers, then a summary of the results. Default: the operational
   * state, then the open tickets.
   */
  readonly defaultToolUses?: readonly FakeToolUse[];
}

/** A local stand-in for `https://api.anthropic.com` that the real `Anthropic` client can talk to. */
export interface FakeAnthropicApi {
  /** The base URL to pass as `baseURL`: `http://127.0.0.1:<port>` (the SDK adds `/v1/messages`). */
  readonly url: string;
  /** The key the fake accepts. */
  readonly apiKey: string;
  /** Every `POST /v1/messages` received, oldest first. */
  readonly requests: readonly FakeMessagesRequest[];
  /** Queue turns of the model; each valid request takes the next one, then the default applies. */
  script(...turns: readonly FakeModelTurn[]): void;
  /** Fail the next `count` requests with `failure`; a failed request takes no scripted turn. */
  failNext(failure: FakeAnthropicFailure, count?: number): void;
  /** Forget queued turns, failures and recorded requests. */
  reset(): void;
  /** Stop the server, dropping hanging requests. */
  close(): Promise<void>;
}

/** What the fake puts in error messages, so tests can prove a body never reaches the audit. */
export const FAKE_ANTHROPIC_ERROR_TEXT = 'FAKE-ANTHROPIC-ERROR-TEXT';

const DEFAULT_TOOL_USES: readonly FakeToolUse[] = [
  { name: 'kora__get_operational_state' },
  { name: 'kora__list_tickets', input: { status: 'open', limit: 10 } },
];
const MAX_BODY_BYTES = 8 * 1024 * 1024;
// Long tool results are cut in the summary, as a model would paraphrase rather than recite.
const SUMMARY_RESULT_CHARS = 400;

const contentBlock = z.looseObject({ type: z.string() });
const messageParam = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock).min(1)]),
});
const toolDefinition = z.looseObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }),
});
/** The part of a Messages API request body the fake reads; other fields are accepted as sent. */
const messagesBody = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(messageParam).min(1),
  system: z.union([z.string(), z.array(contentBlock)]).optional(),
  tools: z.array(toolDefinition).optional(),
  stream: z.boolean().optional(),
});

/** A Messages API request body, as far as the fake checks it. */
export type FakeMessagesBody = z.infer<typeof messagesBody>;

const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  is_error: z.boolean().optional(),
});

/** A `tool_result` block the client sent back, with its content flattened to text. */
export interface FakeToolResult {
  readonly toolUseId: string;
  /** The name of the tool the matching `tool_use` asked for, if the conversation has it. */
  readonly toolName: string | undefined;
  readonly content: string;
  readonly isError: boolean;
}

/**
 * Start a fake of Anthropic's Messages API on 127.0.0.1 and a free port. `POST /v1/messages`
 * checks the key and the `anthropic-version` header and the conversation's tool pairing
 * (every `tool_use` answered by a `tool_result` right after), then answers with a Message
 * decided by a deterministic scripted model; errors use the API's
 * `{ type: 'error', error: { type, message } }` shape and status. Streaming is refused.
 */
export async function startFakeAnthropicApi(options: FakeAnthropicApiOptions = {}): Promise<FakeAnthropicApi> {
  // Assembled from parts so that no key-shaped literal sits in the source.
  const apiKey = options.apiKey ?? ['sk', 'ant', 'fake', 'key', '0000'].join('-');
  const defaultToolUses = options.defaultToolUses ?? DEFAULT_TOOL_USES;
  const requests: FakeMessagesRequest[] = [];
  const turns: FakeModelTurn[] = [];
  const failures: FakeAnthropicFailure[] = [];
  let sequence = 0;

  const nextId = (prefix: string): string => {
    sequence += 1;
    return `${prefix}_fake${String(sequence).padStart(8, '0')}`;
  };

  const sendError = (
    response: ServerResponse,
    status: number,
    type: string,
    message: string,
    headers: Record<string, string> = {},
  ): number => {
    const requestId = nextId('req');
    response
      .writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers })
      .end(JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId }));
    return status;
  };

  const answerMessages = (request: IncomingMessage, text: string, response: ServerResponse): void => {
    const auth = readAuth(request.headers, apiKey);
    const anthropicVersion = readHeader(request.headers, 'anthropic-version');
    const parsed = messagesBody.safeParse(parseJson(text));
    const record: { -readonly [K in keyof FakeMessagesRequest]: FakeMessagesRequest[K] } = {
      body: parsed.success ? parsed.data : undefined,
      auth: auth.scheme,
      anthropicVersion,
      status: undefined,
    };
    requests.push(record);

    if (auth.scheme === 'none') {
      record.status = sendError(response, 401, 'authentication_error', 'x-api-key header is required');
      return;
    }
    if (!auth.valid) {
      record.status = sendError(response, 401, 'authentication_error', 'invalid x-api-key');
      return;
    }
    if (anthropicVersion === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(anthropicVersion)) {
      record.status = sendError(response, 400, 'invalid_request_error', 'anthropic-version: header is required');
      return;
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? 'body' : issue.path.join('.') || 'body';
      record.status = sendError(response, 400, 'invalid_request_error', `${where}: ${issue?.message ?? 'invalid request'}`);
      return;
    }
    const body = parsed.data;
    if (body.stream === true) {
      record.status = sendError(response, 400, 'invalid_request_error', 'stream: streaming is not supported by this fake');
      return;
    }
    const problem = checkConversation(body);
    if (problem !== undefined) {
      record.status = sendError(response, 400, 'invalid_request_error', problem);
      return;
    }
    // A failure queued with failNext comes first and leaves the script where it was.
    const failure = failures.shift();
    const turn: FakeModelTurn =
      failure === undefined ? (turns.shift() ?? decideDefaultTurn(body, defaultToolUses)) : { kind: 'fail', failure };
    if (turn.kind === 'fail') {
      if (turn.failure === 'hang') return;
      const { status, type, message, headers } = describeFailure(turn.failure);
      record.status = sendError(response, status, type, message, headers);
      return;
    }
    const content: Record<string, unknown>[] = [];
    if (turn.kind === 'tool_use') {
      if (turn.text !== undefined) content.push({ type: 'text', text: turn.text });
      for (const use of turn.toolUses) content.push({ type: 'tool_use', id: nextId('toolu'), name: use.name, input: use.input ?? {} });
    } else {
      content.push({ type: 'text', text: turn.text ?? summarizeToolResults(body) });
    }
    const message = {
      id: nextId('msg'),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: turn.kind === 'tool_use' ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: {
        // Rough counts, about four characters a token, so the numbers move with the size.
        input_tokens: Math.ceil(text.length / 4),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: Math.ceil(JSON.stringify(content).length / 4),
        service_tier: 'standard',
      },
    };
    response.writeHead(200, { 'content-type': 'application/json', 'request-id': nextId('req') }).end(JSON.stringify(message));
    record.status = 200;
  };

  const server = createServer((request, response) => {
    readBody(request, MAX_BODY_BYTES)
      .then((text) => {
        const path = new URL(request.url ?? '/', 'http://fake.invalid').pathname;
        if (path === '/v1/messages' && request.method === 'POST') {
          answerMessages(request, text, response);
          return;
        }
        sendError(response, 404, 'not_found_error', `${request.method ?? 'GET'} ${path} is not served by this fake`);
      })
      .catch(() => {
        if (!response.headersSent) sendError(response, 413, 'request_too_large', 'Request exceeds the maximum allowed size');
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    script(...next) {
      turns.push(...next);
    },
    failNext(failure, count = 1) {
      for (let index = 0; index < count; index += 1) failures.push(failure);
    },
    reset() {
      turns.length = 0;
      failures.length = 0;
      requests.length = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and keep-alive sockets would hold close() open forever.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The `tool_result` blocks of a request's last message: what the client answered to the model's tool calls. */
export function readToolResults(request: FakeMessagesRequest | undefined): FakeToolResult[] {
  const messages = request?.body?.messages ?? [];
  const last = messages.at(-1);
  if (last === undefined || last.role !== 'user' || typeof last.content === 'string') return [];
  const names = toolNamesById(messages);
  return last.content.flatMap((block) => {
    const parsed = toolResultBlock.safeParse(block);
    if (!parsed.success) return [];
    const { tool_use_id: toolUseId, content, is_error: isError } = parsed.data;
    return [{ toolUseId, toolName: names.get(toolUseId), content: flattenContent(content), isError: isError === true }];
  });
}

/**
 * What the real API refuses about tool use: a `tool_use` not answered by a `tool_result` in
 * the very next message, or a `tool_result` for an id that was never asked for.
 */
function checkConversation(body: FakeMessagesBody): string | undefined {
  const { messages } = body;
  if (messages[0]?.role !== 'user') return 'messages.0.role: the first message must use the "user" role';
  for (const [index, message] of messages.entries()) {
    const asked = message.role === 'assistant' ? blocksOf(message.content, toolUseBlock).map((block) => block.id) : [];
    const previous = index > 0 ? messages[index - 1] : undefined;
    const expected = new Set(previous?.role === 'assistant' ? blocksOf(previous.content, toolUseBlock).map((block) => block.id) : []);
    if (message.role === 'user') {
      const answered = blocksOf(message.content, toolResultBlock).map((block) => block.tool_use_id);
      const unexpected = answered.find((id) => !expected.has(id));
      if (unexpected !== undefined) {
        return `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected}`;
      }
      const missing = [...expected].filter((id) => !answered.includes(id));
      if (missing.length > 0) {
        return `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`;
      }
    } else if (expected.size > 0) {
      return `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${[...expected].join(', ')}`;
    }
    if (asked.length > 0 && index === messages.length - 1) {
      return `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${asked.join(', ')}`;
    }
  }
  return undefined;
}

// The conversation says how far the default plan has got: one assistant turn per tool, so
// concurrent conversations each follow the plan without shared state.
function decideDefaultTurn(body: FakeMessagesBody, plan: readonly FakeToolUse[]): FakeModelTurn {
  const offered = new Set((body.tools ?? []).map((tool) => tool.name));
  const available = plan.filter((use) => offered.has(use.name));
  const step = body.messages.filter((message) => message.role === 'assistant').length;
  const next = available[step];
  return next === undefined ? { kind: 'text' } : { kind: 'tool_use', toolUses: [next] };
}

function summarizeToolResults(body: FakeMessagesBody): string {
  const names = toolNamesById(body.messages);
  const lines = body.messages.flatMap((message) =>
    message.role === 'user'
      ? blocksOf(message.content, toolResultBlock).map((block) => {
          const name = names.get(block.tool_use_id) ?? 'a tool';
          const content = flattenContent(block.content);
          const shown = content.length > SUMMARY_RESULT_CHARS ? `${content.slice(0, SUMMARY_RESULT_CHARS)}…` : content;
          return block.is_error === true ? `- ${name} failed: ${shown}` : `- ${name}: ${shown}`;
        })
      : [],
  );
  return lines.length === 0 ? 'I did not need any tools to answer that.' : `Here is what I found:\n${lines.join('\n')}`;
}

function toolNamesById(messages: FakeMessagesBody['messages']): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const block of blocksOf(message.content, toolUseBlock)) names.set(block.id, block.name);
  }
  return names;
}

function blocksOf<T>(content: string | readonly unknown[], schema: z.ZodType<T>): T[] {
  if (typeof content === 'string') return [];
  return content.flatMap((block) => {
    const parsed = schema.safeParse(block);
    return parsed.success ? [parsed.data] : [];
  });
}

function flattenContent(content: z.infer<typeof toolResultBlock>['content']): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((block) => block.text ?? '').join('');
}

function describeFailure(failure: Exclude<FakeAnthropicFailure, 'hang'>): {
  status: number;
  type: string;
  message: string;
  headers: Record<string, string>;
} {
  switch (failure) {
    case 'overloaded':
      return { status: 529, type: 'overloaded_error', message: `Overloaded ${FAKE_ANTHROPIC_ERROR_TEXT}`, headers: {} };
    case 'api_error':
      return { status: 500, type: 'api_error', message: `Internal server error ${FAKE_ANTHROPIC_ERROR_TEXT}`, headers: {} };
    case 'rate_limited':
      return {
        status: 429,
        type: 'rate_limit_error',
        message: `Number of requests has exceeded your rate limit ${FAKE_ANTHROPIC_ERROR_TEXT}`,
        headers: { 'retry-after': '1' },
      };
    default:
      return { status: failure.status, type: failure.type, message: failure.message ?? FAKE_ANTHROPIC_ERROR_TEXT, headers: {} };
  }
}

// This SDK generation sends the key as `Authorization: Bearer`; older clients and curl use
// `x-api-key`. Both are accepted, as the API does.
function readAuth(headers: IncomingHttpHeaders, apiKey: string): { scheme: FakeMessagesRequest['auth']; valid: boolean } {
  const header = readHeader(headers, 'x-api-key');
  if (header !== undefined) return { scheme: 'x-api-key', valid: header === apiKey };
  const bearer = /^Bearer (\S+)$/.exec(readHeader(headers, 'authorization') ?? '')?.[1];
  if (bearer !== undefined) return { scheme: 'bearer', valid: bearer === apiKey };
  return { scheme: 'none', valid: false };
}

function readHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
