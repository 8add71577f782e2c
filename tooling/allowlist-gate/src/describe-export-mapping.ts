import type { SeamExportMapping } from '@kora/audit-sink';

/** A JSON value as the lock stores it. */
export type LockedJson = string | number | boolean | null | readonly LockedJson[] | { readonly [key: string]: LockedJson };

/** A seam's export mapping as the lock records it: plain JSON, object keys sorted at every level. */
export type LockedExport = { readonly [key: string]: LockedJson };

/**
 * The lock's form of a seam's export mapping, or null when the seam has none. Keys are sorted
 * and absent optional members dropped, so the same mapping always yields the same data (and
 * digest) however its source spells it. Throws on a value JSON cannot hold — a bug in the seam
 * package, named by its path.
 */
export function describeExportMapping(mapping: SeamExportMapping | undefined): LockedExport | null {
  if (mapping === undefined) return null;
  return toLockedJson(mapping, 'exportMapping') as LockedExport;
}

function toLockedJson(value: unknown, path: string): LockedJson {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path}: ${String(value)} is not a JSON number`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => toLockedJson(item, `${path}[${index}]`));
  const prototype: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    const entries = Object.entries(value as object as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, toLockedJson(item, `${path}.${key}`)]));
  }
  throw new Error(`${path}: a ${typeof value} is not JSON data`);
}
