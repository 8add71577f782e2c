import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { OtelLogEncoder } from './create-otel-log-encoder.js';
import type { OtelLogRecord } from './otel-log-record.js';

const NEWLINE = Buffer.from('\n');

/**
 * How a batch of OpenTelemetry records is written to a file or stream: one OTLP/JSON
 * `ExportLogsServiceRequest` per batch and line, as the OpenTelemetry Collector's file exporter
 * writes and its `otlpjsonfile` receiver reads. The line is the SDK's serializer's bytes, not
 * decoded to text and encoded again; JSON.stringify escapes every control character, so each
 * batch is one line.
 */
export function createOtlpJsonLineEncoder(otel: OtelLogEncoder): (records: readonly unknown[]) => Uint8Array {
  return (records) => {
    const bytes = JsonLogsSerializer.serializeRequest(otel.encode(records as readonly OtelLogRecord[]));
    if (bytes === undefined) throw new Error('the OTLP JSON serializer produced nothing');
    return Buffer.concat([bytes, NEWLINE]);
  };
}
