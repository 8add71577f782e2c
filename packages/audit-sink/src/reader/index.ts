// `@kora/audit-sink/reader`: what a program that only reads audit files needs, without the
// sink and its logger, so a command-line reader starts faster.
export { readAuditEntries, streamAuditEntries, streamAuditJsonl, streamAuditLines } from './read-audit-entries.js';
export type {
  AuditJsonlBatch,
  AuditLinesBatch,
  LiveFileEnd,
  ReadAuditEntriesOptions,
  ReadAuditEntriesResult,
  ReadSkipCounts,
  StreamAuditEntriesOptions,
} from './read-audit-entries.js';
export { parseReadFilters } from './parse-read-filters.js';
export { classifyAuditLine, classifyAuditLineNow } from './classify-audit-line.js';
export type { AuditLineClass, ClassifyAuditLineOptions } from './classify-audit-line.js';
export {
  MAX_SIBLINGS,
  ROTATION_QUIET_MS,
  identityOf,
  listChain,
  locateInChain,
  openChainFile,
  sameIdentity,
  siblingPath,
  statChainFile,
} from './audit-file-chain.js';
export type { ChainFile, FileIdentity, OpenChainFile } from './audit-file-chain.js';
export { decodeOpaqueCursor, encodeOpaqueCursor } from './opaque-cursor.js';
// For a reader that walks every row on its bytes and accounts for each writer's sequence.
export { hasRowPrefix, readSinkRowBytes } from './check-sink-row-bytes.js';
export { readSinkRowWriter } from './read-sink-row-writer.js';
export type { SinkRowWriter } from './read-sink-row-writer.js';
export { loadLifecycleSchemas } from './load-lifecycle-schemas.js';
export type { LifecycleSchemas } from './load-lifecycle-schemas.js';
export type { AuditOpenedDetails } from '../lifecycle/audit-opened.js';
export type { AuditLostDetails } from '../lifecycle/audit-lost.js';
export type { AuditClosedDetails } from '../lifecycle/audit-closed.js';
export { CLOSE_TRIGGERS, LOSS_REASONS } from '../lifecycle/loss-reasons.js';
// Runs of sequence numbers, as a writer's audit.lost rows name them.
export { addRange, countSeqsWithin } from '../lifecycle/seq-ranges.js';
export type { SeqRange } from '../lifecycle/seq-ranges.js';
export type { CloseTrigger, LossReason } from '../lifecycle/loss-reasons.js';
export type { ParsedReadFilters, ReadFilters, TimeBound } from './parse-read-filters.js';
export { LIFECYCLE_SEAM_NAMES, SEAM_NAMES, isSeamName } from '../envelope/seam-names.js';
// The hand check behind `classifyAuditLine`, for benchmarks that weigh it against a parse.
export { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
export type { AuditEnvelope } from '../envelope/audit-envelope.js';
export type { SeamName } from '../envelope/seam-names.js';
export { resolveAuditLogPath } from '../sink/resolve-audit-log-path.js';
export { escapeJsonControls, hasJsonControls } from '../format/escape-json-controls.js';
export { readErrorCode } from '../format/read-error-code.js';
