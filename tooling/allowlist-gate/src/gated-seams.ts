import { auditClosedSeam, auditLostSeam, auditOpenedSeam } from '@kora/audit-sink';
import type { Seam } from '@kora/audit-sink';
import { seam as mcpToolCalled } from '@kora/seam-mcp';
import { seam as reasoningToolCalled } from '@kora/seam-reasoning';
import { seam as slackDmReplyFailed } from '@kora/seam-slack-dm';
import { seam as webhookDeadLetter } from '@kora/seam-webhook-dead-letter';

/** A seam under the gate, and the package that publishes its allow-list. */
export interface GatedSeam {
  readonly packageName: string;
  readonly seam: Seam;
}

/**
 * Every seam whose allow-list the lock file records. A new seam package is added here, and
 * its first `allowlist:approve` records its initial review.
 */
export const GATED_SEAMS: readonly GatedSeam[] = [
  { packageName: '@kora/seam-mcp', seam: mcpToolCalled },
  { packageName: '@kora/seam-webhook-dead-letter', seam: webhookDeadLetter },
  { packageName: '@kora/seam-slack-dm', seam: slackDmReplyFailed },
  { packageName: '@kora/seam-reasoning', seam: reasoningToolCalled },
  { packageName: '@kora/audit-sink', seam: auditOpenedSeam },
  { packageName: '@kora/audit-sink', seam: auditLostSeam },
  { packageName: '@kora/audit-sink', seam: auditClosedSeam },
];
