// The parts of the export that need the OpenTelemetry SDK, behind their own entry point so that
// an OCSF or ECS export never loads it.
export { createExportOtelEncoder } from './create-export-otel-encoder.js';
export { createOtelLogEncoder } from './create-otel-log-encoder.js';
export type { OtelLogEncoder, OtelLogEncoderOptions } from './create-otel-log-encoder.js';
export { createOtlpHttpSender } from './create-otlp-http-sender.js';
export type { OtlpHttpSender, OtlpHttpSenderOptions } from './create-otlp-http-sender.js';
export { createOtlpJsonLineEncoder } from './create-otlp-json-line-encoder.js';
export { createOtlpProtobufEncoder } from './create-otlp-protobuf-encoder.js';
export { encodeJsonLine } from './encode-json-line.js';
export type { OtelLogRecord } from './otel-log-record.js';
export { createOtlpTarget, describeEndpoint } from '../targets/create-otlp-target.js';
export type { OtlpTargetOptions } from '../targets/create-otlp-target.js';
