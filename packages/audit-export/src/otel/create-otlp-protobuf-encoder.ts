import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { OtelLogEncoder } from './create-otel-log-encoder.js';
import type { OtelLogRecord } from './otel-log-record.js';

/**
 * How a batch of OpenTelemetry records is sent over OTLP/HTTP: one `ExportLogsServiceRequest` in
 * protobuf, by the SDK's serializer, as its exporter would send it. Serialized messages of the
 * same type may be joined: protobuf reads two messages one after the other as one whose repeated
 * fields hold both, so the parts of a batch encoded in several threads are one request.
 */
export function createOtlpProtobufEncoder(otel: OtelLogEncoder): (records: readonly unknown[]) => Uint8Array {
  return (records) => {
    const bytes = ProtobufLogsSerializer.serializeRequest(otel.encode(records as readonly OtelLogRecord[]));
    if (bytes === undefined) throw new Error('the OTLP protobuf serializer produced nothing');
    return bytes;
  };
}
