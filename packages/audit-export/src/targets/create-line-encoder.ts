import type { ExportFormat } from '../formats/export-format.js';
import type { OtelLogEncoder } from '../otel/create-otel-log-encoder.js';
import { encodeJsonLine } from '../otel/encode-json-line.js';
import type { OtelLogRecord } from '../otel/otel-log-record.js';

/**
 * How a batch of mapped records is written as text: OCSF and ECS one JSON document per line
 * (NDJSON, as SIEM file inputs read it); OpenTelemetry one OTLP/JSON `ExportLogsServiceRequest`
 * per batch and line, as the OpenTelemetry Collector's file exporter writes and its
 * `otlpjsonfile` receiver reads.
 */
export function createLineEncoder(format: ExportFormat, otel: OtelLogEncoder | undefined): (records: readonly unknown[]) => string {
  if (format !== 'otel') return (records) => `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
  if (otel === undefined) throw new TypeError('createLineEncoder: the otel format needs an OpenTelemetry encoder');
  return (records) => `${encodeJsonLine(otel.encode(records as readonly OtelLogRecord[]))}\n`;
}
