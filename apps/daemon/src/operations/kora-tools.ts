import { z } from 'zod';
import type { OperationsStore } from './operations-store.js';
import { OPERATIONAL_STATES, TICKET_PRIORITIES } from './operations-store.js';

/** What a caller must hold to call a tool; the callers file grants these. */
export const CAPABILITIES = ['ops:read', 'ops:transition', 'tickets:read', 'tickets:write', 'slack:send'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Sends a Slack message on the agent's behalf; throws what `@slack/web-api` throws. */
export type SendSlackMessage = (channel: string, text: string) => Promise<{ readonly ts: string }>;

/** What a tool's `run` may use. */
export interface ToolServices {
  readonly store: OperationsStore;
  readonly sendSlackMessage: SendSlackMessage;
}

/** What a tool returns: a short audit-safe result code and the content for the caller. */
export interface ToolResult {
  /** Goes into the audit row's `result` (`count=3`, `ticket_id=tkt-0004`): never user text. */
  readonly code: string;
  /** Returned to the caller (MCP client or model) as JSON text. */
  readonly content: unknown;
}

/** One tool the agent exposes over MCP and to the reasoning loop. */
export interface KoraTool<TInput extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** `read` tools only look; `mutating` tools change state or send something. */
  readonly kind: 'read' | 'mutating';
  readonly capability: Capability;
  /** The arguments, validated before `run` is called. */
  readonly input: TInput;
  run(args: z.infer<TInput>, services: ToolServices): Promise<ToolResult>;
}

function defineTool<TInput extends z.ZodObject>(tool: KoraTool<TInput>): KoraTool {
  return tool;
}

/** Every tool, in the order clients list them. */
export const KORA_TOOLS: readonly KoraTool[] = [
  defineTool({
    name: 'kora__get_operational_state',
    title: 'Get operational state',
    description: 'The runtime’s current operational state and since when it holds.',
    kind: 'read',
    capability: 'ops:read',
    input: z.strictObject({}),
    run: (_args, { store }) => {
      const state = store.state();
      return Promise.resolve({ code: `state=${state.state}`, content: state });
    },
  }),
  defineTool({
    name: 'kora__list_tickets',
    title: 'List tickets',
    description: 'The newest tickets, optionally only open or closed ones.',
    kind: 'read',
    capability: 'tickets:read',
    input: z.strictObject({
      status: z.enum(['open', 'closed']).optional().describe('Only tickets in this status.'),
      limit: z.number().int().min(1).max(100).default(20).describe('At most this many tickets.'),
    }),
    run: (args, { store }) => {
      const tickets = store.listTickets({ status: args.status, limit: args.limit });
      return Promise.resolve({ code: `count=${tickets.length}`, content: { tickets } });
    },
  }),
  defineTool({
    name: 'kora__create_ticket',
    title: 'Create ticket',
    description: 'Open a ticket in the operations tracker.',
    kind: 'mutating',
    capability: 'tickets:write',
    input: z.strictObject({
      title: z.string().min(1).max(200).describe('One line saying what is wrong.'),
      body: z.string().max(10_000).default('').describe('Details.'),
      priority: z.enum(TICKET_PRIORITIES).default('normal'),
    }),
    run: (args, { store }) => {
      const ticket = store.createTicket(args);
      return Promise.resolve({ code: `ticket_id=${ticket.id}`, content: ticket });
    },
  }),
  defineTool({
    name: 'kora__request_state_transition',
    title: 'Request state transition',
    description: 'Move the runtime to another operational state, if allowed from the current one.',
    kind: 'mutating',
    capability: 'ops:transition',
    input: z.strictObject({
      to: z.enum(OPERATIONAL_STATES).describe('The state to move to.'),
      reason: z.string().min(1).max(500).describe('Why, for the operators.'),
    }),
    run: (args, { store }) => {
      const transition = store.requestTransition(args.to);
      return Promise.resolve({ code: `transition_id=${transition.id}`, content: transition });
    },
  }),
  defineTool({
    name: 'kora__send_slack_dm',
    title: 'Send Slack DM',
    description: 'Send a direct message to a Slack user or DM channel as the agent.',
    kind: 'mutating',
    capability: 'slack:send',
    input: z.strictObject({
      channel: z
        .string()
        .regex(/^[DUW][A-Z0-9]{2,}$/)
        .describe('A DM channel id (D…) or user id (U…/W…).'),
      text: z.string().min(1).max(4000).describe('The message.'),
    }),
    run: async (args, { sendSlackMessage }) => {
      const { ts } = await sendSlackMessage(args.channel, args.text);
      return { code: `ts=${ts}`, content: { ok: true, ts } };
    },
  }),
];

/** The tool called `name`, if there is one. */
export function findTool(name: string): KoraTool | undefined {
  return KORA_TOOLS.find((tool) => tool.name === name);
}
