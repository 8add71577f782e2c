/** A verified Slack DM (an `event_callback` whose event is a user's `message` in an `im`). */
export interface DirectMessage {
  /** The DM channel id, `D…`. */
  readonly channel: string;
  /** The message's Slack timestamp, `1700000000.000100`. */
  readonly ts: string;
  /** The sender's user id, `U…`. */
  readonly user: string;
  /** The message text: given to the reasoning engine, never to the audit. */
  readonly text: string;
}

/** Takes a verified DM; returns at once, the answer is posted in the background. */
export type DirectMessageListener = (message: DirectMessage) => void;
