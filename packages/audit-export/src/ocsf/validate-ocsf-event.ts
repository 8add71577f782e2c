import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { OCSF_VERSION } from './ocsf-version.js';

/** The outcome of validating one OCSF event: the errors name JSON pointers and keywords, never values. */
export type OcsfValidation = { readonly valid: true } | { readonly valid: false; readonly errors: readonly string[] };

/** The file, shipped at the package root, that the validator compiles. */
const SCHEMA_FILE = `ocsf-${OCSF_VERSION}-schema.json`;

/** The classes the export writes, by `class_uid`, with their `$defs` entry. */
const CLASS_DEFINITIONS: ReadonlyMap<number, string> = new Map([
  [6003, 'api_activity'],
  [4002, 'http_activity'],
  [1008, 'event_log'],
]);

/** More errors than this say nothing more to a reader and only grow the output. */
const MAX_ERRORS = 50;
/** Attribute names come from the event: a long one is cut, not echoed whole. */
const MAX_NAME_LENGTH = 64;

let compiled: ReadonlyMap<number, ValidateFunction> | undefined;

/**
 * Validate one event against the OCSF {@link OCSF_VERSION} JSON Schema shipped with this package,
 * choosing the class schema by `class_uid`. The schema is read and compiled once, on first use.
 * Never throws for a bad event: an event of an unknown class, or no object at all, is invalid.
 */
export function validateOcsfEvent(event: unknown): OcsfValidation {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { valid: false, errors: ['(root) type: must be an object'] };
  }
  const classUid: unknown = (event as Record<string, unknown>).class_uid;
  if (classUid === undefined) return { valid: false, errors: ['/class_uid required: is missing'] };
  const validate = typeof classUid === 'number' ? compiledValidators().get(classUid) : undefined;
  if (validate === undefined) {
    const known = [...CLASS_DEFINITIONS.keys()].join(', ');
    return { valid: false, errors: [`/class_uid enum: must be one of ${known} (the OCSF classes this export writes)`] };
  }
  if (validate(event)) return { valid: true };
  return { valid: false, errors: describeErrors(validate.errors ?? []) };
}

function compiledValidators(): ReadonlyMap<number, ValidateFunction> {
  if (compiled !== undefined) return compiled;
  const document = JSON.parse(readFileSync(findSchemaFile(), 'utf8')) as Record<string, unknown>;
  // Strict, except strictRequired: OCSF's at_least_one is an anyOf of `required` naming
  // properties declared beside the anyOf, not inside each branch. Verbose gives each error the
  // schema it failed (an anyOf's branches); the event data it also carries is never printed.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true });
  // ajv-formats is CommonJS: its default export is the plugin itself at run time.
  ajvFormats.default(ajv, ['ipv4', 'ipv6']);
  ajv.addSchema(document);
  const id = document.$id as string;
  const byClass = new Map<number, ValidateFunction>();
  for (const [classUid, name] of CLASS_DEFINITIONS) {
    const validate = ajv.getSchema(`${id}#/$defs/${name}`);
    if (validate === undefined) throw new Error(`${SCHEMA_FILE} has no $defs/${name}`);
    byClass.set(classUid, validate);
  }
  compiled = byClass;
  return compiled;
}

/**
 * The schema file sits in `ocsf/` at the package root; this module runs from `src/ocsf/` in the
 * workspace and from `dist/ocsf/` when installed, so the file is looked for upwards.
 */
function findSchemaFile(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let directory = start;
  for (;;) {
    const candidate = join(directory, 'ocsf', SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no ocsf/${SCHEMA_FILE} above ${start}`);
    directory = parent;
  }
}

function describeErrors(errors: readonly ErrorObject[]): string[] {
  // An anyOf's own message replaces those of its branches, which only repeat it piecemeal.
  const anyOfs = errors.filter((error) => error.keyword === 'anyOf');
  const isBranchOf = (error: ErrorObject, anyOf: ErrorObject): boolean =>
    error.instancePath === anyOf.instancePath && error.schemaPath.startsWith(`${anyOf.schemaPath}/`);
  const lines = errors.filter((error) => !anyOfs.some((anyOf) => isBranchOf(error, anyOf))).map(describeError);
  const unique = [...new Set(lines)];
  if (unique.length <= MAX_ERRORS) return unique;
  return [...unique.slice(0, MAX_ERRORS), `... and ${unique.length - MAX_ERRORS} more`];
}

function describeError(error: ErrorObject): string {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${at}/${pointerToken(String(params.missingProperty))} required: is missing`;
    case 'additionalProperties':
      return `${at}/${pointerToken(String(params.additionalProperty))} additionalProperties: is not an OCSF ${OCSF_VERSION} attribute here`;
    case 'enum':
      return `${at || '(root)'} enum: must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'const':
      return `${at || '(root)'} const: must be ${JSON.stringify(params.allowedValue)}`;
    case 'anyOf':
      return `${at || '(root)'} anyOf: ${describeAnyOf(error.schema)}`;
    default:
      return `${at || '(root)'} ${error.keyword}: ${error.message ?? 'is invalid'}`;
  }
}

/** An anyOf is either OCSF's at_least_one (branches of `required`) or a choice of formats. */
function describeAnyOf(branches: unknown): string {
  if (!Array.isArray(branches)) return 'must match one of the alternatives';
  const alternatives = branches as { required?: string[]; format?: string }[];
  const required = alternatives.flatMap((branch) => branch.required ?? []);
  if (required.length === alternatives.length) return `must have at least one of ${required.join(', ')}`;
  const formats = alternatives.flatMap((branch) => (branch.format === undefined ? [] : [branch.format]));
  if (formats.length === alternatives.length) return `must match format ${formats.join(' or ')}`;
  return 'must match one of the alternatives';
}

/** A JSON Pointer token for an attribute name taken from the event: escaped, printable, bounded. */
function pointerToken(name: string): string {
  const printable = JSON.stringify(name).slice(1, -1);
  const bounded = printable.length > MAX_NAME_LENGTH ? `${printable.slice(0, MAX_NAME_LENGTH)}...` : printable;
  return bounded.replaceAll('~', '~0').replaceAll('/', '~1');
}
