import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { signEmailRequest } from '../webhooks/verify-email-signature.js';
import { signSlackRequest } from '../webhooks/verify-slack-signature.js';

/** Where the scenario sends its traffic and what it signs with. */
export interface ScenarioOptions {
  /** The daemon's base URL, `http://127.0.0.1:8787`. */
  readonly daemonUrl: string;
  /** A caller allowed to read and mutate. */
  readonly agentToken: string;
  /** A caller allowed only to read. */
  readonly viewerToken: string;
  readonly slackSigningSecret: string;
  readonly emailSigningSecret: string;
  /** The fake Slack API the daemon replies through: told to fail the second DM's reply. */
  readonly fakeSlack: FakeSlackApi;
  /** A credential-shaped value planted in tool arguments, a webhook body and a DM. */
  readonly plantedSecret: string;
  /** Resolves when the daemon's background work (DM answers) is done. */
  readonly idle: () => Promise<void>;
  /** Seconds since the epoch, for webhook timestamps. */
  readonly now?: () => number;
}

/** One thing the scenario did, and what came back. */
export interface ScenarioStep {
  readonly action: string;
  readonly outcome: string;
}

/** A DM channel whose replies the fake Slack API refuses with `channel_not_found`. */
export const FAILING_DM_CHANNEL = 'D0DEMOFAIL';
/** A DM channel whose replies go through. */
export const WORKING_DM_CHANNEL = 'D0DEMOOK01';

/**
 * Drive every seam through the daemon's real paths: an MCP client (the SDK's own) calling
 * read, mutating, failing and denied tools; a forged and a stale Slack webhook and a forged
 * e-mail webhook; two DMs that run the reasoning loop, one whose reply fails.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioStep[]> {
  const steps: ScenarioStep[] = [];
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const mcpUrl = new URL('/mcp', options.daemonUrl);

  const agent = await connectMcpClient(mcpUrl, options.agentToken, 'kora-demo-agent');
  try {
    const { tools } = await agent.listTools();
    steps.push({ action: 'MCP tools/list (agent)', outcome: `${tools.length} tools` });
    steps.push(await callTool(agent, 'agent', 'kora__get_operational_state', {}));
    steps.push(await callTool(agent, 'agent', 'kora__list_tickets', { status: 'open' }));
    steps.push(
      await callTool(agent, 'agent', 'kora__create_ticket', {
        title: 'Disk alarms on sea-2',
        body: `Rotate the token pasted in chat: ${options.plantedSecret}`,
        priority: 'high',
      }),
    );
    steps.push(await callTool(agent, 'agent', 'kora__request_state_transition', { to: 'normal', reason: 'already normal' }));
  } finally {
    await agent.close();
  }
  const viewer = await connectMcpClient(mcpUrl, options.viewerToken, 'kora-demo-viewer');
  try {
    steps.push(await callTool(viewer, 'viewer', 'kora__create_ticket', { title: 'Viewer may not do this' }));
  } finally {
    await viewer.close();
  }

  const slackEventsUrl = new URL('/webhooks/slack/events', options.daemonUrl);
  const forgedBody = JSON.stringify(directMessageEvent('EvDEMOFORGED', WORKING_DM_CHANNEL, `${now()}.000100`, 'forged'));
  steps.push(
    await postWebhook('Slack event with a forged signature', slackEventsUrl, forgedBody, {
      'x-slack-request-timestamp': String(now()),
      'x-slack-signature': `v0=${'0'.repeat(64)}`,
    }),
  );
  const staleTimestamp = now() - 10 * 60;
  const staleBody = JSON.stringify(directMessageEvent('EvDEMOSTALE', WORKING_DM_CHANNEL, `${staleTimestamp}.000100`, 'replayed'));
  steps.push(
    await postWebhook('Slack event signed ten minutes ago (replay)', slackEventsUrl, staleBody, {
      'x-slack-request-timestamp': String(staleTimestamp),
      'x-slack-signature': signSlackRequest(options.slackSigningSecret, staleTimestamp, staleBody),
    }),
  );
  const emailBody = JSON.stringify({ from: 'ops@example.org', to: 'kora@example.org', subject: 'hi', text: options.plantedSecret });
  steps.push(
    await postWebhook('E-mail webhook with a forged signature', new URL('/webhooks/email', options.daemonUrl), emailBody, {
      'x-purelymail-signature': `sha256=${signEmailRequest('not-the-signing-secret', emailBody)}`,
    }),
  );

  options.fakeSlack.failChannel(FAILING_DM_CHANNEL, { kind: 'platform_error', error: 'channel_not_found' });
  for (const [index, channel] of [WORKING_DM_CHANNEL, FAILING_DM_CHANNEL].entries()) {
    const timestamp = now();
    const body = JSON.stringify(
      directMessageEvent(
        `EvDEMODM${index}`,
        channel,
        `${timestamp}.00010${index}`,
        `What is the state of things? (my token: ${options.plantedSecret})`,
      ),
    );
    steps.push(
      await postWebhook(`Signed Slack DM in ${channel}`, slackEventsUrl, body, {
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(options.slackSigningSecret, timestamp, body),
      }),
    );
  }
  await options.idle();
  const replies = options.fakeSlack.messages.map((message) => message.channel);
  steps.push({ action: 'DM answers (reasoning loop → chat.postMessage)', outcome: `posted to ${replies.join(', ') || 'nobody'}` });
  return steps;
}

async function connectMcpClient(url: URL, token: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

async function callTool(client: Client, who: string, name: string, args: Record<string, unknown>): Promise<ScenarioStep> {
  const result = await client.callTool({ name, arguments: args });
  return { action: `MCP ${name} (${who})`, outcome: result.isError === true ? 'tool error' : 'ok' };
}

async function postWebhook(action: string, url: URL, body: string, headers: Record<string, string>): Promise<ScenarioStep> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...headers },
  });
  await response.body?.cancel();
  return { action, outcome: `HTTP ${response.status}` };
}

function directMessageEvent(eventId: string, channel: string, ts: string, text: string): unknown {
  return {
    type: 'event_callback',
    event_id: eventId,
    team_id: 'T0DEMO0001',
    event: { type: 'message', channel_type: 'im', channel, user: 'U0DEMOUSER', text, ts },
  };
}
