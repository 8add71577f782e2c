import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readToolResults, startFakeAnthropicApi } from './fake-anthropic-api.js';
import type { FakeAnthropicApi } from './fake-anthropic-api.js';

const model = 'claude-sonnet-4-6';
const tools: Anthropic.Tool[] = ['kora__get_operational_state', 'kora__list_tickets'].map((name) => ({
  name,
  description: `The ${name} tool.`,
  input_schema: { type: 'object', properties: {} },
}));

let api: FakeAnthropicApi;

beforeEach(async () => {
  api = await startFakeAnthropicApi();
});

afterEach(async () => {
  await api.close();
});

/** A real client pointed at the fake, without retries so each failure shows once. */
function clientFor(options: { apiKey?: string; timeout?: number } = {}): Anthropic {
  return new Anthropic({ apiKey: options.apiKey ?? api.apiKey, baseURL: api.url, maxRetries: 0, timeout: options.timeout ?? 30_000 });
}

/** Answer every tool_use of `message` with a tool_result, as a client would. */
function answerTools(message: Anthropic.Message, result: (name: string) => string): Anthropic.MessageParam {
  return {
    role: 'user',
    content: message.content.flatMap((block) =>
      block.type === 'tool_use' ? [{ type: 'tool_result' as const, tool_use_id: block.id, content: result(block.name) }] : [],
    ),
  };
}

async function createFails(client: Anthropic, messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'hi' }]): Promise<unknown> {
  try {
    await client.messages.create({ model, max_tokens: 256, messages, tools });
  } catch (error) {
    return error;
  }
  throw new Error('the request did not fail');
}

describe('startFakeAnthropicApi', () => {
  it('answers the real SDK with a Message that calls the default tools one per turn, then summarizes', async () => {
    const client = clientFor();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'How are we doing?' }];

    const first = await client.messages.create({ model, max_tokens: 256, messages, tools });
    expect(first).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model,
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'kora__get_operational_state', input: {} }],
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    messages.push(
      { role: 'assistant', content: first.content },
      answerTools(first, () => '{"state":"normal"}'),
    );

    const second = await client.messages.create({ model, max_tokens: 256, messages, tools });
    expect(second.content).toMatchObject([{ type: 'tool_use', name: 'kora__list_tickets', input: { status: 'open', limit: 10 } }]);
    messages.push(
      { role: 'assistant', content: second.content },
      answerTools(second, () => '{"tickets":[{"id":"tkt-0001"}]}'),
    );

    const third = await client.messages.create({ model, max_tokens: 256, messages, tools });
    expect(third.stop_reason).toBe('end_turn');
    expect(third.content).toEqual([
      {
        type: 'text',
        text: 'Here is what I found:\n- kora__get_operational_state: {"state":"normal"}\n- kora__list_tickets: {"tickets":[{"id":"tkt-0001"}]}',
      },
    ]);
    expect(api.requests.map((request) => request.status)).toEqual([200, 200, 200]);
    expect(readToolResults(api.requests[2])).toEqual([
      { toolUseId: expect.any(String), toolName: 'kora__list_tickets', content: '{"tickets":[{"id":"tkt-0001"}]}', isError: false },
    ]);
  });

  it('calls only the tools the request offers', async () => {
    const message = await clientFor().messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] });
    expect(message).toMatchObject({
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'I did not need any tools to answer that.' }],
    });
  });

  it('plays scripted turns in order before the default', async () => {
    api.script(
      {
        kind: 'tool_use',
        text: 'Let me look.',
        toolUses: [{ name: 'kora__create_ticket', input: { title: 'Disk' } }, { name: 'kora__nope' }],
      },
      { kind: 'text', text: 'Done.' },
    );
    const client = clientFor();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'open a ticket' }];
    const first = await client.messages.create({ model, max_tokens: 256, messages, tools });
    expect(first.content).toMatchObject([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', name: 'kora__create_ticket', input: { title: 'Disk' } },
      { type: 'tool_use', name: 'kora__nope', input: {} },
    ]);
    messages.push(
      { role: 'assistant', content: first.content },
      answerTools(first, (name) => `ran ${name}`),
    );
    const second = await client.messages.create({ model, max_tokens: 256, messages, tools });
    expect(second.content).toEqual([{ type: 'text', text: 'Done.' }]);
    expect(readToolResults(api.requests[1]).map((result) => [result.toolName, result.content])).toEqual([
      ['kora__create_ticket', 'ran kora__create_ticket'],
      ['kora__nope', 'ran kora__nope'],
    ]);

    // The script is used up: the default plan takes over.
    const third = await client.messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: 'hi' }], tools });
    expect(third.content).toMatchObject([{ type: 'tool_use', name: 'kora__get_operational_state' }]);
  });

  it('refuses a wrong key with a 401 authentication_error', async () => {
    const error = await createFails(clientFor({ apiKey: 'wrong-key' }));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({ status: 401, error: { type: 'error', error: { type: 'authentication_error' } } });
    expect(api.requests.map((request) => request.auth)).toEqual(['bearer']);
  });

  it('accepts the key as x-api-key and requires the anthropic-version header', async () => {
    const body = JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${api.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    const answered = await post({ 'x-api-key': api.apiKey, 'anthropic-version': '2023-06-01' });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ type: 'message', stop_reason: 'end_turn' });

    const unversioned = await post({ 'x-api-key': api.apiKey });
    expect(unversioned.status).toBe(400);
    expect(await unversioned.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });

    const anonymous = await post({ 'anthropic-version': '2023-06-01' });
    expect(anonymous.status).toBe(401);
    expect(api.requests.map((request) => request.auth)).toEqual(['x-api-key', 'x-api-key', 'none']);
  });

  it('fails the next request in the API’s error shape with the right status', async () => {
    api.failNext('overloaded');
    api.failNext('api_error');
    api.failNext('rate_limited');
    api.failNext({ status: 400, type: 'invalid_request_error', message: 'prompt is too long' });
    const client = clientFor();

    const overloaded = await createFails(client);
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect(overloaded).toMatchObject({ status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } });
    expect(await createFails(client)).toMatchObject({ status: 500, error: { error: { type: 'api_error' } } });
    expect(await createFails(client)).toBeInstanceOf(Anthropic.RateLimitError);
    expect(await createFails(client)).toMatchObject({
      status: 400,
      error: { error: { type: 'invalid_request_error', message: 'prompt is too long' } },
    });
    await expect(client.messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })).resolves.toMatchObject({
      type: 'message',
    });
  });

  it('takes no scripted turn for a failed request', async () => {
    api.script({ kind: 'text', text: 'scripted' });
    api.failNext('overloaded');
    await createFails(clientFor());
    const message = await clientFor().messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'scripted' }]);
  });

  it('fails at a scripted point of the conversation', async () => {
    api.script({ kind: 'text', text: 'first' }, { kind: 'fail', failure: 'overloaded' }, { kind: 'text', text: 'third' });
    const client = clientFor();
    const ask = (): Promise<Anthropic.Message> =>
      client.messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    await expect(ask()).resolves.toMatchObject({ content: [{ text: 'first' }] });
    await expect(ask()).rejects.toBeInstanceOf(Anthropic.OverloadedError);
    await expect(ask()).resolves.toMatchObject({ content: [{ text: 'third' }] });
  });

  it('hangs so that the client times out', async () => {
    api.failNext('hang');
    expect(await createFails(clientFor({ timeout: 200 }))).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(api.requests.map((request) => request.status)).toEqual([undefined]);
  });

  it('refuses a conversation whose tool_use is not answered by a tool_result', async () => {
    const client = clientFor();
    const first = await client.messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: 'hi' }], tools });
    const unanswered: Anthropic.MessageParam[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: 'and?' },
    ];
    const error = await createFails(client, unanswered);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ error: { error: { message: expect.stringContaining('without `tool_result` blocks') } } });

    const stray: Anthropic.MessageParam[] = [
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_never', content: 'x' }] },
    ];
    expect(await createFails(client, stray)).toMatchObject({
      error: { error: { message: expect.stringContaining('unexpected `tool_use_id`') } },
    });
  });

  it('refuses a body that is not a Messages request, and other routes', async () => {
    const response = await fetch(`${api.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': api.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect((await fetch(`${api.url}/v1/complete`)).status).toBe(404);
  });
});
