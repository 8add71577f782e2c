import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ExportFormat } from '../formats/export-format.js';
import type { OtelLogEncoder } from '../otel/create-otel-log-encoder.js';
import type { OtelLogRecord } from '../otel/otel-log-record.js';

const NEWLINE = Buffer.from('\n');

/**
 * One JSON document per line. Each line becomes bytes on its own and the bytes are joined: the
 * same bytes as joining the texts first, at a third of the cost (a string of a batch's
 * thousands of lines is slow to build and slower to encode).
 */
function encodeJsonLines(records: readonly unknown[]): Buffer {
  const lines = records.map((record) => Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
  return Buffer.concat(lines);
}

/**
 * How a batch of mapped records is written, as UTF-8 bytes: OCSF and ECS one JSON document per
 * line (NDJSON, as SIEM file inputs read it); OpenTelemetry one OTLP/JSON
 * `ExportLogsServiceRequest` per batch and line, as the OpenTelemetry Collector's file exporter
 * writes and its `otlpjsonfile` receiver reads.
 */
export function createLineEncoder(format: ExportFormat, otel: OtelLogEncoder | undefined): (records: readonly unknown[]) => Uint8Array {
  if (format !== 'otel') return encodeJsonLines;
  if (otel === undefined) throw new TypeError('createLineEncoder: the otel format needs an OpenTelemetry encoder');
  return (records) => {
    // The line encodeJsonLine makes, kept as the serializer's bytes rather than decoded to text
    // and encoded again. JSON.stringify escapes every control character: one line per batch.
    const bytes = JsonLogsSerializer.serializeRequest(otel.encode(records as readonly OtelLogRecord[]));
    if (bytes === undefined) throw new Error('the OTLP JSON serializer produced nothing');
    return Buffer.concat([bytes, NEWLINE]);
  };
}
