import type { ExportContext, ExportRow } from '../mapping/export-row.js';
import { OUTCOME_TERMS } from '../mapping/export-outcomes.js';
import { formatVerbatimLine } from '../mapping/format-verbatim-line.js';
import { readExportOutcome } from '../mapping/read-export-outcome.js';
import { resolveExportSource } from '../mapping/resolve-export-source.js';
import { setFieldPath } from '../mapping/set-field-path.js';
import type { FieldTree } from '../mapping/set-field-path.js';
import { OCSF_VERSION } from '../ocsf/ocsf-version.js';

// The activity id of "Other": its caption comes from the mapping.
const OTHER_ACTIVITY = 99;

/**
 * A row as an OCSF event of its seam's class: activity, type, status and severity by outcome,
 * `time` from `emitted_at`, `message` the verbatim line, `raw_data` the row as written (when kept), and
 * `metadata` with the row id as `uid`, the product, the log's name and the original time. The
 * seam's mapping adds its class's fields; the seal's leaf hash, which OCSF has no field for,
 * goes to `unmapped.leaf_hash`.
 */
export function toOcsfEvent(row: ExportRow, context: ExportContext): FieldTree {
  const { entry, seam } = row;
  const mapping = seam.exportMapping;
  const terms = OUTCOME_TERMS[readExportOutcome(mapping, entry)];
  const time = Date.parse(entry.emitted_at);
  const classUid = mapping?.ocsf.class_uid ?? 0;
  const activityId = toInteger(mapping === undefined ? undefined : resolveExportSource(mapping.ocsf.activity_id, entry)) ?? OTHER_ACTIVITY;
  const activityName = mapping?.ocsf.activity_name === undefined ? undefined : resolveExportSource(mapping.ocsf.activity_name, entry);
  const event: FieldTree = {
    activity_id: activityId,
    ...(typeof activityName === 'string' ? { activity_name: activityName } : {}),
    category_uid: Math.floor(classUid / 1000),
    class_uid: classUid,
    type_uid: classUid * 100 + activityId,
    severity_id: terms.ocsfSeverityId,
    severity: terms.ocsfSeverity,
    status_id: terms.ocsfStatusId,
    status: terms.ocsfStatus,
    time,
    message: formatVerbatimLine(row),
    ...(context.keepOriginal === true ? { raw_data: row.text } : {}),
    metadata: {
      version: OCSF_VERSION,
      uid: entry.id,
      product: { name: 'kora-audit', vendor_name: 'Kora', version: context.productVersion },
      log_name: context.logPath,
      log_provider: 'kora-audit',
      event_code: seam.name,
      original_time: entry.emitted_at,
      logged_time: time,
      processed_time: context.now(),
      ...(entry.seq !== undefined ? { sequence: entry.seq } : {}),
      ...(entry.trace_id !== undefined ? { correlation_uid: entry.trace_id } : {}),
    },
  };
  for (const [path, source] of Object.entries(mapping?.ocsf.fields ?? {})) {
    const value = resolveExportSource(source, entry);
    if (value !== undefined) setFieldPath(event, path, value);
  }
  if (entry.writer !== undefined) setFieldPath(event, 'unmapped.writer', entry.writer);
  if (row.leafHash !== undefined) setFieldPath(event, 'unmapped.leaf_hash', row.leafHash);
  return event;
}

function toInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
