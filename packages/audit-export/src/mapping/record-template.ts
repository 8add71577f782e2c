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
 * that varies. Where code may not be generated (or `generate` is false), the record is built
 * and stringified. Undefined when a field's path runs through another field's value, where what
 * the record holds depends on the row (the caller then builds the record and stringifies it).
 */
export function compileRecordWriter<Row, Derived>(
  template: RecordTemplate<Row, Derived>,
  options: { readonly generate?: boolean } = {},
): ((row: Row) => string) | undefined {
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
  const { derive } = template;
  const generated = options.generate === false ? undefined : generateWriter(root, template.replace);
  if (generated !== undefined) return (row) => generated(derive(row));
  return (row) => JSON.stringify(buildRecord(template, row));
}

/**
 * The writer as one generated function per template, as fast-json-stringify and Ajv compile
 * theirs: straight-line code that V8 optimizes as a whole. The code is made of string literals
 * (`JSON.stringify` of the constant texts and of the keys), indices into the field readers and
 * fixed statements: no value of a row or a mapping is ever code. Undefined where generating code
 * is not allowed (`--disallow-code-generation-from-strings`).
 */
function generateWriter<Derived>(root: ObjectNode<Derived>, replace: boolean): ((derived: Derived) => string) | undefined {
  const readers: ((derived: Derived) => unknown)[] = [];
  const constants: unknown[] = [];
  const statements: string[] = [];
  let names = 0;
  const literal = (text: string): string => JSON.stringify(text);
  // Code appending `expression` as a member of the object text in `target`.
  const append = (target: string, known: boolean, expression: string): string =>
    known ? `${target} += "," + ${expression};` : `${target} += (${target} === "" ? "" : ",") + ${expression};`;
  const emitObject = (node: ObjectNode<Derived>): string => {
    const target = `o${names++}`;
    statements.push(`let ${target} = "";`);
    // Whether the object text is known to hold a member by now, for its commas.
    let known = false;
    for (const [key, child] of node.children) {
      const name = `${JSON.stringify(key)}:`;
      if (child.kind === 'object') {
        const inner = emitObject(child);
        statements.push(`if (${inner} !== "") { ${append(target, known, `${literal(`${name}{`)} + ${inner} + "}"`)} }`);
        if (isConstantObject(child) && holdsConstant(child)) known = true;
        continue;
      }
      const fields = replace ? [...child.fields].reverse() : child.fields;
      const first = fields[0]!;
      if ('constant' in first && first.constant !== undefined) {
        statements.push(append(target, known, literal(`${name}${JSON.stringify(first.constant)}`)));
        known = true;
        continue;
      }
      const value = `v${names++}`;
      statements.push(`let ${value};`);
      for (const field of fields) {
        const read = 'constant' in field ? `C[${constants.push(field.constant) - 1}]` : `F[${readers.push(field.value) - 1}](d)`;
        statements.push(`if (${value} === undefined) ${value} = ${read};`);
      }
      statements.push(`if (${value} !== undefined) { ${append(target, known, `${literal(name)} + w(${value})`)} }`);
    }
    return target;
  };
  const body = emitObject(root);
  const code = `"use strict"; return function write(d) { ${statements.join(' ')} return "{" + ${body} + "}"; };`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the function's comment: only literals and indices are code.
    const make = new Function('F', 'C', 'w', code) as (
      readers: readonly ((derived: Derived) => unknown)[],
      constants: readonly unknown[],
      write: (value: unknown) => string,
    ) => (derived: Derived) => string;
    return make(readers, constants, writeValue);
  } catch {
    return undefined;
  }
}

/** Whether some field under `node` is a constant that is not undefined. */
function holdsConstant<Derived>(node: ObjectNode<Derived>): boolean {
  for (const child of node.children.values()) {
    if (
      child.kind === 'object' ? holdsConstant(child) : child.fields.some((field) => 'constant' in field && field.constant !== undefined)
    ) {
      return true;
    }
  }
  return false;
}

function isConstantObject<Derived>(node: ObjectNode<Derived>): boolean {
  for (const child of node.children.values()) {
    if (child.kind === 'object' ? !isConstantObject(child) : child.fields.some((field) => !('constant' in field))) return false;
  }
  return true;
}

// Printable ASCII but `"` and `\\`: a string JSON writes as it is, between quotes.
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function writeValue(value: unknown): string {
  // Most strings need no escaping, and a regular expression says so faster than JSON.stringify
  // escapes; a number's JSON is its decimal text unless it is not finite.
  if (typeof value === 'string') return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
  return typeof value === 'number' && Number.isFinite(value) ? `${value}` : JSON.stringify(value);
}
