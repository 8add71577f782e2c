import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

const decoder = new TextDecoder();

/**
 * One line of OTLP/JSON: an ExportLogsServiceRequest holding `records`, serialized by the
 * OpenTelemetry SDK's own JSON logs serializer (hex trace and span ids, int64 times as decimal
 * strings), without the trailing newline. A file of such lines is what the OpenTelemetry
 * Collector's file exporter writes and its `otlpjsonfile` receiver reads.
 */
export function encodeJsonLine(records: readonly ReadableLogRecord[]): string {
  const bytes = JsonLogsSerializer.serializeRequest([...records]);
  if (bytes === undefined) throw new Error('the OTLP JSON serializer produced nothing');
  // JSON.stringify escapes every control character, so the text is a single line.
  return decoder.decode(bytes);
}
