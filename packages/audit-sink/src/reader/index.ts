// `@kora/audit-sink/reader`: what a program that only reads audit files needs, without the
// sink and its logger, so a command-line reader starts faster.
export { readAuditEntries, streamAuditEntries, streamAuditJsonl, streamAuditLines } from './read-audit-entries.js';
export type { AuditJsonlBatch, AuditLinesBatch, ReadAuditEntriesOptions, ReadAuditEntriesResult, ReadSkipCounts, StreamAuditEntriesOptions } from './read-audit-entries.js';
export { parseReadFilters } from './parse-read-filters.js';
export { decodeOpaqueCursor, encodeOpaqueCursor } from './opaque-cursor.js';
export type { ParsedReadFilters, ReadFilters, TimeBound } from './parse-read-filters.js';
export { SEAM_NAMES, isSeamName } from '../envelope/seam-names.js';
export { AUDIT_ROW_PREFIX } from '../envelope/row-layout.js';
export { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
export { loadEnvelopeSchema, loadedEnvelopeSchema } from './load-envelope-schema.js';
export type { AuditEnvelopeSchema } from './load-envelope-schema.js';
export type { AuditEnvelope } from '../envelope/audit-envelope.js';
export type { SeamName } from '../envelope/seam-names.js';
export { resolveAuditLogPath } from '../sink/resolve-audit-log-path.js';
export { escapeJsonControls, hasJsonControls } from '../format/escape-json-controls.js';
export { readErrorCode } from '../format/read-error-code.js';
