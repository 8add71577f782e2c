// OCSF and ECS exports, the exporter and its file and stream targets. What needs the
// OpenTelemetry SDK is in '@kora/audit-export/otel', the OCSF schema check (Ajv) in
// '@kora/audit-export/ocsf': an export loads neither unless it needs it.
export { OCSF_VERSION } from './ocsf/ocsf-version.js';
export type { OtelLogRecord } from './otel/otel-log-record.js';
export { EXPORT_FORMATS } from './formats/export-format.js';
export type { ExportFormat } from './formats/export-format.js';
export { ECS_VERSION, createEcsDocumentWriter, toEcsDocument } from './formats/to-ecs-document.js';
export { createOcsfEventWriter, toOcsfEvent } from './formats/to-ocsf-event.js';
export { createRecordMaker } from './formats/create-record-maker.js';
export { toOtelLogRecord } from './formats/to-otel-log-record.js';
export type { ExportContext, ExportRow } from './mapping/export-row.js';
export { createExportRowReader } from './mapping/read-export-row.js';
export type { ExportRowReaderOptions, ExportRowResult, ExportSkipReason } from './mapping/read-export-row.js';
export { createExporter } from './exporter/create-exporter.js';
export type { Exporter, ExporterOptions, ExporterStats } from './exporter/create-exporter.js';
export type { EncodingWorkerSource } from './exporter/encoding-worker-protocol.js';
export { runEncodingWorker } from './exporter/run-encoding-worker.js';
export type { ExportTarget, TargetState } from './targets/export-target.js';
export { createFileTarget } from './targets/create-file-target.js';
export type { FileTargetOptions } from './targets/create-file-target.js';
export { createStreamTarget } from './targets/create-stream-target.js';
export type { StreamTargetOptions } from './targets/create-stream-target.js';
export { encodeJsonLines } from './targets/encode-json-lines.js';
