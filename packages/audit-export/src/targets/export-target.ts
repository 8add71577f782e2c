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
   * Deliver one batch already encoded to the bytes the target writes (a file or a stream), as
   * {@link ExportTarget.deliver} would have written its records. Absent when the target does
   * not write bytes (an OTLP receiver takes records).
   */
  deliverBytes?(bytes: Uint8Array): Promise<void>;
  /** Make what was delivered durable, and say what the checkpoint must record of the target. */
  state(): Promise<TargetState>;
  close(): Promise<void>;
}
