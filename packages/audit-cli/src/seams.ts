import { auditClosedSeam, auditLostSeam, auditOpenedSeam } from '@kora/audit-sink';
import type { Seam } from '@kora/audit-sink';
import { seam as mcpToolCalled } from '@kora/seam-mcp';
import { seam as reasoningToolCalled } from '@kora/seam-reasoning';
import { seam as slackDmReplyFailed } from '@kora/seam-slack-dm';
import { seam as webhookDeadLetter } from '@kora/seam-webhook-dead-letter';

/** Every seam the CLI knows, in the order of the core's `SEAM_NAMES`: the agent's, then the writers' own. */
export const SEAMS: readonly Seam[] = [
  mcpToolCalled,
  webhookDeadLetter,
  slackDmReplyFailed,
  reasoningToolCalled,
  auditOpenedSeam,
  auditLostSeam,
  auditClosedSeam,
];

/** The seam descriptor named `name`, if there is one. */
export function findSeam(name: string): Seam | undefined {
  return SEAMS.find((seam) => seam.name === name);
}
