import type { AuditEnvelope, Seam } from '@kora/audit-sink';

/** A row about to be exported: its envelope, its seam, and what the file says about it. */
export interface ExportRow {
  readonly entry: AuditEnvelope;
  readonly seam: Seam;
  /** The row's line as written, without its newline. */
  readonly text: string;
  /** The seal's leaf hash of the line (RFC 6962: SHA-256 of 0x00 and the line), hex; absent when the log is not sealed. */
  readonly leafHash?: string | undefined;
}

/** What every exported record says about where it comes from. */
export interface ExportContext {
  /** kora-audit's version, for the product fields. */
  readonly productVersion: string;
  /** The host the audit file is on. */
  readonly hostName: string;
  /** The service whose audit trail this is (OpenTelemetry `service.name`, ECS `service.name` default). */
  readonly serviceName: string;
  /** The audit file's name, for OCSF `metadata.log_name` and ECS `log.file.path`. */
  readonly logPath: string;
  /** Now, for the observed and ingested times. */
  readonly now: () => number;
  /**
   * Also carry the row as written (OCSF `raw_data`, ECS `event.original`), as Elastic's
   * `preserve_original_event` does: about twice the bytes, so off unless asked for. The leaf
   * hash, when there is one, is carried either way.
   */
  readonly keepOriginal?: boolean | undefined;
}
