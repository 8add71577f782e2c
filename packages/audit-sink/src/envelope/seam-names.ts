/**
 * The registered seams. A row whose `seam` is not one of these is never written:
 * adding a seam widens what the audit file may hold, so it is a change to the core.
 * The `audit.*` family is the core's own: each writer's opening, losses and closing.
 */
export const SEAM_NAMES = [
  'mcp.tool_called',
  'webhook.dead_letter',
  'slack_dm.reply_failed',
  'reasoning.tool_called',
  'audit.opened',
  'audit.lost',
  'audit.closed',
] as const;

/** The core's own seams, which account for a writer's rows rather than record an act of the agent. */
export const LIFECYCLE_SEAM_NAMES = ['audit.opened', 'audit.lost', 'audit.closed'] as const;

/** One of the lifecycle seam names. */
export type LifecycleSeamName = (typeof LIFECYCLE_SEAM_NAMES)[number];

/** One of the registered seam names. */
export type SeamName = (typeof SEAM_NAMES)[number];

/** Where the act that a row records came from. */
export const AUDIT_SOURCES = ['mcp_http', 'slack_dm', 'email', 'cron', 'reasoning'] as const;

/** One of the known sources. */
export type AuditSource = (typeof AUDIT_SOURCES)[number];

const seamNameSet: ReadonlySet<string> = new Set(SEAM_NAMES);

/** Whether `name` is a registered seam name. */
export function isSeamName(name: unknown): name is SeamName {
  return typeof name === 'string' && seamNameSet.has(name);
}
