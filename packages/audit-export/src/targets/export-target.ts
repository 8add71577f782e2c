/**
 * Bytes a target takes: whole lines (OCSF and ECS JSON, or OTLP/JSON), or an OTLP/protobuf
 * request body, as it is or gzipped (a body gzipped in parts is their gzip members one after
 * the other, which a gzip reader reads as one stream, RFC 1952 §2.2).
 */
export type BytesEncoding = 'lines' | 'otlp-protobuf' | 'otlp-protobuf-gzip';

/** What a checkpoint records about the target, beside the position in the audit file. */
export type TargetState = Readonly<Record<string, string | number | null>>;

/**
 * Where exported records go. A batch is acknowledged when {@link ExportTarget.deliver}
 * resolves; the exporter moves its checkpoint only past acknowledged batches.
 */
export interface ExportTarget {
  /** The target for messages: a file's path, `stdout`, or an endpoint without credentials. */
  readonly label: string;
  /**
   * Get ready to deliver. `resumed` is what the checkpoint recorded of the target, undefined
   * when starting afresh; a target refuses (throws) a checkpoint written for another target.
   */
  open(resumed: TargetState | undefined): Promise<void>;
  /** Deliver one batch of records; rejects when the target did not take it all. */
  deliver(records: readonly unknown[]): Promise<void>;
  /**
   * What {@link ExportTarget.deliverBytes} takes: the lines a file or stream writes, or an
   * OTLP/protobuf request body. Absent when the target takes records only.
   */
  readonly bytesEncoding?: BytesEncoding;
  /**
   * Deliver one batch already encoded (in {@link ExportTarget.bytesEncoding}, by encoding
   * workers) and holding `records` records, as {@link ExportTarget.deliver} would have delivered
   * the records themselves.
   */
  deliverBytes?(bytes: Uint8Array, records: number): Promise<void>;
  /** Make what was delivered durable, and say what the checkpoint must record of the target. */
  state(): Promise<TargetState>;
  close(): Promise<void>;
}
