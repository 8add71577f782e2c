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

/** The ECS version the documents follow. */
export const ECS_VERSION = '9.0.0';

// ECS `log.level` by OpenTelemetry severity text.
const LOG_LEVELS: Readonly<Record<string, string>> = { INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** What an ECS document's fields take from a row, worked out once per row. */
interface EcsRow {
  readonly row: ExportRow;
  readonly terms: OutcomeTerms;
}

/**
 * How a seam's rows become ECS documents: `@timestamp` from `emitted_at`, `message` the
 * verbatim line, the `event.*` categorization (kind, category, type, action = the seam,
 * outcome, id = the row id, `original` = the row as written when kept, `hash` = the seal's
 * leaf hash of it when the log is sealed), trace and span ids, and the seam's mapped fields
 * (ECS field sets where they fit, `kora.*` for the rest). The seam's fields may refine
 * `service.name` (a listener) or `log.file.path`: the last field that holds a value wins.
 */
function ecsTemplate(seam: Seam, context: ExportContext): RecordTemplate<ExportRow, EcsRow> {
  const mapping = seam.exportMapping;
  const category = mapping?.ecs.category ?? [];
  const baseTypes = mapping?.ecs.type ?? ['info'];
  const value = (path: string, read: (derived: EcsRow) => unknown): TemplateField<EcsRow> => ({ path, value: read });
  const constant = (path: string, held: unknown): TemplateField<EcsRow> => ({ path, constant: held });
  // `allowed` and `denied` are the expected types of an API call's outcome; a denial is named
  // whatever the category, so that a search for denied events finds every one.
  const eventTypes = (terms: OutcomeTerms): string[] => {
    const types = [...baseTypes];
    const outcomeType = terms.ecsType === 'allowed' && !category.includes('api') ? undefined : terms.ecsType;
    if (outcomeType !== undefined && !types.includes(outcomeType)) types.push(outcomeType);
    return types;
  };
  const traced = (row: ExportRow): boolean => row.entry.trace_id !== undefined && row.entry.span_id !== undefined;
  const fields: TemplateField<EcsRow>[] = [
    value('@timestamp', ({ row }) => row.entry.emitted_at),
    value('message', ({ row }) => formatVerbatimLine(row)),
    constant('ecs.version', ECS_VERSION),
    constant('event.kind', 'event'),
    constant('event.category', [...category]),
    value('event.type', ({ terms }) => eventTypes(terms)),
    constant('event.action', seam.name),
    value('event.outcome', ({ terms }) => terms.ecsOutcome),
    value('event.id', ({ row }) => row.entry.id),
    value('event.severity', ({ terms }) => terms.severityNumber),
    constant('event.dataset', 'kora.audit'),
    constant('event.provider', 'kora-audit'),
    value('event.created', ({ row }) => row.entry.emitted_at),
    value('event.ingested', () => new Date(context.now()).toISOString()),
    ...(context.keepOriginal === true ? [value('event.original', ({ row }) => row.text)] : []),
    value('event.hash', ({ row }) => row.leafHash),
    value('log.level', ({ terms }) => LOG_LEVELS[terms.severityText] ?? 'info'),
    constant('log.logger', `kora.${seam.name}`),
    constant('log.file.path', context.logPath),
    constant('host.name', context.hostName),
    constant('service.name', context.serviceName),
    constant('agent.type', 'kora-audit'),
    constant('agent.version', context.productVersion),
    value('trace.id', ({ row }) => (traced(row) ? row.entry.trace_id : undefined)),
    value('span.id', ({ row }) => (traced(row) ? row.entry.span_id : undefined)),
    constant('kora.seam', seam.name),
    value('kora.source', ({ row }) => row.entry.source ?? undefined),
    value('kora.writer', ({ row }) => row.entry.writer),
    value('kora.seq', ({ row }) => row.entry.seq),
    ...Object.entries(mapping?.ecs.fields ?? {}).map(([path, source]) => value(path, ({ row }) => resolveExportSource(source, row.entry))),
  ];
  return {
    derive: (row) => ({ row, terms: OUTCOME_TERMS[readExportOutcome(mapping, row.entry)] }),
    fields,
    replace: true,
  };
}

const format = recordFormat(ecsTemplate);

/** A row as an ECS document; see {@link ecsTemplate} for its fields. */
export function toEcsDocument(row: ExportRow, context: ExportContext): FieldTree {
  return format.build(row, context);
}

/**
 * A writer of rows as ECS documents' JSON text: the text of {@link toEcsDocument}'s document, written
 * without building it (each seam's template is compiled once).
 */
export function createEcsDocumentWriter(context: ExportContext): (row: ExportRow) => string {
  return format.createWriter(context);
}
