import { emitSeamEvent } from '@kora/audit-sink';
import type { EmitOutcome, EmitTargets } from '@kora/audit-sink';
import { mapSlackReplyError } from './map-slack-reply-error.js';
import { seam } from './slack-dm-reply-failed.js';
import type { SlackDmReplyFailedDetails } from './slack-dm-reply-failed.js';

/** Raw inputs of {@link emitSlackReplyFailed}, as the DM handler has them. */
export interface EmitSlackReplyFailedInput {
  /** The conversation (`D…`) or user (`U…`) the reply was for. */
  readonly channelId: string;
  /** The `ts` of the message being answered: the session is `{channelId}:{messageTs}`. */
  readonly messageTs?: string | null;
  /**
   * What the reply threw (an `@slack/web-api` error or any other), or a reason such as
   * `slack_client_not_configured`. Only codes, statuses and type names are kept.
   */
  readonly error: unknown;
}

/**
 * Audit one Slack DM reply that failed: logs the `[kora.slack_dm.reply_failed]` line at warn
 * and appends the row. The message text, the error message and Slack's response body never
 * leave this function: the error becomes a reason code via `mapSlackReplyError`. Never throws
 * in best-effort mode.
 */
export function emitSlackReplyFailed(input: EmitSlackReplyFailedInput, targets?: EmitTargets): EmitOutcome {
  const details: SlackDmReplyFailedDetails = {
    channel_id: input.channelId,
    reason: mapSlackReplyError(input.error),
  };
  const sessionId = typeof input.messageTs === 'string' && input.messageTs !== '' ? `${input.channelId}:${input.messageTs}` : null;
  return emitSeamEvent(seam, details, { source: 'slack_dm', caller_session_id: sessionId }, targets);
}
