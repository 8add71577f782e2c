/** One OpenTelemetry log record, as the mapping makes it from a row, before the SDK takes it. */
export interface OtelLogRecord {
  /** From the row's `emitted_at`. */
  readonly timeUnixMs: number;
  readonly observedTimeUnixMs: number;
  /** 9 (INFO), 13 (WARN) or 17 (ERROR). */
  readonly severityNumber: number;
  readonly severityText: string;
  /** `kora.<seam>`. */
  readonly eventName: string;
  /** The row's details (JSON values). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly attributes: Readonly<Record<string, string | number | boolean | readonly string[] | readonly number[]>>;
  /** 32 hex digits, when the row has one. */
  readonly traceId?: string;
  /** 16 hex digits, when the row has one. */
  readonly spanId?: string;
}
