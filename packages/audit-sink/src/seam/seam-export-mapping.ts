/**
 * How a seam's rows are exported to the schemas security tools read: OpenTelemetry log
 * records, OCSF events and ECS documents. A mapping is data, not code, so that the allow-list
 * gate can lock it beside the allow-list and a reviewer can read every exported field.
 *
 * The exporter writes the fields every row has (times, ids, severity, the verbatim line, the
 * product); a seam's mapping adds what its details mean in each schema. A mapping never names
 * a value itself, only where it comes from: a details field, an envelope field or a constant.
 */

/** A scalar a mapping may name as a constant or as the image of a details value. */
export type ExportScalar = string | number | boolean;

/** Where one exported value comes from. A source that yields nothing leaves the field out. */
export type ExportSource =
  /** A details field as it is (strings, numbers, booleans, arrays of them, or a flat object). */
  | { readonly detail: string }
  /** A details field's value looked up in a table; a value not in it gives `otherwise`, or nothing. */
  | { readonly detail: string; readonly map: Readonly<Record<string, ExportScalar>>; readonly otherwise?: ExportScalar }
  /** What follows `after` in a string details field, when the field starts with it (`error:` → the error's name). */
  | { readonly detail: string; readonly after: string }
  /** A number details field times `scale` (milliseconds → nanoseconds: 1e6). */
  | { readonly detail: string; readonly scale: number }
  /** An envelope field: the row's source or its caller session, when not null. */
  | { readonly row: 'source' | 'caller_session_id' }
  /** A fixed value. */
  | { readonly constant: ExportScalar }
  /** The first of these that yields a value (a field, else what an older row's other field implies). */
  | { readonly first: readonly ExportSource[] };

/**
 * What a row says happened, for severities and outcomes: `success`; `denied` (refused by
 * policy); `failure` (an input rejected or a delivery that failed); `error` (a tool or
 * component failed); `unknown` (not finished or not known).
 */
export type ExportOutcome = 'success' | 'denied' | 'failure' | 'error' | 'unknown';

/** Every outcome, in the order of the type. */
export const EXPORT_OUTCOMES = ['success', 'denied', 'failure', 'error', 'unknown'] as const satisfies readonly ExportOutcome[];

/** A rule of {@link SeamExportMapping.outcome}: a string details field equal to, or starting with, a value. */
export interface ExportOutcomeRule {
  readonly detail: string;
  readonly equals?: string;
  readonly prefix?: string;
  readonly outcome: ExportOutcome;
}

/** Dotted field paths (`api.service.name`) of one schema, each with where its value comes from. */
export type ExportFields = Readonly<Record<string, ExportSource>>;

/** A seam's export mapping; see the module comment. */
export interface SeamExportMapping {
  /** The row's outcome: the first rule that matches, else `otherwise`. */
  readonly outcome: { readonly rules: readonly ExportOutcomeRule[]; readonly otherwise: ExportOutcome };
  /** OpenTelemetry: log record attributes (semantic-convention names, e.g. `gen_ai.tool.name`). */
  readonly otel: { readonly attributes: ExportFields };
  /** OCSF: the event class and activity, and the class's fields (e.g. `api.operation`). */
  readonly ocsf: {
    readonly class_uid: number;
    readonly activity_id: ExportSource;
    /** The activity's caption when `activity_id` is 99 (Other). */
    readonly activity_name?: ExportSource;
    readonly fields: ExportFields;
  };
  /**
   * ECS: `event.category`, `event.type` (the exporter adds `allowed`, `denied` or `error` by
   * outcome) and fields. `event.action` is the seam's name.
   */
  readonly ecs: {
    readonly category: readonly string[];
    readonly type: readonly string[];
    readonly fields: ExportFields;
  };
}

const FIELD_PATH = /^(?:@timestamp|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/;

/**
 * Every problem with a mapping for a seam whose details have `detailKeys`: sources naming a
 * field the allow-list does not have, malformed paths, rules that cannot match. Empty when
 * the mapping is sound.
 */
export function checkExportMapping(mapping: SeamExportMapping, detailKeys: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const checkSource = (where: string, source: ExportSource): void => {
    if ('first' in source) {
      if (source.first.length === 0) problems.push(`${where}: 'first' must list a source`);
      for (const [index, inner] of source.first.entries()) checkSource(`${where}.first[${index}]`, inner);
      return;
    }
    if ('detail' in source && !detailKeys.has(source.detail)) problems.push(`${where}: '${source.detail}' is not a details field`);
    if ('after' in source && source.after === '') problems.push(`${where}: 'after' must not be empty`);
    if ('scale' in source && !(Number.isFinite(source.scale) && source.scale > 0))
      problems.push(`${where}: 'scale' must be a positive number`);
  };
  const checkFields = (schema: string, fields: ExportFields): void => {
    for (const [path, source] of Object.entries(fields)) {
      if (!FIELD_PATH.test(path)) problems.push(`${schema}.${path}: not a dotted field path`);
      checkSource(`${schema}.${path}`, source);
    }
  };
  for (const [index, rule] of mapping.outcome.rules.entries()) {
    if (!detailKeys.has(rule.detail)) problems.push(`outcome.rules[${index}]: '${rule.detail}' is not a details field`);
    if ((rule.equals === undefined) === (rule.prefix === undefined))
      problems.push(`outcome.rules[${index}]: give exactly one of equals and prefix`);
  }
  checkFields('otel', mapping.otel.attributes);
  if (!Number.isInteger(mapping.ocsf.class_uid) || mapping.ocsf.class_uid <= 0) problems.push('ocsf.class_uid: must be a positive integer');
  checkSource('ocsf.activity_id', mapping.ocsf.activity_id);
  if (mapping.ocsf.activity_name !== undefined) checkSource('ocsf.activity_name', mapping.ocsf.activity_name);
  checkFields('ocsf', mapping.ocsf.fields);
  checkFields('ecs', mapping.ecs.fields);
  return problems;
}
