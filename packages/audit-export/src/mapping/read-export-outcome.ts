import type { AuditEnvelope, ExportOutcome, SeamExportMapping } from '@kora/audit-sink';

/** The row's outcome under its seam's mapping: the first rule that matches, else the mapping's `otherwise`. */
export function readExportOutcome(mapping: SeamExportMapping | undefined, entry: AuditEnvelope): ExportOutcome {
  if (mapping === undefined) return 'unknown';
  for (const rule of mapping.outcome.rules) {
    const value = entry.details[rule.detail];
    if (typeof value !== 'string') continue;
    if (rule.equals !== undefined ? value === rule.equals : rule.prefix !== undefined && value.startsWith(rule.prefix)) return rule.outcome;
  }
  return mapping.outcome.otherwise;
}
