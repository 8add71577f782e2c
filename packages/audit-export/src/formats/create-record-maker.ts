import type { ExportContext, ExportRow } from '../mapping/export-row.js';
import type { ExportFormat } from './export-format.js';
import { createEcsDocumentWriter } from './to-ecs-document.js';
import { createOcsfEventWriter } from './to-ocsf-event.js';
import { toOtelLogRecord } from './to-otel-log-record.js';

/**
 * What the exporter hands its target for each row of `format`: for OCSF and ECS the JSON text
 * of the event or document (written without building it), for OpenTelemetry the neutral log
 * record the OTLP encoders take.
 */
export function createRecordMaker(format: ExportFormat, context: ExportContext): (row: ExportRow) => unknown {
  switch (format) {
    case 'ocsf':
      return createOcsfEventWriter(context);
    case 'ecs':
      return createEcsDocumentWriter(context);
    case 'otel':
      return (row) => toOtelLogRecord(row, context);
  }
}
