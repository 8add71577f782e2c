import type { z } from 'zod';
import type { AuditSource, SeamName } from '../envelope/seam-names.js';
import { isSeamName } from '../envelope/seam-names.js';
import { checkExportMapping } from './seam-export-mapping.js';
import type { SeamExportMapping } from './seam-export-mapping.js';

/**
 * What kind of value a detail field carries. Reviewers read these: every class here is
 * meant to be unable to carry user text, secrets or personal data.
 */
export const FIELD_CLASSIFICATIONS = [
  'identifier',
  'machine_code',
  'count',
  'duration',
  'timestamp',
  'network',
  'key_names',
  'header_summary',
  'file_path',
] as const;

/** One of the field classifications. */
export type FieldClassification = (typeof FIELD_CLASSIFICATIONS)[number];

/** One allow-listed detail field, documented for reviewers and for the allow-list lock. */
export interface SeamField {
  /** The key in `details`. */
  readonly key: string;
  /** What kind of value it is. */
  readonly classification: FieldClassification;
  /** One sentence on what it records. */
  readonly description: string;
}

/** The log level of a seam's verbatim line. */
export type SeamLevel = 'info' | 'warn';

/** Context a verbatim line may include besides the details. */
export interface LineContext {
  /** The caller's session, or null/undefined when unknown. */
  readonly caller_session_id?: string | null | undefined;
  /** The writer that makes the row (the core's `audit.*` lines print it); seams may ignore it. */
  readonly writer?: string | undefined;
}

/** Any zod object schema usable as a seam's details allow-list. */
export type DetailsSchema = z.ZodObject<z.ZodRawShape>;

/** What a seam package declares. */
export interface SeamDefinition<TSchema extends DetailsSchema> {
  /** The registered seam name, e.g. `mcp.tool_called`. */
  readonly name: SeamName;
  /** The level of the verbatim line. */
  readonly level: SeamLevel;
  /** The source written into rows when the caller names none. */
  readonly source: AuditSource | null;
  /** The allow-list with types: a zod strict object. */
  readonly details: TSchema;
  /** Every key of `details`, with its classification. */
  readonly fields: readonly SeamField[];
  /**
   * The verbatim `[kora.<seam>] key=value` line. Pure and total: it formats any input,
   * validated or not, and never throws.
   */
  readonly formatLine: (details: Readonly<Record<string, unknown>>, context?: LineContext) => string;
  /**
   * How the seam's rows are exported as OpenTelemetry log records, OCSF events and ECS
   * documents. Locked by the allow-list gate with the allow-list: changing how a field is
   * exported is a reviewed change. Without one, rows export with the common fields only.
   */
  readonly exportMapping?: SeamExportMapping;
}

declare const seamBrand: unique symbol;

/**
 * Every descriptor {@link defineSeam} has made. Shared through a global symbol so that two
 * copies of this package in one process (a duplicated dependency) still recognize each
 * other's seams; a copied or hand-made object is never in it.
 */
const registryKey = Symbol.for('kora.audit-sink.defined-seams');
const definedSeams: WeakSet<object> = ((globalThis as Record<symbol, unknown>)[registryKey] ??= new WeakSet<object>()) as WeakSet<object>;

/** A seam descriptor made by {@link defineSeam}. */
export interface Seam<TSchema extends DetailsSchema = DetailsSchema> extends SeamDefinition<TSchema> {
  readonly [seamBrand]: true;
}

/** The details type of a seam. */
export type SeamDetails<TSeam> = TSeam extends Seam<infer S> ? z.infer<S> : never;

/**
 * Declare a seam. Throws (a bug in the seam package, caught by its tests) when the name is
 * not registered, the details schema is not strict, or `fields` does not list exactly the
 * schema's keys.
 */
export function defineSeam<TSchema extends DetailsSchema>(definition: SeamDefinition<TSchema>): Seam<TSchema> {
  if (!isSeamName(definition.name)) {
    throw new Error(`defineSeam: '${String(definition.name)}' is not a registered seam name`);
  }
  if (!isStrictObject(definition.details)) {
    throw new Error(`defineSeam(${definition.name}): details must be a z.strictObject`);
  }
  const schemaKeys = Object.keys(definition.details.shape).sort();
  const fieldKeys = definition.fields.map((field) => field.key).sort();
  if (schemaKeys.join('\0') !== fieldKeys.join('\0')) {
    throw new Error(
      `defineSeam(${definition.name}): fields [${fieldKeys.join(', ')}] must list exactly the details keys [${schemaKeys.join(', ')}]`,
    );
  }
  if (definition.exportMapping !== undefined) {
    const problems = checkExportMapping(definition.exportMapping, new Set(schemaKeys));
    if (problems.length > 0) throw new Error(`defineSeam(${definition.name}): exportMapping: ${problems.join('; ')}`);
  }
  const seam = Object.freeze({ ...definition, fields: Object.freeze([...definition.fields]) }) as Seam<TSchema>;
  definedSeams.add(seam);
  return seam;
}

/** Whether `value` is a descriptor made by {@link defineSeam}. */
export function isSeam(value: unknown): value is Seam {
  return typeof value === 'object' && value !== null && definedSeams.has(value);
}

function isStrictObject(schema: DetailsSchema): boolean {
  // zod 4 models `strictObject` as an object whose catchall is `never`.
  const catchall = schema.def.catchall;
  return catchall !== undefined && catchall._zod.def.type === 'never';
}
