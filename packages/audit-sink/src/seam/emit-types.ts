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
 * The logger the verbatim lines and the sink's own warnings go to. A pino logger fits;
 * so does anything with `info` and `warn` taking one string.
 */
export interface AuditLogger {
  info(message: string): void;
  warn(message: string): void;
}
