import type { AuditEnvelope, ExportScalar, ExportSource } from '@kora/audit-sink';

/** An exported value: a scalar, an array of them, or a flat object (a header summary). */
export type ExportValue = ExportScalar | readonly unknown[] | Readonly<Record<string, unknown>>;

/** The value `source` yields for `entry`, or undefined when it yields none (the field is left out). */
export function resolveExportSource(source: ExportSource, entry: AuditEnvelope): ExportValue | undefined {
  if ('constant' in source) return source.constant;
  if ('first' in source) {
    for (const inner of source.first) {
      const value = resolveExportSource(inner, entry);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  if ('row' in source) {
    const value = entry[source.row];
    return value === null || value === undefined ? undefined : value;
  }
  const value = Object.hasOwn(entry.details, source.detail) ? entry.details[source.detail] : undefined;
  if (value === undefined || value === null) return undefined;
  if ('map' in source) {
    const mapped = typeof value === 'string' && Object.hasOwn(source.map, value) ? source.map[value] : undefined;
    return mapped ?? source.otherwise;
  }
  if ('after' in source) return typeof value === 'string' && value.startsWith(source.after) ? value.slice(source.after.length) : undefined;
  if ('scale' in source) return typeof value === 'number' ? Math.round(value * source.scale) : undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) || typeof value === 'object') return value as ExportValue;
  return undefined;
}
