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

/**
 * Text with its escapes decoded, and for each decoded UTF-16 unit the span of the source it
 * came from (`from[i]` to `to[i]`); the tables are empty unless asked for.
 */
export interface DecodedText {
  readonly text: string;
  readonly from: readonly number[];
  readonly to: readonly number[];
}
