import type { SeamExportMapping } from '../seam/seam-export-mapping.js';

// The audit file's own lifecycle, as the schemas model a log's: OCSF Event Log Activity (1008)
// with Start, Stop and Other; ECS `process` events; OpenTelemetry records with the log file's
// semantic-convention attributes. Locked by the allow-list gate with the allow-lists.

/** How `audit.opened` rows are exported: a writer started writing the audit file. */
export const auditOpenedExport = {
  outcome: { rules: [], otherwise: 'success' },
  otel: {
    attributes: {
      'log.file.path': { detail: 'path' },
      'process.pid': { detail: 'pid' },
    },
  },
  ocsf: {
    class_uid: 1008,
    activity_id: { constant: 6 },
    activity_name: { constant: 'Start' },
    fields: {
      log_name: { detail: 'path' },
      log_provider: { constant: 'kora-audit' },
      'device.hostname': { detail: 'host' },
      'device.type_id': { constant: 0 },
      'actor.process.pid': { detail: 'pid' },
      'unmapped.mode': { detail: 'mode' },
      'unmapped.failure': { detail: 'failure' },
      'unmapped.batch_size': { detail: 'batch_size' },
      'unmapped.version': { detail: 'version' },
    },
  },
  ecs: {
    category: ['process'],
    type: ['start'],
    fields: {
      'log.file.path': { detail: 'path' },
      'host.hostname': { detail: 'host' },
      'process.pid': { detail: 'pid' },
      'service.version': { detail: 'version' },
      'kora.audit.mode': { detail: 'mode' },
      'kora.audit.failure': { detail: 'failure' },
      'kora.audit.batch_size': { detail: 'batch_size' },
    },
  },
} as const satisfies SeamExportMapping;

/** How `audit.lost` rows are exported: rows a writer made but could not write. */
export const auditLostExport = {
  outcome: { rules: [], otherwise: 'failure' },
  otel: { attributes: { 'error.type': { detail: 'reason' } } },
  ocsf: {
    class_uid: 1008,
    activity_id: { constant: 99 },
    activity_name: { constant: 'Rows Lost' },
    fields: {
      log_provider: { constant: 'kora-audit' },
      status_detail: { detail: 'reason' },
      'unmapped.rows': { detail: 'rows' },
      'unmapped.ranges': { detail: 'ranges' },
    },
  },
  ecs: {
    category: ['process'],
    type: ['info'],
    fields: {
      'event.reason': { detail: 'reason' },
      'error.type': { detail: 'reason' },
      'kora.audit.rows_lost': { detail: 'rows' },
    },
  },
} as const satisfies SeamExportMapping;

/** How `audit.closed` rows are exported: a writer stopped, with its final counts. */
export const auditClosedExport = {
  outcome: { rules: [], otherwise: 'success' },
  otel: { attributes: {} },
  ocsf: {
    class_uid: 1008,
    activity_id: { constant: 7 },
    activity_name: { constant: 'Stop' },
    fields: {
      log_provider: { constant: 'kora-audit' },
      status_detail: { detail: 'trigger' },
      'unmapped.rows_made': { detail: 'rows_made' },
      'unmapped.rows_written': { detail: 'rows_written' },
      'unmapped.last_seq': { detail: 'last_seq' },
      'unmapped.rows_lost': { detail: 'rows_lost' },
    },
  },
  ecs: {
    category: ['process'],
    type: ['end'],
    fields: {
      'event.reason': { detail: 'trigger' },
      'kora.audit.rows_made': { detail: 'rows_made' },
      'kora.audit.rows_written': { detail: 'rows_written' },
      'kora.audit.last_seq': { detail: 'last_seq' },
    },
  },
} as const satisfies SeamExportMapping;
