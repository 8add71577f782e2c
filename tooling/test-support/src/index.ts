export { findRepositoryRoot } from './find-repository-root.js';
export { goldenLinesPath } from './golden-lines-path.js';
export { mountTmpfs, tmpfsUnavailableReason } from './mount-tmpfs.js';
export type { Tmpfs } from './mount-tmpfs.js';
export { decodeOtlpLogsRequest, startOtlpReceiver } from './start-otlp-receiver.js';
export type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpLogRecord,
  OtlpLogsRequest,
  OtlpReceiver,
  OtlpReceiverFailure,
  OtlpReceiverOptions,
  OtlpResourceLogs,
  OtlpScopeLogs,
  ReceivedOtlpRequest,
} from './start-otlp-receiver.js';
export { HOSTILE_JSON_OBJECTS, replaceJsonPart } from './replace-json-part.js';
