import type { Seam } from '@kora/audit-sink';
import type { ExportContext, ExportRow } from '../mapping/export-row.js';
import { OUTCOME_TERMS } from '../mapping/export-outcomes.js';
import type { OutcomeTerms } from '../mapping/export-outcomes.js';
import { formatVerbatimLine } from '../mapping/format-verbatim-line.js';
import { recordFormat } from '../mapping/record-format.js';
import { readExportOutcome } from '../mapping/read-export-outcome.js';
import type { RecordTemplate, TemplateField } from '../mapping/record-template.js';
import { resolveExportSource } from '../mapping/resolve-export-source.js';
import type { FieldTree } from '../mapping/set-field-path.js';
import { OCSF_VERSION } from '../ocsf/ocsf-version.js';

// The activity id of "Other": its caption comes from the mapping.
const OTHER_ACTIVITY = 99;

/** What an OCSF event's fields take from a row, worked out once per row. */
interface OcsfRow {
  readonly row: ExportRow;
  readonly terms: OutcomeTerms;
  readonly time: number;
  readonly activityId: number;
}

/**
 * How a seam's rows become OCSF events of its class: activity, type, status and severity by
 * outcome, `time` from `emitted_at`, `message` the verbatim line, `raw_data` the row as written
 * (when kept), and `metadata` with the row id as `uid`, the product, the log's name and the
 * original time. The seam's mapping adds its class's fields; the seal's leaf hash, which OCSF
 * has no field for, goes to `unmapped.leaf_hash`. A field already set keeps its value.
 */
function ocsfTemplate(seam: Seam, context: ExportContext): RecordTemplate<ExportRow, OcsfRow> {
  const mapping = seam.exportMapping;
  const classUid = mapping?.ocsf.class_uid ?? 0;
  const activityName = mapping?.ocsf.activity_name;
  const value = (path: string, read: (derived: OcsfRow) => unknown): TemplateField<OcsfRow> => ({ path, value: read });
  const constant = (path: string, held: unknown): TemplateField<OcsfRow> => ({ path, constant: held });
  const fields: TemplateField<OcsfRow>[] = [
    value('activity_id', ({ activityId }) => activityId),
    value('activity_name', ({ row }) => {
      const name = activityName === undefined ? undefined : resolveExportSource(activityName, row.entry);
      return typeof name === 'string' ? name : undefined;
    }),
    constant('category_uid', Math.floor(classUid / 1000)),
    constant('class_uid', classUid),
    value('type_uid', ({ activityId }) => classUid * 100 + activityId),
    value('severity_id', ({ terms }) => terms.ocsfSeverityId),
    value('severity', ({ terms }) => terms.ocsfSeverity),
    value('status_id', ({ terms }) => terms.ocsfStatusId),
    value('status', ({ terms }) => terms.ocsfStatus),
    value('time', ({ time }) => time),
    value('message', ({ row }) => formatVerbatimLine(row)),
    ...(context.keepOriginal === true ? [value('raw_data', ({ row }) => row.text)] : []),
    constant('metadata.version', OCSF_VERSION),
    value('metadata.uid', ({ row }) => row.entry.id),
    constant('metadata.product.name', 'kora-audit'),
    constant('metadata.product.vendor_name', 'Kora'),
    constant('metadata.product.version', context.productVersion),
    constant('metadata.log_name', context.logPath),
    constant('metadata.log_provider', 'kora-audit'),
    constant('metadata.event_code', seam.name),
    value('metadata.original_time', ({ row }) => row.entry.emitted_at),
    value('metadata.logged_time', ({ time }) => time),
    value('metadata.processed_time', () => context.now()),
    value('metadata.sequence', ({ row }) => row.entry.seq),
    value('metadata.correlation_uid', ({ row }) => row.entry.trace_id),
    ...Object.entries(mapping?.ocsf.fields ?? {}).map(([path, source]) => value(path, ({ row }) => resolveExportSource(source, row.entry))),
    value('unmapped.writer', ({ row }) => row.entry.writer),
    value('unmapped.leaf_hash', ({ row }) => row.leafHash),
  ];
  return {
    derive: (row) => {
      const activityId = mapping === undefined ? undefined : resolveExportSource(mapping.ocsf.activity_id, row.entry);
      return {
        row,
        terms: OUTCOME_TERMS[readExportOutcome(mapping, row.entry)],
        time: Date.parse(row.entry.emitted_at),
        activityId: typeof activityId === 'number' && Number.isInteger(activityId) ? activityId : OTHER_ACTIVITY,
      };
    },
    fields,
    replace: false,
  };
}

const format = recordFormat(ocsfTemplate);

/** A row as an OCSF event of its seam's class; see {@link ocsfTemplate} for its fields. */
export function toOcsfEvent(row: ExportRow, context: ExportContext): FieldTree {
  return format.build(row, context);
}

/**
 * A writer of rows as OCSF events' JSON text: the text of {@link toOcsfEvent}'s event, written
 * without building it (each seam's template is compiled once).
 */
export function createOcsfEventWriter(context: ExportContext): (row: ExportRow) => string {
  return format.createWriter(context);
}
