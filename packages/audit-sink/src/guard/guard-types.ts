/** One secret or personal-data shape found in a string. */
export interface SecretMatch {
  /** The rule id, e.g. `slack-bot-token`. */
  readonly rule: string;
  /** UTF-16 offset where the match starts. */
  readonly start: number;
  /** UTF-16 offset just past the match. */
  readonly end: number;
}

/** Where a redaction happened: the rule and the JSON path of the value, never the value. */
export interface RedactionFinding {
  readonly rule: string;
  /** e.g. `details.args_keys[2]` or `caller_session_id`. */
  readonly path: string;
}
