import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { createAuditSink } from '@kora/audit-sink';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { readToolResults, startFakeAnthropicApi } from '../fakes/fake-anthropic-api.js';
import type { FakeAnthropicApi } from '../fakes/fake-anthropic-api.js';
import { startFakeSlackApi } from '../fakes/fake-slack-api.js';
import { createBackgroundTasks } from '../background-tasks.js';
import { KORA_TOOLS } from '../operations/kora-tools.js';
import type { SendSlackMessage, ToolServices } from '../operations/kora-tools.js';
import { createOperationsStore } from '../operations/operations-store.js';
import {
  AuditUnavailable,
  ReasoningNoAnswer,
  ReasoningNotConfigured,
  ReasoningTurnLimit,
  createReasoningEngine,
} from './create-reasoning-engine.js';
import type { ReasoningEngineOptions } from './create-reasoning-engine.js';
import type { ReasoningEngine, ReasoningRequest } from './reasoning-engine.js';

const model = 'claude-sonnet-4-6';
const now = Date.parse('2026-11-26T17:15:48.123Z');
const request: ReasoningRequest = { text: 'How are we doing?', triggeredBy: 'slack_dm', callerSessionId: 'D01CHAN01:1700000000.000100' };
// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');

let api: FakeAnthropicApi;
let capture: TestContext;
let sent: { channel: string; text: string }[];
let services: ToolServices;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  api = await startFakeAnthropicApi();
  capture = createTestContext(() => now);
  sent = [];
  const sendSlackMessage: SendSlackMessage = (channel, text) => {
    sent.push({ channel, text });
    return Promise.resolve({ ts: '1700000001.000001' });
  };
  services = { store: createOperationsStore(() => now), sendSlackMessage };
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await api.close();
  await capture.cleanup();
});

/** An engine over the real SDK pointed at the fake, without retries so each failure shows once. */
function engineFor(overrides: Partial<ReasoningEngineOptions> = {}): ReasoningEngine {
  return createReasoningEngine({
    context: capture.context,
    client: new Anthropic({ apiKey: api.apiKey, baseURL: api.url, maxRetries: 0 }),
    model,
    maxTurns: 8,
    services,
    ...overrides,
  });
}

/** Script one tool call, then the final answer (a summary of the results when `text` is left out). */
function scriptToolCall(name: string, input: Record<string, unknown>, text?: string): void {
  api.script({ kind: 'tool_use', toolUses: [{ name, input }] }, text === undefined ? { kind: 'text' } : { kind: 'text', text });
}

/** The `reasoning.tool_called` rows' details, in order. */
function toolRows(): Record<string, unknown>[] {
  return capture
    .rows()
    .filter((row) => row.seam === 'reasoning.tool_called')
    .map((row) => row.details);
}

describe('createReasoningEngine', () => {
  it('runs the tools the model asks for and returns its final text', async () => {
    const answer = await engineFor().answer(request);

    expect(answer).toContain('- kora__get_operational_state: {"state":"normal","since":"2026-11-26T17:15:48.123Z"}');
    expect(answer).toContain('- kora__list_tickets: {"tickets":[{"id":"tkt-0002"');
    expect(api.requests).toHaveLength(3);
    expect(api.requests[0]?.body).toMatchObject({ model, max_tokens: 1024, messages: [{ role: 'user', content: 'How are we doing?' }] });
  });

  it('audits each tool call with its duration, status, trigger and session', async () => {
    await engineFor().answer(request);

    const rows = capture.rows();
    expect(rows.map((row) => [row.seam, row.source, row.caller_session_id])).toEqual([
      ['reasoning.tool_called', 'reasoning', 'D01CHAN01:1700000000.000100'],
      ['reasoning.tool_called', 'reasoning', 'D01CHAN01:1700000000.000100'],
    ]);
    expect(toolRows()).toEqual([
      { tool_name: 'kora__get_operational_state', triggered_by: 'slack_dm', tool_duration_ms: expect.any(Number), tool_status: 'ok' },
      { tool_name: 'kora__list_tickets', triggered_by: 'slack_dm', tool_duration_ms: expect.any(Number), tool_status: 'ok' },
    ]);
    for (const details of toolRows()) {
      expect(Number.isInteger(details.tool_duration_ms)).toBe(true);
      expect(details.tool_duration_ms).toBeGreaterThanOrEqual(0);
    }
    const lines = capture.verbatimLines().map((line) => line.replace(/tool_duration_ms=\d+/, 'tool_duration_ms=N'));
    const context = `triggered_by=slack_dm caller_session_id=${request.callerSessionId ?? ''} tool_duration_ms=N tool_status=ok`;
    expect(lines).toEqual([
      `[kora.reasoning.tool_called] tool=kora__get_operational_state ${context}`,
      `[kora.reasoning.tool_called] tool=kora__list_tickets ${context}`,
    ]);
  });

  it('sends each tool’s result back to the model as a tool_result answering its tool_use', async () => {
    await engineFor().answer(request);

    const [stateResult] = readToolResults(api.requests[1]);
    expect(stateResult).toEqual({
      toolUseId: expect.stringMatching(/^toolu_/),
      toolName: 'kora__get_operational_state',
      content: JSON.stringify({ state: 'normal', since: '2026-11-26T17:15:48.123Z' }),
      isError: false,
    });
    const [ticketsResult] = readToolResults(api.requests[2]);
    expect(ticketsResult?.toolName).toBe('kora__list_tickets');
    // The model asked for open tickets, at most 10: the tool ran with those arguments.
    expect(JSON.parse(ticketsResult?.content ?? '')).toEqual({ tickets: services.store.listTickets({ status: 'open', limit: 10 }) });
  });

  it('describes the tools to the model from their zod schemas', async () => {
    await engineFor().answer(request);

    const offered = api.requests[0]?.body?.tools ?? [];
    expect(offered.map((tool) => tool.name)).toEqual(KORA_TOOLS.map((tool) => tool.name));
    expect(offered.find((tool) => tool.name === 'kora__list_tickets')).toEqual({
      name: 'kora__list_tickets',
      description: 'The newest tickets, optionally only open or closed ones.',
      input_schema: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['open', 'closed'], description: 'Only tickets in this status.' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'At most this many tickets.' },
        },
        additionalProperties: false,
      },
    });
  });

  it('offers only the allowed tools and audits a call to another one as denied', async () => {
    scriptToolCall('kora__send_slack_dm', { channel: 'D01CHAN01', text: 'hi' }, 'ok');
    await engineFor({ allowedTools: ['kora__get_operational_state'] }).answer(request);

    expect(api.requests[0]?.body?.tools?.map((tool) => tool.name)).toEqual(['kora__get_operational_state']);
    expect(sent).toEqual([]);
    expect(toolRows()).toEqual([
      {
        tool_name: 'kora__send_slack_dm',
        triggered_by: 'slack_dm',
        tool_duration_ms: expect.any(Number),
        tool_status: 'denied',
        exc_type: 'ToolNotAllowed',
      },
    ]);
    expect(readToolResults(api.requests[1])).toMatchObject([{ isError: true, content: 'Tool not allowed: kora__send_slack_dm' }]);
  });

  it('refuses an allow-list naming a tool it does not have', () => {
    expect(() => engineFor({ allowedTools: ['kora__nope'] })).toThrow('allowedTools names an unknown tool: kora__nope');
  });

  it('audits an unknown tool as an error and tells the model so', async () => {
    scriptToolCall('kora__delete_everything', {}, 'Sorry.');
    expect(await engineFor().answer(request)).toBe('Sorry.');

    expect(toolRows()).toEqual([
      {
        tool_name: 'kora__delete_everything',
        triggered_by: 'slack_dm',
        tool_duration_ms: expect.any(Number),
        tool_status: 'error',
        exc_type: 'UnknownTool',
      },
    ]);
    expect(readToolResults(api.requests[1])).toMatchObject([
      { toolName: 'kora__delete_everything', isError: true, content: 'Unknown tool: kora__delete_everything' },
    ]);
  });

  it('audits a tool that throws with its error type and returns the error to the model', async () => {
    // `normal` → `normal` is not an allowed transition: the store throws InvalidStateTransition.
    scriptToolCall('kora__request_state_transition', { to: 'normal', reason: 'why not' });
    const answer = await engineFor().answer(request);

    expect(toolRows()).toMatchObject([
      { tool_name: 'kora__request_state_transition', tool_status: 'error', exc_type: 'InvalidStateTransition' },
    ]);
    expect(readToolResults(api.requests[1])).toMatchObject([
      { isError: true, content: 'The tool failed: InvalidStateTransition: cannot go from normal to normal' },
    ]);
    expect(answer).toContain('kora__request_state_transition failed');
  });

  it('refuses input that breaks the tool’s schema without running the tool', async () => {
    scriptToolCall('kora__send_slack_dm', { channel: '#general', text: 'hi', extra: 1 }, 'ok');
    await engineFor().answer(request);

    expect(sent).toEqual([]);
    expect(toolRows()).toMatchObject([{ tool_name: 'kora__send_slack_dm', tool_status: 'error', exc_type: 'InvalidToolInput' }]);
    const [result] = readToolResults(api.requests[1]);
    expect(result?.isError).toBe(true);
    expect(result?.content).toMatch(/^Invalid input: /);
    expect(result?.content).toContain('channel');
  });

  it('runs several tool calls of one turn in order and answers them all', async () => {
    api.script(
      {
        kind: 'tool_use',
        toolUses: [
          { name: 'kora__create_ticket', input: { title: 'Disk alarms again' } },
          { name: 'kora__list_tickets', input: { limit: 1 } },
        ],
      },
      { kind: 'text', text: 'Filed.' },
    );
    await engineFor().answer(request);

    const results = readToolResults(api.requests[1]);
    expect(results.map((result) => result.toolName)).toEqual(['kora__create_ticket', 'kora__list_tickets']);
    // The listing ran after the ticket was created, so it sees it.
    expect(results[1]?.content).toContain('Disk alarms again');
    expect(toolRows().map((details) => details.tool_status)).toEqual(['ok', 'ok']);
  });

  it('audits a tool whose Slack call timed out as timeout', async () => {
    const slack = await startFakeSlackApi({ token: slackToken });
    closers.push(() => slack.close());
    slack.failNext({ kind: 'hang' });
    const client = new WebClient(slackToken, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      timeout: 200,
      logLevel: LogLevel.ERROR,
    });
    services = {
      ...services,
      sendSlackMessage: async (channel, text) => ({ ts: (await client.chat.postMessage({ channel, text })).ts ?? '' }),
    };
    scriptToolCall('kora__send_slack_dm', { channel: 'D01CHAN01', text: 'hello' }, 'Tried.');
    await engineFor().answer(request);

    expect(toolRows()).toMatchObject([{ tool_name: 'kora__send_slack_dm', tool_status: 'timeout', exc_type: 'WebAPIRequestError' }]);
  });

  it('throws ReasoningTurnLimit when the model still wants tools after maxTurns, without running the last turn’s tools', async () => {
    const again = { kind: 'tool_use', toolUses: [{ name: 'kora__get_operational_state' }] } as const;
    api.script(again, again, again);
    const error = await engineFor({ maxTurns: 2 })
      .answer(request)
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ReasoningTurnLimit);
    expect(error).toMatchObject({ name: 'ReasoningTurnLimit', maxTurns: 2 });
    expect(api.requests).toHaveLength(2);
    expect(toolRows()).toHaveLength(1);
  });

  it('throws the API’s error when the model cannot be reached, having audited nothing', async () => {
    api.failNext('overloaded');
    await expect(engineFor().answer(request)).rejects.toBeInstanceOf(Anthropic.OverloadedError);
    expect(capture.rows()).toEqual([]);
  });

  it('throws the API’s error from a later turn, having audited the tools that ran', async () => {
    api.script({ kind: 'tool_use', toolUses: [{ name: 'kora__get_operational_state' }] }, { kind: 'fail', failure: 'api_error' });
    await expect(engineFor().answer(request)).rejects.toBeInstanceOf(Anthropic.InternalServerError);

    expect(api.requests.map((received) => received.status)).toEqual([200, 500]);
    expect(toolRows()).toMatchObject([{ tool_name: 'kora__get_operational_state', tool_status: 'ok' }]);
  });

  it('throws ReasoningNoAnswer when the model ends without text', async () => {
    api.script({ kind: 'text', text: '   ' });
    await expect(engineFor().answer(request)).rejects.toBeInstanceOf(ReasoningNoAnswer);
  });

  it('throws ReasoningNotConfigured without a client, calling nothing', async () => {
    await expect(engineFor({ client: undefined }).answer(request)).rejects.toBeInstanceOf(ReasoningNotConfigured);
    expect(api.requests).toEqual([]);
    expect(capture.rows()).toEqual([]);
  });

  it('keeps the question, tool inputs, tool outputs and the model’s text out of the audit', async () => {
    const markers = { question: 'QUESTION-MARKER', title: 'TITLE-MARKER', text: 'MODEL-TEXT-MARKER' };
    api.script(
      { kind: 'tool_use', toolUses: [{ name: 'kora__create_ticket', input: { title: markers.title, body: `rotate ${slackToken}` } }] },
      { kind: 'text', text: `${markers.text} ${slackToken}` },
    );
    const answer = await engineFor().answer({ ...request, text: `${markers.question} ${slackToken}` });

    expect(answer).toContain(markers.text);
    // It all went to the model…
    const sentToModel = JSON.stringify(api.requests.map((received) => received.body));
    for (const value of [markers.question, markers.title, slackToken]) expect(sentToModel).toContain(value);
    // …and none of it to either audit output, not even redacted.
    expect(toolRows()).toMatchObject([{ tool_name: 'kora__create_ticket', tool_status: 'ok' }]);
    for (const value of [...Object.values(markers), slackToken, 'tkt-0004']) expect(capture.allOutput()).not.toContain(value);
    expect(capture.warnings()).toEqual([]);
  });
});

describe('createReasoningEngine in required mode', () => {
  /** The rows' tool name and status, in file order. */
  const statuses = (): [unknown, unknown][] => toolRows().map((details) => [details.tool_name, details.tool_status]);
  const ticketTitles = (): string[] => services.store.listTickets({ limit: 100 }).map((ticket) => ticket.title);

  /** An engine whose required sink writes to a directory: every write fails (EISDIR), as on a broken disk. */
  function engineOnFailingSink(): ReasoningEngine {
    const dir = mkdtempSync(join(tmpdir(), 'kora-reasoning-required-'));
    const sink = createAuditSink({ path: dir, failure: 'required', logger: capture.logger, flushOnExit: false });
    closers.push(async () => {
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const context = { audit: { sink, logger: capture.logger }, clock: () => now, tasks: createBackgroundTasks(() => undefined) };
    return engineFor({ context });
  }

  it('writes a pending row before a mutating tool runs, then its outcome row', async () => {
    capture = createTestContext(() => now, { failure: 'required' });
    scriptToolCall('kora__create_ticket', { title: 'Filed in required mode' }, 'Filed.');

    expect(await engineFor({ context: capture.context }).answer(request)).toBe('Filed.');

    expect(statuses()).toEqual([
      ['kora__create_ticket', 'pending'],
      ['kora__create_ticket', 'ok'],
    ]);
    expect(toolRows()[0]).toEqual({
      tool_name: 'kora__create_ticket',
      triggered_by: 'slack_dm',
      tool_duration_ms: 0,
      tool_status: 'pending',
    });
    expect(capture.rows().map((row) => row.caller_session_id)).toEqual([request.callerSessionId, request.callerSessionId]);
    expect(capture.verbatimLines()[0]).toBe(
      `[kora.reasoning.tool_called] tool=kora__create_ticket triggered_by=slack_dm caller_session_id=${request.callerSessionId ?? ''} tool_duration_ms=0 tool_status=pending`,
    );
    expect(ticketTitles()).toContain('Filed in required mode');
  });

  it('writes no pending row for a read tool, nor for a mutating tool it refuses before running', async () => {
    capture = createTestContext(() => now, { failure: 'required' });
    api.script(
      {
        kind: 'tool_use',
        toolUses: [
          { name: 'kora__list_tickets', input: { limit: 1 } },
          { name: 'kora__get_operational_state' },
          { name: 'kora__send_slack_dm', input: { channel: '#general', text: 'hi' } },
        ],
      },
      { kind: 'text', text: 'Done.' },
    );

    await engineFor({ context: capture.context }).answer(request);

    expect(statuses()).toEqual([
      ['kora__list_tickets', 'ok'],
      ['kora__get_operational_state', 'ok'],
      ['kora__send_slack_dm', 'error'],
    ]);
  });

  it('does not run a mutating tool whose intent row cannot be written, tells the model, and runs nothing else', async () => {
    const engine = engineOnFailingSink();
    const before = ticketTitles();
    api.script(
      {
        kind: 'tool_use',
        toolUses: [
          { name: 'kora__create_ticket', input: { title: 'Must not be filed' } },
          { name: 'kora__send_slack_dm', input: { channel: 'D01CHAN01', text: 'filed it' } },
          { name: 'kora__list_tickets', input: { limit: 1 } },
        ],
      },
      { kind: 'tool_use', toolUses: [{ name: 'kora__request_state_transition', input: { to: 'degraded', reason: 'retry' } }] },
      { kind: 'text', text: 'The audit is down, so I did nothing.' },
    );

    expect(await engine.answer(request)).toBe('The audit is down, so I did nothing.');

    // No side effect: no ticket, no message, no transition.
    expect(ticketTitles()).toEqual(before);
    expect(sent).toEqual([]);
    expect(services.store.state().state).toBe('normal');
    const refused = {
      isError: true,
      content: expect.stringContaining('was not run: the audit trail is unavailable') as unknown,
    };
    expect(readToolResults(api.requests[1])).toEqual([
      { ...refused, toolUseId: expect.any(String), toolName: 'kora__create_ticket' },
      { ...refused, toolUseId: expect.any(String), toolName: 'kora__send_slack_dm' },
      { ...refused, toolUseId: expect.any(String), toolName: 'kora__list_tickets' },
    ]);
    expect(readToolResults(api.requests[2])).toEqual([
      { ...refused, toolUseId: expect.any(String), toolName: 'kora__request_state_transition' },
    ]);
    // Only the intent was attempted before the refusals; each reached the log, none the file.
    const reasoningLines = capture.verbatimLines().filter((line) => line.startsWith('[kora.reasoning.tool_called] '));
    expect(reasoningLines.map((line) => line.replace(/^.* tool=(\S+) .* tool_status=/, '$1 '))).toEqual([
      'kora__create_ticket pending',
      'kora__create_ticket denied exc_type=AuditUnavailable',
      'kora__send_slack_dm denied exc_type=AuditUnavailable',
      'kora__list_tickets denied exc_type=AuditUnavailable',
      'kora__request_state_transition denied exc_type=AuditUnavailable',
    ]);
    expect(
      capture
        .logLines()
        .filter((line) => line.level === 'warn')
        .map((line) => line.msg),
    ).toContain('[kora.daemon.audit_unavailable] tool=kora__create_ticket action=refused reason=write_failed');
  });

  it('still ends the run with AuditUnavailable when a read tool’s row cannot be written', async () => {
    const engine = engineOnFailingSink();
    scriptToolCall('kora__get_operational_state', {});

    await expect(engine.answer(request)).rejects.toBeInstanceOf(AuditUnavailable);
    expect(api.requests).toHaveLength(1);
  });
});
