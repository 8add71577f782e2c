import { setFieldPath } from './set-field-path.js';
import type { FieldTree } from './set-field-path.js';

/** One field of a record: its dotted path and what it holds for a row (undefined leaves it out). */
export type TemplateField<Derived> =
  { readonly path: string; readonly constant: unknown } | { readonly path: string; readonly value: (derived: Derived) => unknown };

/**
 * How one seam's rows become records of one format: what is worked out once per row
 * (`derive`), and the fields in the order they are set. Two fields may name the same path:
 * with `replace` false the first that holds a value wins, with `replace` true the last.
 */
export interface RecordTemplate<Row, Derived> {
  readonly derive: (row: Row) => Derived;
  readonly fields: readonly TemplateField<Derived>[];
  readonly replace: boolean;
}

/**
 * The record of `row` as an object: each field set in order with {@link setFieldPath}, those
 * that hold nothing left out. This is what a record is; {@link compileRecordWriter} writes the
 * same record as JSON text without building it.
 */
export function buildRecord<Row, Derived>(template: RecordTemplate<Row, Derived>, row: Row): FieldTree {
  const derived = template.derive(row);
  const record: FieldTree = {};
  for (const field of template.fields) {
    const value = 'constant' in field ? field.constant : field.value(derived);
    if (value !== undefined) setFieldPath(record, field.path, value, template.replace);
  }
  return record;
}

// What a compiled object writes: a member `"key":value`, or nothing for this row.
type MemberWriter<Derived> = (derived: Derived) => string | undefined;

interface LeafNode<Derived> {
  readonly kind: 'leaf';
  readonly fields: TemplateField<Derived>[];
}
interface ObjectNode<Derived> {
  readonly kind: 'object';
  readonly children: Map<string, LeafNode<Derived> | ObjectNode<Derived>>;
}

/**
 * A writer of the JSON text {@link buildRecord} makes, parsed back equal to it, built from the
 * template once: constant members are written to text once, and a row costs one call per field
 * that varies. Undefined when a field's path runs through another field's value, where what
 * the record holds depends on the row (the caller then builds the record and stringifies it).
 */
export function compileRecordWriter<Row, Derived>(template: RecordTemplate<Row, Derived>): ((row: Row) => string) | undefined {
  const root: ObjectNode<Derived> = { kind: 'object', children: new Map() };
  for (const field of template.fields) {
    const keys = field.path === '@timestamp' ? [field.path] : field.path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) {
      let child = node.children.get(key);
      if (child === undefined) {
        child = { kind: 'object', children: new Map() };
        node.children.set(key, child);
      }
      if (child.kind !== 'object') return undefined;
      node = child;
    }
    const last = keys.at(-1)!;
    const existing = node.children.get(last);
    if (existing === undefined) node.children.set(last, { kind: 'leaf', fields: [field] });
    else if (existing.kind === 'leaf') existing.fields.push(field);
    else return undefined;
  }
  const writeObject = compileObject(root, template.replace);
  const { derive } = template;
  return (row) => writeObject(derive(row)) ?? '{}';
}

/** The text of an object's members, `{...}`, or undefined when none holds a value for the row. */
function compileObject<Derived>(node: ObjectNode<Derived>, replace: boolean): (derived: Derived) => string | undefined {
  // Members whose text never changes are joined once, with their commas.
  const parts: (string | MemberWriter<Derived>)[] = [];
  for (const [key, child] of node.children) {
    const name = `${JSON.stringify(key)}:`;
    const member = child.kind === 'leaf' ? compileLeaf(name, child, replace) : compileChildObject(name, child, replace);
    const previous = parts.at(-1);
    if (typeof member === 'string' && typeof previous === 'string') parts[parts.length - 1] = `${previous},${member}`;
    else parts.push(member);
  }
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const text = `{${parts[0]}}`;
    return () => text;
  }
  return (derived) => {
    let text: string | undefined;
    for (const part of parts) {
      const member = typeof part === 'string' ? part : part(derived);
      if (member === undefined) continue;
      text = text === undefined ? member : `${text},${member}`;
    }
    return text === undefined ? undefined : `{${text}}`;
  };
}

function compileChildObject<Derived>(name: string, node: ObjectNode<Derived>, replace: boolean): string | MemberWriter<Derived> {
  const write = compileObject(node, replace);
  if (isConstantObject(node)) {
    // Every member is a constant: the same text for every row.
    const text = write(undefined as Derived);
    if (text !== undefined) return `${name}${text}`;
  }
  return (derived) => {
    const text = write(derived);
    return text === undefined ? undefined : `${name}${text}`;
  };
}

function isConstantObject<Derived>(node: ObjectNode<Derived>): boolean {
  for (const child of node.children.values()) {
    if (child.kind === 'object' ? !isConstantObject(child) : child.fields.some((field) => !('constant' in field))) return false;
  }
  return true;
}

function compileLeaf<Derived>(name: string, node: LeafNode<Derived>, replace: boolean): string | MemberWriter<Derived> {
  // With `replace` the last field that holds a value wins: look from the end.
  const fields = replace ? [...node.fields].reverse() : node.fields;
  const first = fields[0]!;
  if ('constant' in first && first.constant !== undefined) return `${name}${JSON.stringify(first.constant)}`;
  if (fields.length === 1 && 'value' in first) {
    const { value } = first;
    return (derived) => {
      const held = value(derived);
      return held === undefined ? undefined : `${name}${writeValue(held)}`;
    };
  }
  return (derived) => {
    for (const field of fields) {
      const held = 'constant' in field ? field.constant : field.value(derived);
      if (held !== undefined) return `${name}${writeValue(held)}`;
    }
    return undefined;
  };
}

// Printable ASCII but `"` and `\\`: a string JSON writes as it is, between quotes.
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function writeValue(value: unknown): string {
  // Most strings need no escaping, and a regular expression says so faster than JSON.stringify
  // escapes; a number's JSON is its decimal text unless it is not finite.
  if (typeof value === 'string') return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
  return typeof value === 'number' && Number.isFinite(value) ? `${value}` : JSON.stringify(value);
}
