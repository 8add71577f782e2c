export { OCSF_VERSION } from './ocsf/ocsf-version.js';
export { validateOcsfEvent } from './ocsf/validate-ocsf-event.js';
export type { OcsfValidation } from './ocsf/validate-ocsf-event.js';
export { createOtelLogEncoder } from './otel/create-otel-log-encoder.js';
export type { OtelLogEncoder, OtelLogEncoderOptions } from './otel/create-otel-log-encoder.js';
export { createOtlpHttpSender } from './otel/create-otlp-http-sender.js';
export type { OtlpHttpSender, OtlpHttpSenderOptions } from './otel/create-otlp-http-sender.js';
export { encodeJsonLine } from './otel/encode-json-line.js';
export type { OtelLogRecord } from './otel/otel-log-record.js';
