import { formatPythonStr, readErrorTypeName } from '@kora/audit-sink';
import { emitSlackReplyFailed } from '@kora/seam-slack-dm';
import type { WebClient } from '@slack/web-api';
import type { DaemonContext } from '../daemon-context.js';
import type { ReasoningEngine } from '../reasoning/reasoning-engine.js';
import type { DirectMessage } from './direct-message.js';

/** Options of {@link createDirectMessageHandler}. */
export interface DirectMessageHandlerOptions {
  /** Where `slack_dm.reply_failed` rows and warnings go. */
  readonly context: DaemonContext;
  /** The Slack client; undefined when no bot token or API URL is configured. */
  readonly slack: WebClient | undefined;
  /** Answers the DM's text. */
  readonly reasoning: ReasoningEngine;
  /** Reply in a thread under the DM instead of in the conversation; default false. */
  readonly replyInThread?: boolean;
}

/** What the user reads when no answer could be worked out. */
export const REASONING_APOLOGY = 'Sorry, I could not work that out just now. Please try again in a little while.';

/**
 * Create the handler for a verified Slack DM: ask the reasoning engine, then post its answer
 * (or, when reasoning failed, a short apology) with `chat.postMessage`. A reply that cannot be
 * posted — a Slack error, an HTTP or transport failure, or no client at all (then the model is
 * not asked) — is audited as one `slack_dm.reply_failed` row whose session is `{channel}:{ts}`;
 * a reasoning failure is logged as a warning naming the error type only. The returned function
 * does not reject: it runs as a background task after Slack has had its acknowledgement.
 */
export function createDirectMessageHandler(options: DirectMessageHandlerOptions): (message: DirectMessage) => Promise<void> {
  const { context, slack, reasoning, replyInThread = false } = options;
  const { logger } = context.audit;

  const reasonOrApologize = async (message: DirectMessage): Promise<string> => {
    try {
      return await reasoning.answer({ text: message.text, triggeredBy: 'slack_dm', callerSessionId: `${message.channel}:${message.ts}` });
    } catch (error) {
      // The type only: a message could quote the DM or the model's text.
      logger.warn(
        `[kora.daemon.reasoning_failed] triggered_by=slack_dm channel=${formatPythonStr(message.channel)} error=${readErrorTypeName(error)}`,
      );
      return REASONING_APOLOGY;
    }
  };

  return async (message) => {
    try {
      if (slack === undefined) {
        // Checked first: an answer nobody can receive is not worth a model call or a tool's side effects.
        emitSlackReplyFailed({ channelId: message.channel, messageTs: message.ts, error: 'slack_client_not_configured' }, context.audit);
        return;
      }
      const text = await reasonOrApologize(message);
      try {
        await slack.chat.postMessage({ channel: message.channel, text, ...(replyInThread ? { thread_ts: message.ts } : {}) });
      } catch (error) {
        emitSlackReplyFailed({ channelId: message.channel, messageTs: message.ts, error }, context.audit);
      }
    } catch (error) {
      // Only a broken logger or sink gets here; a background task has nobody to throw to.
      logger.warn(`[kora.daemon.task_failed] task=slack_dm error=${readErrorTypeName(error)}`);
    }
  };
}
