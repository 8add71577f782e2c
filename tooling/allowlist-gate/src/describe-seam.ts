import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { GatedSeam } from './gated-seams.js';
import { describeExportMapping } from './describe-export-mapping.js';
import type { LockedExport } from './describe-export-mapping.js';
import { describeFieldType } from './describe-field-type.js';
import type { FieldType } from './describe-field-type.js';

/** One allow-listed field as the lock records it. */
export interface LockedField {
  readonly key: string;
  readonly classification: string;
  readonly required: boolean;
  readonly type: FieldType;
}

/** What the code says a seam may record and how it is exported, and their digest. */
export interface SeamAllowlist {
  readonly seam: string;
  readonly package: string;
  readonly digest: string;
  readonly fields: readonly LockedField[];
  /** The export mapping, or null when the seam has none. */
  readonly export: LockedExport | null;
}

/** Describe a seam's allow-list and export mapping from its descriptor: fields sorted by key. */
export function describeSeam({ seam, packageName }: GatedSeam): SeamAllowlist {
  const schema = z.toJSONSchema(seam.details, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const classifications = new Map(seam.fields.map((field) => [field.key, field.classification]));
  const fields = Object.keys(schema.properties ?? {})
    .sort()
    .map((key) => ({
      key,
      classification: classifications.get(key) ?? 'unclassified',
      required: required.has(key),
      type: describeFieldType(schema.properties?.[key]),
    }));
  const exportMapping = describeExportMapping(seam.exportMapping);
  return { seam: seam.name, package: packageName, digest: digestSeam(fields, exportMapping), fields, export: exportMapping };
}

/**
 * The digest a seam's lock entry carries. Without an export mapping it is the fields' digest,
 * as before mappings existed, so the reviews of such seams stay valid; with one it covers
 * `{ export, fields }`. The canonical forms differ in their first byte (`[` against `{`), so
 * no entry's fields alone can share a digest with fields and a mapping.
 */
export function digestSeam(fields: readonly LockedField[], exportMapping: unknown): string {
  if (exportMapping === null || exportMapping === undefined) return digestFields(fields);
  return `sha256:${createHash('sha256')
    .update(canonicalJson({ export: exportMapping, fields }))
    .digest('hex')}`;
}

/** `sha256:<hex>` of the fields in canonical JSON (keys sorted at every level). */
export function digestFields(fields: readonly LockedField[]): string {
  return `sha256:${createHash('sha256').update(canonicalJson(fields)).digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
