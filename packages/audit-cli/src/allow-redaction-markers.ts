/**
 * A JSON Schema whose every constrained string also admits the guard's redaction markers.
 *
 * The sink keeps a row whose field the guard redacted: where the marker breaks the field's
 * pattern or length cap, the field holds the markers alone (`[REDACTED:aws-access-key-id]`).
 * A validator reading the published schema must accept such rows too, so each string schema
 * with a pattern or a length bound becomes `anyOf: [itself, markers]`. Enumerations and
 * constants are left alone: the sink never puts a marker in place of one.
 */
export const REDACTION_MARKERS_PATTERN = '^(?:\\[REDACTED:[a-z0-9]+(?:-[a-z0-9]+)*\\])+$';

const MARKERS_SCHEMA = Object.freeze({
  type: 'string',
  pattern: REDACTION_MARKERS_PATTERN,
  description: 'The guard replaced this value by the markers of the rules it found.',
});

/** A JSON Schema document or any part of one. */
export type JsonSchema = JsonValue;
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isConstrainedString(schema: { [key: string]: JsonValue }): boolean {
  if (schema.type !== 'string' || 'enum' in schema || 'const' in schema) return false;
  return 'pattern' in schema || 'maxLength' in schema || 'minLength' in schema || 'format' in schema;
}

/** `schema` (a JSON Schema document, as `z.toJSONSchema` gives it) with markers admitted. */
export function allowRedactionMarkers(schema: JsonValue): JsonValue {
  if (Array.isArray(schema)) return schema.map(allowRedactionMarkers);
  if (!isObject(schema)) return schema;
  const copy: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(schema)) {
    // `pattern`, `enum` and the like are values, not subschemas; only descend into schemas.
    copy[key] = key === 'enum' || key === 'const' || key === 'required' ? value : allowRedactionMarkers(value);
  }
  if (!isConstrainedString(copy)) return copy;
  const { description, ...constraints } = copy;
  return { ...(description === undefined ? {} : { description }), anyOf: [constraints, { ...MARKERS_SCHEMA }] };
}
