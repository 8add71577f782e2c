import { defineSeam, formatPythonStr, readDetailsField } from '@kora/audit-sink';
import type { LineContext } from '@kora/audit-sink';
import { z } from 'zod';
import { slackDmReplyFailedExport } from './slack-dm-reply-failed-export.js';

/** Reasons for a reply that never reached Slack because the client was not there. */
export const SLACK_CLIENT_REASONS = ['slack_client_not_configured', 'slack_client_import_error'] as const;

/**
 * Why a Slack DM reply failed: Slack's own error code, an HTTP status, a transport error
 * type, or a client that was not configured or could not be loaded.
 */
export type SlackReplyFailureReason = `slack_api:${string}` | `transport:${string}` | (typeof SLACK_CLIENT_REASONS)[number];

/** The shape every reason has; anything else is refused. */
export const SLACK_REPLY_FAILURE_REASON =
  /^(?:slack_api:[a-z0-9_]{1,64}|transport:(?:[1-5][0-9]{2}|[A-Za-z_$][A-Za-z0-9_$]{0,63})|slack_client_not_configured|slack_client_import_error)$/;

/** The allow-list of `slack_dm.reply_failed`: what one failed Slack DM reply may record. */
export const slackDmReplyFailedDetails = z.strictObject({
  /** The Slack conversation (`D…`) or user (`U…`) the reply was for. */
  channel_id: z.string().regex(/^[A-Z0-9]{1,32}$/, 'must be a Slack id: 1-32 of A-Z 0-9'),
  /**
   * `slack_api:<error>`, `transport:<status>`, `transport:<ErrorName>`,
   * `slack_client_not_configured` or `slack_client_import_error`.
   */
  reason: z.string().regex(SLACK_REPLY_FAILURE_REASON, 'must be a Slack reply failure reason'),
});

/** Details of one `slack_dm.reply_failed` row. */
export type SlackDmReplyFailedDetails = z.infer<typeof slackDmReplyFailedDetails>;

/** The documented fields of `slack_dm.reply_failed`, locked by the allow-list gate. */
export const fields = [
  { key: 'channel_id', classification: 'identifier', description: 'The Slack conversation or user id the reply was for.' },
  {
    key: 'reason',
    classification: 'machine_code',
    description: 'Why the reply failed: slack_api:<error>, transport:<status>, transport:<ErrorName>, or a client configuration code.',
  },
] as const;

/** `[kora.slack_dm.reply_failed] channel=%s reason=%s`. Formats any input. */
export function formatLine(details: Readonly<Record<string, unknown>>, _context?: LineContext): string {
  return `[kora.slack_dm.reply_failed] channel=${formatPythonStr(readDetailsField(details, 'channel_id'))} reason=${formatPythonStr(readDetailsField(details, 'reason'))}`;
}

/** The `slack_dm.reply_failed` seam: a warn line and a row per Slack DM reply that failed. */
export const seam = defineSeam({
  name: 'slack_dm.reply_failed',
  level: 'warn',
  source: 'slack_dm',
  details: slackDmReplyFailedDetails,
  fields,
  formatLine,
  exportMapping: slackDmReplyFailedExport,
});
