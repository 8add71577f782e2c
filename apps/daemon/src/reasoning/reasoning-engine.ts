/** What started a reasoning run; becomes the `triggered_by` of its tool-call rows. */
export type ReasoningTrigger = 'slack_dm' | 'email' | 'cron' | 'mcp';

/** A question for the model, and where it came from. */
export interface ReasoningRequest {
  readonly text: string;
  readonly triggeredBy: ReasoningTrigger;
  /** `{channel}:{ts}` for a Slack DM: the audit rows' `caller_session_id`. */
  readonly callerSessionId: string | null;
}

/** Answers a question with a Messages API tool-use loop over the Kora tools. */
export interface ReasoningEngine {
  /** The model's final text. Throws when the model cannot be reached or the loop runs too long. */
  answer(request: ReasoningRequest): Promise<string>;
}
