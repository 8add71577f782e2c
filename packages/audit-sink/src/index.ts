export { AUDIT_SCHEMA_VERSION, AUDIT_SCHEMA_VERSIONS, auditEnvelope } from './envelope/audit-envelope.js';
export type { AuditEntry, AuditEnvelope } from './envelope/audit-envelope.js';
export { AUDIT_SOURCES, LIFECYCLE_SEAM_NAMES, SEAM_NAMES, isSeamName } from './envelope/seam-names.js';
export type { AuditSource, LifecycleSeamName, SeamName } from './envelope/seam-names.js';

export { auditOpenedDetails, auditOpenedSeam } from './lifecycle/audit-opened.js';
export type { AuditOpenedDetails } from './lifecycle/audit-opened.js';
export { auditLostDetails, auditLostSeam } from './lifecycle/audit-lost.js';
export type { AuditLostDetails } from './lifecycle/audit-lost.js';
export { auditClosedDetails, auditClosedSeam } from './lifecycle/audit-closed.js';
export type { AuditClosedDetails } from './lifecycle/audit-closed.js';
export { CLOSE_TRIGGERS, LOSS_REASONS } from './lifecycle/loss-reasons.js';
export type { CloseTrigger, LossReason } from './lifecycle/loss-reasons.js';
export type { SeqRange } from './lifecycle/seq-ranges.js';

export { FIELD_CLASSIFICATIONS, defineSeam, isSeam } from './seam/define-seam.js';
export { EXPORT_OUTCOMES, checkExportMapping } from './seam/seam-export-mapping.js';
export type {
  ExportFields,
  ExportOutcome,
  ExportOutcomeRule,
  ExportScalar,
  ExportSource,
  SeamExportMapping,
} from './seam/seam-export-mapping.js';
export type {
  DetailsSchema,
  FieldClassification,
  LineContext,
  Seam,
  SeamDefinition,
  SeamDetails,
  SeamField,
  SeamLevel,
} from './seam/define-seam.js';
export type { AuditLineFields, AuditLogger, EmitContext, EmitOutcome, SkipReason } from './seam/emit-types.js';
export { emitSeamEvent } from './seam/emit-seam-event.js';
export { readDetailsField } from './seam/read-details-field.js';
export type { EmitTargets } from './seam/emit-seam-event.js';

export { createAuditSink } from './sink/create-audit-sink.js';
export {
  ARGS_DIGEST_ALGORITHM,
  ARGS_DIGEST_PATTERN,
  MIN_ARGS_DIGEST_KEY_BYTES,
  createArgsDigester,
} from './digest/create-args-digester.js';
export type { ArgsDigestResult, ArgsDigester, ArgsDigesterOptions } from './digest/create-args-digester.js';
export { ARGS_DIGEST_SKIP_REASONS } from './digest/snapshot-json-value.js';
export type { ArgsDigestSkipReason } from './digest/snapshot-json-value.js';
export { digestToolArgs } from './seam/digest-tool-args.js';
export type { ToolArgsDigestFields } from './seam/digest-tool-args.js';
export { createAuditLogger, getDefaultAuditSink, getDefaultLogger, setDefaultAuditSink, sinkOptionsFromEnv } from './sink/default-sink.js';
export type { KoraEnv } from './sink/kora-env.js';
export { resolveAuditLogPath } from './sink/resolve-audit-log-path.js';
export type { AuditSink, AuditSinkOptions, AuditSinkStats, FailurePolicy, RowMirror, SinkMode } from './sink/audit-sink-types.js';

export { SECRET_RULES } from './guard/secret-rules.js';
export type { SecretRule } from './guard/secret-rules.js';
export { findSecrets, mayHoldSecret } from './guard/find-secrets.js';
export { redactText } from './guard/redact-text.js';
export { redactValue } from './guard/redact-value.js';
export { fitRedactedLength } from './guard/fit-redacted-length.js';
export type { RedactionFinding, SecretMatch } from './guard/guard-types.js';

export { formatPythonStr } from './format/format-python-str.js';
export { formatPythonRepr } from './format/format-python-repr.js';
export { formatFixedHalfEven } from './format/format-fixed-half-even.js';
export { formatPythonInt } from './format/format-python-int.js';
export { escapeToken } from './format/escape-token.js';
export { escapeCodePoints } from './format/escape-code-points.js';
export { escapeJsonControls, hasJsonControls } from './format/escape-json-controls.js';
export { readErrorTypeName } from './format/read-error-type-name.js';
export { readErrorCode } from './format/read-error-code.js';
export { readIntegerOption } from './options/read-integer-option.js';
export type { IntegerOptionRange } from './options/read-integer-option.js';

export { readAuditEntries, streamAuditEntries, streamAuditJsonl, streamAuditLines } from './reader/read-audit-entries.js';
export { parseReadFilters } from './reader/parse-read-filters.js';
export { decodeOpaqueCursor, encodeOpaqueCursor } from './reader/opaque-cursor.js';
export type { ParsedReadFilters, ReadFilters, TimeBound } from './reader/parse-read-filters.js';
export type {
  AuditJsonlBatch,
  AuditLinesBatch,
  LiveFileEnd,
  ReadAuditEntriesOptions,
  ReadAuditEntriesResult,
  ReadSkipCounts,
  StreamAuditEntriesOptions,
} from './reader/read-audit-entries.js';
