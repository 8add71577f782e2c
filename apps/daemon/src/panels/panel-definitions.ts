import type { SeamName } from '@kora/audit-sink';

/** The panels' names, as they appear in `/api/panels/:panel`. */
export const PANEL_NAMES = ['agent-activity', 'reasoning', 'webhook-events', 'slack-replies'] as const;

/** One of {@link PANEL_NAMES}. */
export type PanelName = (typeof PANEL_NAMES)[number];

/** A table column showing one details field; a row whose seam has no key for it shows a dash. */
export interface PanelColumn {
  /** The column header. */
  readonly label: string;
  /** Which details key fills the column, per seam. */
  readonly keys: Readonly<Partial<Record<SeamName, string>>>;
  /** A detail the page may leave out where the window is narrow. */
  readonly minor?: true;
}

/** What one panel shows. */
export interface PanelDefinition {
  readonly name: PanelName;
  /** The panel's heading on the page. */
  readonly title: string;
  /** One sentence under the heading: what an operator looks for here. */
  readonly description: string;
  /** The seams whose rows the panel shows; the `seam` filter may narrow to any of them. */
  readonly seams: readonly [SeamName, ...SeamName[]];
  /** The details fields shown as columns, besides time, seam and caller session. */
  readonly columns: readonly PanelColumn[];
}

const mcp = 'mcp.tool_called';
const reasoning = 'reasoning.tool_called';
const webhook = 'webhook.dead_letter';
const slack = 'slack_dm.reply_failed';

/**
 * The operator panels, in page order. Agent activity puts MCP calls and reasoning-loop calls
 * side by side, so each of its columns names the field it takes from either seam. Failed
 * Slack replies get their own panel: they are neither agent tool calls nor webhook rejections,
 * and without it no panel would show them.
 */
export const PANEL_DEFINITIONS: readonly PanelDefinition[] = [
  {
    name: 'agent-activity',
    title: 'Agent activity',
    description: 'Every tool call: by MCP clients and inside the reasoning loop, including denied and failed ones.',
    seams: [mcp, reasoning],
    columns: [
      { label: 'Tool', keys: { [mcp]: 'tool_name', [reasoning]: 'tool_name' } },
      { label: 'Kind', keys: { [mcp]: 'tool_kind' }, minor: true },
      { label: 'Actor / triggered by', keys: { [mcp]: 'caller_actor_kind', [reasoning]: 'triggered_by' } },
      { label: 'Result / status', keys: { [mcp]: 'result', [reasoning]: 'tool_status' } },
      { label: 'Duration ms', keys: { [reasoning]: 'tool_duration_ms' }, minor: true },
      { label: 'Exception', keys: { [reasoning]: 'exc_type' }, minor: true },
    ],
  },
  {
    name: 'reasoning',
    title: 'Reasoning',
    description: 'Tool calls the model made inside the reasoning loop, with duration and outcome.',
    seams: [reasoning],
    columns: [
      { label: 'Tool', keys: { [reasoning]: 'tool_name' } },
      { label: 'Triggered by', keys: { [reasoning]: 'triggered_by' } },
      { label: 'Duration ms', keys: { [reasoning]: 'tool_duration_ms' } },
      { label: 'Status', keys: { [reasoning]: 'tool_status' } },
      { label: 'Exception', keys: { [reasoning]: 'exc_type' } },
    ],
  },
  {
    name: 'webhook-events',
    title: 'Webhook events',
    description: 'Rejected webhook requests: bad signatures, stale timestamps, oversized bodies, rate limits.',
    seams: [webhook],
    columns: [
      { label: 'Source', keys: { [webhook]: 'source' } },
      { label: 'Reason', keys: { [webhook]: 'reason' } },
      { label: 'Peer IP', keys: { [webhook]: 'peer_ip' } },
      { label: 'Body bytes', keys: { [webhook]: 'body_bytes' }, minor: true },
    ],
  },
  {
    name: 'slack-replies',
    title: 'Slack replies',
    description: 'Direct-message replies that could not be delivered, with the mapped reason.',
    seams: [slack],
    columns: [
      { label: 'Channel', keys: { [slack]: 'channel_id' } },
      { label: 'Reason', keys: { [slack]: 'reason' } },
    ],
  },
];

/** The definition of the panel named `name`, or undefined for any other string. */
export function findPanel(name: string): PanelDefinition | undefined {
  return PANEL_DEFINITIONS.find((panel) => panel.name === name);
}
