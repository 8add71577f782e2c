import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ExportFormat } from '../formats/export-format.js';
import type { OtelLogEncoder } from '../otel/create-otel-log-encoder.js';
import type { OtelLogRecord } from '../otel/otel-log-record.js';

const NEWLINE = Buffer.from('\n');

/**
 * One JSON document per line, from the documents' JSON texts (as the OCSF and ECS writers make
 * them). Each text is encoded into one buffer the batch's size: no string of the whole batch,
 * which is slow to build and slower to encode.
 */
function encodeJsonLines(records: readonly unknown[]): Buffer {
  let bytes = 0;
  for (const record of records) {
    if (typeof record !== 'string') throw new TypeError('createLineEncoder: OCSF and ECS records are JSON texts');
    // At most three UTF-8 bytes per UTF-16 unit: a bound, checked below.
    bytes += record.length * 3 + 1;
  }
  const buffer = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const record of records as readonly string[]) {
    at += buffer.write(record, at, 'utf8');
    buffer[at] = 0x0a;
    at += 1;
  }
  return buffer.subarray(0, at);
}

/**
 * How a batch of records is written, as UTF-8 bytes: OCSF and ECS one JSON document per line
 * (NDJSON, as SIEM file inputs read it), from their JSON texts; OpenTelemetry one OTLP/JSON
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
