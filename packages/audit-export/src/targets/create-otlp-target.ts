import type { OtelLogEncoder } from '../otel/create-otel-log-encoder.js';
import { createOtlpHttpSender } from '../otel/create-otlp-http-sender.js';
import type { OtlpHttpSenderOptions } from '../otel/create-otlp-http-sender.js';
import type { OtelLogRecord } from '../otel/otel-log-record.js';
import type { ExportTarget, TargetState } from './export-target.js';

/** Options of {@link createOtlpTarget}. */
export interface OtlpTargetOptions extends OtlpHttpSenderOptions {
  /** Turns the mapped records into the SDK's log records. */
  readonly encoder: OtelLogEncoder;
}

/**
 * An OTLP/HTTP receiver: a batch is acknowledged when the receiver answered it with success.
 * After a crash, what was sent after the last checkpoint is sent again (each record keeps its
 * `log.record.uid`, for a receiver that removes repeats).
 */
export function createOtlpTarget(options: OtlpTargetOptions): ExportTarget {
  const endpoint = describeEndpoint(options.url);
  const sender = createOtlpHttpSender(options);
  return {
    label: endpoint,
    open(resumed) {
      if (resumed !== undefined && (resumed.target !== 'otlp' || resumed.endpoint !== endpoint)) {
        return Promise.reject(
          new Error(
            `the checkpoint was written for another target (${String(resumed.endpoint ?? resumed.out_path ?? resumed.target)}), not ${endpoint}: give each target its own checkpoint`,
          ),
        );
      }
      return Promise.resolve();
    },
    async deliver(records) {
      if (records.length > 0) await sender.send(options.encoder.encode(records as readonly OtelLogRecord[]));
    },
    bytesEncoding: options.compression === 'gzip' ? 'otlp-protobuf-gzip' : 'otlp-protobuf',
    async deliverBytes(body, records) {
      await sender.sendSerialized(body, records);
    },
    state(): Promise<TargetState> {
      return Promise.resolve({ target: 'otlp', format: 'otel', endpoint });
    },
    async close() {
      await sender.shutdown();
      await options.encoder.shutdown();
    },
  };
}

/** The endpoint without credentials or query: what messages and the checkpoint may say of it. */
export function describeEndpoint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
