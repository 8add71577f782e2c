// Builds ocsf/ocsf-1.3.0-schema.json, the JSON Schema (draft 2020-12) the OCSF export validates
// its events with, from the OCSF 1.3.0 definitions transcribed in ocsf-1.3.0-definitions.ts.
//
//   pnpm --filter @kora/audit-export build:ocsf-schema
//
// The shape follows the JSON Schema the OCSF server exports per class: one schema per event
// class with the objects it uses under `$defs`. The file is committed and shipped in the package;
// `build-ocsf-schema.test.ts` fails when it drifts from these definitions.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OCSF_CLASSES, OCSF_LOOSE_OBJECTS, OCSF_OBJECTS } from './ocsf-1.3.0-definitions.js';
import type { OcsfAttribute, OcsfClass, OcsfObject, OcsfScalarType } from './ocsf-1.3.0-definitions.js';

type JsonSchema = Record<string, unknown>;

/** The OCSF version the definitions transcribe. */
const VERSION = '1.3.0';

// Type patterns are those of the 1.3.0 `types` (dictionary.json); ip_t uses the standard formats.
const SCALARS: Record<OcsfScalarType, JsonSchema> = {
  boolean_t: { type: 'boolean' },
  datetime_t: {
    type: 'string',
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(Z|[\\+-]\\d{2}:\\d{2})?$',
  },
  email_t: { type: 'string', pattern: "^[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~.]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9\\-.]+$" },
  file_hash_t: { type: 'string' },
  file_name_t: { type: 'string' },
  float_t: { type: 'number' },
  hostname_t: {
    type: 'string',
    pattern: '^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])\\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9])$',
  },
  integer_t: { type: 'integer' },
  ip_t: { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
  json_t: {},
  long_t: { type: 'integer' },
  mac_t: { type: 'string', pattern: '^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$' },
  object_t: { type: 'object' },
  port_t: { type: 'integer', minimum: 0, maximum: 65535 },
  process_name_t: { type: 'string' },
  string_t: { type: 'string' },
  subnet_t: { type: 'string' },
  timestamp_t: { type: 'integer' },
  url_t: { type: 'string' },
  username_t: { type: 'string' },
  uuid_t: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' },
};

function describeAttribute(attribute: OcsfAttribute): string {
  const origin = attribute.source === undefined ? '' : ` (from ${attribute.source})`;
  return `OCSF ${attribute.requirement}${origin}.`;
}

function attributeSchema(attribute: OcsfAttribute): JsonSchema {
  const { type } = attribute;
  let item: JsonSchema;
  if (typeof type === 'string') item = { ...SCALARS[type] };
  else if ('object' in type) item = { $ref: `#/$defs/${type.object}` };
  else item = { type: 'object', description: `OCSF object ${type.looseObject}, not populated by the export.` };
  if (attribute.enum !== undefined) item.enum = [...attribute.enum];
  const description = describeAttribute(attribute);
  return attribute.isArray === true ? { description, type: 'array', items: item } : { description, ...item };
}

function properties(attributes: readonly OcsfAttribute[]): JsonSchema {
  return Object.fromEntries(attributes.map((attribute) => [attribute.name, attributeSchema(attribute)]));
}

function required(attributes: readonly OcsfAttribute[]): string[] {
  return attributes.filter((attribute) => attribute.requirement === 'required').map((attribute) => attribute.name);
}

function atLeastOne(names: readonly string[] | undefined): JsonSchema {
  return names === undefined ? {} : { anyOf: names.map((name) => ({ required: [name] })) };
}

function objectSchema(object: OcsfObject): JsonSchema {
  return {
    title: object.caption,
    type: 'object',
    properties: properties(object.attributes),
    required: required(object.attributes),
    ...atLeastOne(object.atLeastOne),
    additionalProperties: false,
  };
}

function classSchema(eventClass: OcsfClass): JsonSchema {
  const schema = objectSchema({ ...eventClass, attributes: eventClass.attributes });
  const props = schema.properties as Record<string, JsonSchema>;
  // class_uid, category_uid and type_uid are fixed by the class; type_uid = class_uid * 100 + activity_id.
  props.class_uid = { ...props.class_uid, const: eventClass.classUid };
  props.category_uid = { ...props.category_uid, const: eventClass.categoryUid };
  props.class_name = { ...props.class_name, const: eventClass.caption };
  props.category_name = { ...props.category_name, const: eventClass.categoryName };
  props.type_uid = {
    ...props.type_uid,
    enum: eventClass.activities.map((activity) => eventClass.classUid * 100 + activity.id),
  };
  return {
    title: `${eventClass.caption} (${eventClass.classUid})`,
    description: `OCSF ${VERSION} class ${eventClass.name}, category ${eventClass.categoryName} (${eventClass.categoryUid}). Activities: ${eventClass.activities.map((activity) => `${activity.id} ${activity.caption}`).join(', ')}.`,
    ...schema,
  };
}

/** The whole JSON Schema document: one `$defs` entry per class and per populated object. */
export function buildOcsfSchema(): JsonSchema {
  const classes = Object.fromEntries(OCSF_CLASSES.map((eventClass) => [eventClass.name, classSchema(eventClass)]));
  const objects = Object.fromEntries(OCSF_OBJECTS.map((object) => [object.name, objectSchema(object)]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:kora-audit:ocsf:${VERSION}`,
    title: `OCSF ${VERSION} events exported by kora-audit`,
    description: [
      `JSON Schema for the OCSF ${VERSION} event classes kora-audit exports: ${OCSF_CLASSES.map((c) => `${c.caption} (${c.classUid})`).join(', ')}.`,
      'Derived from the OCSF schema 1.3.0 (https://github.com/ocsf/ocsf-schema, https://schema.ocsf.io), Apache License 2.0.',
      'Each class carries every attribute of the base event, its category class, its profiles and the class itself, with `required` per the OCSF requirement; profile attributes are optional because the export applies no profile.',
      `Objects the export populates are expanded under $defs and closed (additionalProperties false): ${OCSF_OBJECTS.map((o) => o.name).join(', ')}.`,
      `Objects it never populates are typed loosely as any JSON object: ${OCSF_LOOSE_OBJECTS.join(', ')}.`,
      'OCSF constraints.at_least_one is expressed as anyOf of required; the datetime profile adds a <name>_dt string beside each timestamp of the expanded objects.',
    ].join(' '),
    type: 'object',
    properties: { class_uid: { enum: OCSF_CLASSES.map((eventClass) => eventClass.classUid) } },
    required: ['class_uid'],
    allOf: OCSF_CLASSES.map((eventClass) => ({
      if: { properties: { class_uid: { const: eventClass.classUid } }, required: ['class_uid'] },
      then: { $ref: `#/$defs/${eventClass.name}` },
    })),
    $defs: { ...classes, ...objects },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL(`../../ocsf/ocsf-${VERSION}-schema.json`, import.meta.url));
  writeFileSync(target, `${JSON.stringify(buildOcsfSchema(), null, 2)}\n`);
  process.stdout.write(`wrote ${target}\n`);
}
