/**
 * One audit row as an OpenTelemetry log record, neutral of any SDK: what the mapping engine
 * produces and the OTLP encoders consume.
 */
export interface OtelLogRecord {
  /** When the row was emitted (its `emitted_at`), milliseconds since the Unix epoch. */
  readonly timeUnixMs: number;
  /** When the exporter read the row, milliseconds since the Unix epoch. */
  readonly observedTimeUnixMs: number;
  /** OpenTelemetry severity number: 9 (INFO), 13 (WARN) or 17 (ERROR). */
  readonly severityNumber: number;
  /** The severity's name: `INFO`, `WARN` or `ERROR`. */
  readonly severityText: string;
  /** `kora.<seam>`, the record's event name. */
  readonly eventName: string;
  /** The row's details: JSON values only (strings, numbers, booleans, null, arrays, objects). */
  readonly body: Readonly<Record<string, unknown>>;
  /** Attributes the mapping gives the record; arrays are homogeneous. */
  readonly attributes: Readonly<Record<string, string | number | boolean | readonly string[] | readonly number[]>>;
  /** W3C trace id, 32 hex digits, when the row has one; always together with `spanId`. */
  readonly traceId?: string;
  /** W3C span id, 16 hex digits, when the row has one; always together with `traceId`. */
  readonly spanId?: string;
}
