/**
 * A field's type reduced to the constraints a security reviewer weighs: what kind of value,
 * which enum values, how long, how large, which nested keys. Derived from the JSON Schema zod
 * produces, so it follows the schema the sink actually enforces.
 */
export type FieldType =
  | {
      readonly kind: 'string';
      readonly min_length?: number;
      readonly max_length?: number;
      readonly pattern?: string;
      readonly format?: string;
    }
  | { readonly kind: 'enum'; readonly values: readonly (string | number | boolean | null)[] }
  | { readonly kind: 'integer' | 'number'; readonly minimum?: number; readonly maximum?: number }
  | { readonly kind: 'boolean' | 'null' }
  | { readonly kind: 'array'; readonly max_items?: number; readonly items: FieldType }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, FieldType>>; readonly optional: readonly string[] }
  | { readonly kind: 'record'; readonly keys: FieldType; readonly values: FieldType }
  | { readonly kind: 'nullable'; readonly of: FieldType }
  | { readonly kind: 'union'; readonly of: readonly FieldType[] }
  | { readonly kind: 'unconstrained' };

type JsonSchema = Readonly<Record<string, unknown>>;

const asSchema = (value: unknown): JsonSchema => (typeof value === 'object' && value !== null ? (value as JsonSchema) : {});
const asNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** Reduce one JSON Schema to a {@link FieldType}. */
export function describeFieldType(input: unknown): FieldType {
  const schema = asSchema(input);
  if (Array.isArray(schema.enum)) return { kind: 'enum', values: schema.enum as (string | number | boolean | null)[] };
  if ('const' in schema) return { kind: 'enum', values: [schema.const as string] };
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) {
    const types = alternatives.map(describeFieldType);
    const others = types.filter((type) => type.kind !== 'null');
    if (others.length === 1 && types.length === 2) return { kind: 'nullable', of: others[0]! };
    return { kind: 'union', of: types };
  }
  switch (schema.type) {
    case 'string':
      return describeString(schema);
    case 'integer':
    case 'number': {
      const minimum = asNumber(schema.minimum) ?? asNumber(schema.exclusiveMinimum);
      const maximum = asNumber(schema.maximum) ?? asNumber(schema.exclusiveMaximum);
      return { kind: schema.type, ...(minimum === undefined ? {} : { minimum }), ...(maximum === undefined ? {} : { maximum }) };
    }
    case 'boolean':
    case 'null':
      return { kind: schema.type };
    case 'array': {
      const maxItems = asNumber(schema.maxItems);
      return { kind: 'array', ...(maxItems === undefined ? {} : { max_items: maxItems }), items: describeFieldType(schema.items) };
    }
    case 'object':
      return describeObject(schema);
    default:
      return { kind: 'unconstrained' };
  }
}

function describeString(schema: JsonSchema): FieldType {
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
  // An anchored pattern with bounded repetition limits the length even without maxLength:
  // the seams write most of their limits that way.
  const bounds = pattern === undefined ? undefined : patternLengthBounds(pattern);
  const minLength = asNumber(schema.minLength) ?? bounds?.min;
  const declaredMax = asNumber(schema.maxLength);
  const patternMax = bounds?.max;
  const maxLength = declaredMax === undefined ? patternMax : patternMax === undefined ? declaredMax : Math.min(declaredMax, patternMax);
  return {
    kind: 'string',
    ...(minLength === undefined ? {} : { min_length: minLength }),
    ...(maxLength === undefined ? {} : { max_length: maxLength }),
    ...(pattern === undefined ? {} : { pattern }),
    ...(typeof schema.format === 'string' ? { format: schema.format } : {}),
  };
}

function describeObject(schema: JsonSchema): FieldType {
  const properties = asSchema(schema.properties);
  const keys = Object.keys(properties);
  if (keys.length === 0 && schema.additionalProperties !== false) {
    const names = schema.propertyNames === undefined ? { kind: 'string' as const } : describeFieldType(schema.propertyNames);
    const values =
      schema.additionalProperties === undefined || schema.additionalProperties === true
        ? { kind: 'unconstrained' as const }
        : describeFieldType(schema.additionalProperties);
    return { kind: 'record', keys: names, values };
  }
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields: Record<string, FieldType> = {};
  for (const key of keys.sort()) fields[key] = describeFieldType(properties[key]);
  return { kind: 'object', fields, optional: keys.filter((key) => !required.has(key)).sort() };
}

// Deeper than any seam's schema nests: a lock nesting further is not one this gate wrote.
const MAX_FIELD_TYPE_DEPTH = 32;
const STRING_KEYS = ['min_length', 'max_length', 'pattern', 'format'] as const;

/**
 * Whether a value read from the lock file is a {@link FieldType} in every part: the lock is
 * edited by hand, so only a type that passes this is compared or summarized. Reads own
 * properties only, and never converts a value it has not checked the type of.
 */
export function isFieldType(value: unknown, depth = 0): value is FieldType {
  if (depth > MAX_FIELD_TYPE_DEPTH || !isPlainRecord(value)) return false;
  const own = (key: string): unknown => (Object.hasOwn(value, key) ? value[key] : undefined);
  const isNumberOrAbsent = (key: string): boolean => own(key) === undefined || (typeof own(key) === 'number' && Number.isFinite(own(key)));
  const isInner = (key: string): boolean => isFieldType(own(key), depth + 1);
  switch (own('kind')) {
    case 'string':
      return STRING_KEYS.every((key) =>
        key === 'pattern' || key === 'format' ? own(key) === undefined || typeof own(key) === 'string' : isNumberOrAbsent(key),
      );
    case 'enum': {
      const values = own('values');
      return Array.isArray(values) && values.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item));
    }
    case 'integer':
    case 'number':
      return isNumberOrAbsent('minimum') && isNumberOrAbsent('maximum');
    case 'boolean':
    case 'null':
    case 'unconstrained':
      return true;
    case 'array':
      return isNumberOrAbsent('max_items') && isInner('items');
    case 'object': {
      const fields = own('fields');
      const optional = own('optional');
      return (
        isPlainRecord(fields) &&
        Object.keys(fields).every((key) => isFieldType(fields[key], depth + 1)) &&
        Array.isArray(optional) &&
        optional.every((key) => typeof key === 'string')
      );
    }
    case 'record':
      return isInner('keys') && isInner('values');
    case 'nullable':
      return isInner('of');
    case 'union': {
      const of = own('of');
      return Array.isArray(of) && of.every((item) => isFieldType(item, depth + 1));
    }
    default:
      return false;
  }
}

function isPlainRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The type in a few words, for diffs: `string ≤ 256`, `enum read|mutating`. */
export function summarizeFieldType(type: FieldType): string {
  switch (type.kind) {
    case 'string':
      return `string${type.max_length === undefined ? ' (unbounded)' : ` ≤ ${type.max_length}`}`;
    case 'enum':
      return `enum ${type.values.map(String).join('|')}`;
    case 'integer':
    case 'number':
      return `${type.kind} ${type.minimum ?? '-∞'}..${type.maximum ?? '∞'}`;
    case 'array':
      return `array${type.max_items === undefined ? '' : ` ≤ ${type.max_items}`} of ${summarizeFieldType(type.items)}`;
    case 'object':
      return `object {${Object.keys(type.fields).join(', ')}}`;
    case 'record':
      return `record of ${summarizeFieldType(type.keys)} → ${summarizeFieldType(type.values)}`;
    case 'nullable':
      return `${summarizeFieldType(type.of)} or null`;
    case 'union':
      return type.of.map(summarizeFieldType).join(' | ');
    default:
      return type.kind;
  }
}

interface LengthBounds {
  readonly min: number;
  /** Undefined when the pattern repeats without bound. */
  readonly max: number | undefined;
}

/**
 * The shortest and longest strings an anchored pattern (`^…$`) matches, counted in
 * characters, or undefined for a pattern this reading does not understand (unanchored, or
 * with backreferences or lookarounds). Classes, escapes and `.` count one character.
 */
export function patternLengthBounds(pattern: string): LengthBounds | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return undefined;
  const source = pattern.slice(1, -1);
  let index = 0;
  const parseAlternation = (): LengthBounds | undefined => {
    let best: { min: number; max: number | undefined } | undefined;
    for (;;) {
      const branch = parseSequence();
      if (branch === undefined) return undefined;
      best =
        best === undefined
          ? { ...branch }
          : {
              min: Math.min(best.min, branch.min),
              max: best.max === undefined || branch.max === undefined ? undefined : Math.max(best.max, branch.max),
            };
      if (source[index] !== '|') return best;
      index += 1;
    }
  };
  const parseSequence = (): LengthBounds | undefined => {
    let min = 0;
    let max: number | undefined = 0;
    while (index < source.length && source[index] !== '|' && source[index] !== ')') {
      const atom = parseAtom();
      if (atom === undefined) return undefined;
      const repeat = parseQuantifier();
      if (repeat === undefined) return undefined;
      min += atom.min * repeat.min;
      max = max === undefined || atom.max === undefined || repeat.max === undefined ? undefined : max + atom.max * repeat.max;
    }
    return { min, max };
  };
  const parseAtom = (): LengthBounds | undefined => {
    const character = source[index];
    if (character === '(') {
      if (source.startsWith('(?:', index)) index += 3;
      else if (source[index + 1] === '?') return undefined;
      else index += 1;
      const inner = parseAlternation();
      if (inner === undefined || source[index] !== ')') return undefined;
      index += 1;
      return inner;
    }
    if (character === '[') {
      index += 1;
      while (index < source.length && source[index] !== ']') index += source[index] === '\\' ? 2 : 1;
      if (index >= source.length) return undefined;
      index += 1;
      return { min: 1, max: 1 };
    }
    if (character === '\\') {
      const next = source[index + 1] ?? '';
      if (/[1-9bBk]/.test(next)) return undefined;
      index += 2;
      if ((next === 'p' || next === 'P' || next === 'u') && source[index] === '{') index = source.indexOf('}', index) + 1;
      else if (next === 'u') index += 4;
      else if (next === 'x') index += 2;
      return { min: 1, max: 1 };
    }
    if (character === '^' || character === '$') {
      index += 1;
      return { min: 0, max: 0 };
    }
    index += 1;
    return { min: 1, max: 1 };
  };
  const parseQuantifier = (): { min: number; max: number | undefined } | undefined => {
    const character = source[index];
    if (character === '?') return ((index += 1), { min: 0, max: 1 });
    if (character === '*') return ((index += 1), { min: 0, max: undefined });
    if (character === '+') return ((index += 1), { min: 1, max: undefined });
    if (character === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(index));
      if (match === null) return undefined;
      index += match[0].length;
      const low = Number(match[1]);
      return { min: low, max: match[2] === undefined ? low : match[3] === '' ? undefined : Number(match[3]) };
    }
    return { min: 1, max: 1 };
  };
  const bounds = parseAlternation();
  return bounds === undefined || index !== source.length ? undefined : bounds;
}
