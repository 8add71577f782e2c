import type { ExportContext, ExportRow } from '../mapping/export-row.js';
import { OUTCOME_TERMS } from '../mapping/export-outcomes.js';
import { formatVerbatimLine } from '../mapping/format-verbatim-line.js';
import { readExportOutcome } from '../mapping/read-export-outcome.js';
import { resolveExportSource } from '../mapping/resolve-export-source.js';
import { setFieldPath } from '../mapping/set-field-path.js';
import type { FieldTree } from '../mapping/set-field-path.js';

/** The ECS version the documents follow. */
export const ECS_VERSION = '9.0.0';

// ECS `log.level` by OpenTelemetry severity text.
const LOG_LEVELS: Readonly<Record<string, string>> = { INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * A row as an ECS document: `@timestamp` from `emitted_at`, `message` the verbatim line, the
 * `event.*` categorization (kind, category, type, action = the seam, outcome, id = the row id,
 * `original` = the row as written when kept, `hash` = the seal's leaf hash of it when the log is sealed),
 * trace and span ids, and the seam's mapped fields (ECS field sets where they fit, `kora.*`
 * for the rest).
 */
export function toEcsDocument(row: ExportRow, context: ExportContext): FieldTree {
  const { entry, seam } = row;
  const mapping = seam.exportMapping;
  const terms = OUTCOME_TERMS[readExportOutcome(mapping, entry)];
  const types = [...(mapping?.ecs.type ?? ['info'])];
  // `allowed` and `denied` are the expected types of an API call's outcome; a denial is named
  // whatever the category, so that a search for denied events finds every one.
  const category = mapping?.ecs.category ?? [];
  const outcomeType = terms.ecsType === 'allowed' && !category.includes('api') ? undefined : terms.ecsType;
  if (outcomeType !== undefined && !types.includes(outcomeType)) types.push(outcomeType);
  const document: FieldTree = {
    '@timestamp': entry.emitted_at,
    message: formatVerbatimLine(row),
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: [...category],
      type: types,
      action: seam.name,
      outcome: terms.ecsOutcome,
      id: entry.id,
      severity: terms.severityNumber,
      dataset: 'kora.audit',
      provider: 'kora-audit',
      created: entry.emitted_at,
      ingested: new Date(context.now()).toISOString(),
      ...(context.keepOriginal === true ? { original: row.text } : {}),
      ...(row.leafHash !== undefined ? { hash: row.leafHash } : {}),
    },
    log: { level: LOG_LEVELS[terms.severityText] ?? 'info', logger: `kora.${seam.name}`, file: { path: context.logPath } },
    host: { name: context.hostName },
    service: { name: context.serviceName },
    agent: { type: 'kora-audit', version: context.productVersion },
    ...(entry.trace_id !== undefined && entry.span_id !== undefined ? { trace: { id: entry.trace_id }, span: { id: entry.span_id } } : {}),
    kora: {
      seam: seam.name,
      ...(entry.source !== null ? { source: entry.source } : {}),
      ...(entry.writer !== undefined ? { writer: entry.writer } : {}),
      ...(entry.seq !== undefined ? { seq: entry.seq } : {}),
    },
  };
  // The seam's fields may refine `service.name` (a listener) or `log.file.path`: theirs win.
  for (const [path, source] of Object.entries(mapping?.ecs.fields ?? {})) {
    const value = resolveExportSource(source, entry);
    if (value !== undefined) setFieldPath(document, path, value, true);
  }
  return document;
}
