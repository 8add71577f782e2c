import type { AuditSource } from '../envelope/seam-names.js';

/** Why a row was not written. */
export type SkipReason = 'unknown_seam' | 'invalid_details' | 'invalid_envelope' | 'write_failed' | 'sink_closed';

/** What an emit did. Best-effort mode never throws; it reports here instead. */
export type EmitOutcome =
  { readonly ok: true; readonly id: string } | { readonly ok: false; readonly reason: SkipReason; readonly id?: string };

/** Envelope fields the caller may set on one emit. */
export interface EmitContext {
  /** Where the act came from; defaults to the seam's source. */
  readonly source?: AuditSource | null | undefined;
  /** The caller's session; defaults to null. */
  readonly caller_session_id?: string | null | undefined;
}

/**
 * The structured fields of a verbatim line, logged beside its message (which they leave as it
 * is), so that a log pipeline can join the line to its row.
 */
export interface AuditLineFields {
  /** The seam's name (`mcp.tool_called`, `audit.opened`, …): the row's `seam`. */
  readonly seam: string;
  /**
   * The id of the row made for this line: the row's `id`. Absent when the sink made no row
   * (details refused, an invalid envelope, an unknown seam, a closed sink). A row that has an id
   * may still be lost to a failing disk; its number is then named by an `audit.lost` row.
   */
  readonly audit_id?: string;
  /**
   * The W3C trace id active when the line was logged (32 lower-case hex digits), when
   * `@opentelemetry/api` is installed and a span is active; the row's `trace_id`. Absent otherwise.
   */
  readonly trace_id?: string;
  /** The span id active when the line was logged (16 lower-case hex digits), with `trace_id`: the row's `span_id`. */
  readonly span_id?: string;
}

/**
 * The logger the verbatim lines and the sink's own warnings go to. A pino logger fits, and
 * gets each verbatim line's {@link AuditLineFields} as fields of its JSON line; so does
 * anything with `info` and `warn` taking one string, which gets the line alone.
 */
export interface AuditLogger {
  info(message: string): void;
  warn(message: string): void;
  /**
   * Optional: log a verbatim line with its fields. A logger that has this method gets every
   * verbatim line (a seam's or the writer's `[kora.audit.opened]`, `[kora.audit.lost]` and
   * `[kora.audit.closed]`) through it instead of `info` or `warn`; the sink's warnings still go
   * to `warn`. `message` must be logged as it is.
   */
  logLine?(level: 'info' | 'warn', message: string, fields: AuditLineFields): void;
}
