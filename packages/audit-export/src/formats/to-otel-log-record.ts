import type { OtelLogRecord } from '../otel/otel-log-record.js';
import type { ExportContext, ExportRow } from '../mapping/export-row.js';
import { OUTCOME_TERMS } from '../mapping/export-outcomes.js';
import { formatVerbatimLine } from '../mapping/format-verbatim-line.js';
import { readExportOutcome } from '../mapping/read-export-outcome.js';
import { resolveExportSource } from '../mapping/resolve-export-source.js';
import type { ExportValue } from '../mapping/resolve-export-source.js';

type AttributeValue = OtelLogRecord['attributes'][string];

/**
 * A row as an OpenTelemetry log record: `timestamp` from `emitted_at`, `eventName`
 * `kora.<seam>`, severity by outcome, the details as the body, and as attributes the row id
 * (`log.record.uid`), the verbatim line (`log.record.original`), the seam's semantic-convention
 * attributes, the writer and sequence, and the seal's leaf hash when the log is sealed.
 */
export function toOtelLogRecord(row: ExportRow, context: ExportContext): OtelLogRecord {
  const { entry, seam } = row;
  const terms = OUTCOME_TERMS[readExportOutcome(seam.exportMapping, entry)];
  const attributes: Record<string, AttributeValue> = {};
  for (const [key, source] of Object.entries(seam.exportMapping?.otel.attributes ?? {})) {
    const value = toAttributeValue(resolveExportSource(source, entry));
    if (value !== undefined) attributes[key] = value;
  }
  attributes['log.record.uid'] = entry.id;
  attributes['log.record.original'] = formatVerbatimLine(row);
  if (entry.source !== null) attributes['kora.audit.source'] = entry.source;
  if (entry.writer !== undefined) attributes['kora.audit.writer'] = entry.writer;
  if (entry.seq !== undefined) attributes['kora.audit.seq'] = entry.seq;
  if (row.leafHash !== undefined) attributes['kora.audit.leaf_hash'] = row.leafHash;
  return {
    timeUnixMs: Date.parse(entry.emitted_at),
    observedTimeUnixMs: context.now(),
    severityNumber: terms.severityNumber,
    severityText: terms.severityText,
    eventName: `kora.${seam.name}`,
    body: entry.details,
    attributes,
    ...(entry.trace_id !== undefined && entry.span_id !== undefined ? { traceId: entry.trace_id, spanId: entry.span_id } : {}),
  };
}

/** Attributes hold scalars and arrays of one scalar type; anything else travels as JSON text. */
function toAttributeValue(value: ExportValue | undefined): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'string')) return value;
    if (value.every((item) => typeof item === 'number')) return value;
  }
  return JSON.stringify(value);
}
