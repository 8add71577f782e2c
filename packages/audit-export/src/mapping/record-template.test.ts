import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRecord, compileRecordWriter } from './record-template.js';
import type { RecordTemplate, TemplateField } from './record-template.js';

/** A row: the values of the template's varying fields, by name. */
type Row = Readonly<Record<string, unknown>>;

const constant = (path: string, held: unknown): TemplateField<Row> => ({ path, constant: held });
const value = (path: string, name: string): TemplateField<Row> => ({ path, value: (row) => row[name] });
const templateOf = (fields: TemplateField<Row>[], replace = false): RecordTemplate<Row, Row> => ({ derive: (row) => row, fields, replace });

/** The compiled writer of `template`, failing the test when there is none. */
function writerOf(template: RecordTemplate<Row, Row>): (row: Row) => string {
  const writer = compileRecordWriter(template);
  if (writer === undefined) throw new Error('compileRecordWriter gave no writer');
  return writer;
}

/** What the compiled writer writes for `row`, parsed, after checking it equals the built record as JSON. */
function written(template: RecordTemplate<Row, Row>, row: Row = {}): unknown {
  const parsed = JSON.parse(writerOf(template)(row)) as unknown;
  expect(parsed).toEqual(JSON.parse(JSON.stringify(buildRecord(template, row))));
  return parsed;
}

describe('buildRecord and compileRecordWriter', () => {
  it('write a template of constants only as the same record for every row', () => {
    const template = templateOf([constant('a', 1), constant('b.c', 'x'), constant('b.d', [1, { e: null }]), constant('f', false)]);
    const writer = writerOf(template);
    const text = '{"a":1,"b":{"c":"x","d":[1,{"e":null}]},"f":false}';
    expect(writer({})).toBe(text);
    expect(writer({ other: 2 })).toBe(text);
    expect(buildRecord(template, {})).toEqual({ a: 1, b: { c: 'x', d: [1, { e: null }] }, f: false });
  });

  it('leave out a field that holds nothing for the row, and an object none of whose fields hold anything', () => {
    const template = templateOf([value('a', 'a'), value('b.c', 'c'), value('b.d.e', 'e'), value('f', 'f'), constant('g', undefined)]);
    expect(written(template, { a: 1, c: 2, e: 3, f: 4 })).toEqual({ a: 1, b: { c: 2, d: { e: 3 } }, f: 4 });
    expect(written(template, { f: 4 })).toEqual({ f: 4 });
    expect(written(template, { e: null })).toEqual({ b: { d: { e: null } } });
    expect(written(template, { c: 0 })).toEqual({ b: { c: 0 } });
    expect(writerOf(template)({})).toBe('{}');
    expect(buildRecord(template, {})).toEqual({});
  });

  it('keep the first field that holds a value for a path without replace, and the last with it', () => {
    const fields = [
      value('a.b', 'first'),
      constant('a.b', undefined),
      value('a.b', 'second'),
      value('a.b', 'third'),
      constant('c', 'one'),
      constant('c', 'two'),
    ];
    const keeping = templateOf(fields, false);
    expect(written(keeping, { first: 1, second: 2, third: 3 })).toEqual({ a: { b: 1 }, c: 'one' });
    expect(written(keeping, { second: 2, third: 3 })).toEqual({ a: { b: 2 }, c: 'one' });
    expect(written(keeping, {})).toEqual({ c: 'one' });
    const replacing = templateOf(fields, true);
    expect(written(replacing, { first: 1, second: 2, third: 3 })).toEqual({ a: { b: 3 }, c: 'two' });
    expect(written(replacing, { first: 1, second: 2 })).toEqual({ a: { b: 2 }, c: 'two' });
    expect(written(replacing, { first: 1 })).toEqual({ a: { b: 1 }, c: 'two' });
    // A value a later field would replace holds when that field holds nothing.
    expect(written(templateOf([constant('a', 'kept'), value('a', 'later')], true), {})).toEqual({ a: 'kept' });
  });

  it('compile no writer when a path runs through another field, whichever comes first', () => {
    for (const paths of [
      ['a', 'a.b'],
      ['a.b', 'a'],
      ['x.a', 'x.a.b.c'],
      ['x.a.b.c', 'x.a'],
    ]) {
      for (const replace of [false, true]) {
        const template = templateOf(
          paths.map((path) => value(path, path)),
          replace,
        );
        expect(compileRecordWriter(template), paths.join(' then ')).toBeUndefined();
      }
    }
    // The record is still made: the first writer of a prefix that is not an object wins.
    expect(buildRecord(templateOf([value('a', 'a'), value('a.b', 'b')]), { a: 1, b: 2 })).toEqual({ a: 1 });
    expect(buildRecord(templateOf([value('a.b', 'b'), value('a', 'a')]), { a: 1, b: 2 })).toEqual({ a: { b: 2 } });
  });

  it("leave a template's constants and a row's values as they were, when a path runs through one of them", () => {
    const shared = { kept: 1 };
    const template = templateOf([constant('a', shared), value('a.b', 'b')]);
    expect(buildRecord(template, { b: 1 })).toEqual({ a: { kept: 1, b: 1 } });
    expect(buildRecord(template, { b: 2 })).toEqual({ a: { kept: 1, b: 2 } });
    expect(buildRecord(template, {})).toEqual({ a: { kept: 1 } });
    expect(shared).toEqual({ kept: 1 });
    const details = { nested: { deep: true } };
    const fromRow = templateOf([value('d', 'details'), constant('d.nested.added', 'x')]);
    expect(buildRecord(fromRow, { details })).toEqual({ d: { nested: { deep: true, added: 'x' } } });
    expect(details).toEqual({ nested: { deep: true } });
  });

  it('write keys that mean something to JavaScript as ordinary keys', () => {
    const template = templateOf([
      value('__proto__', 'proto'),
      value('constructor.prototype', 'prototype'),
      constant('toString', 'text'),
      value('@timestamp', 'time'),
      value('a.__proto__.b', 'b'),
      constant('hasOwnProperty', null),
    ]);
    const row = { proto: { polluted: true }, prototype: 1, time: '2026-11-27T00:00:00.000Z', b: [2] };
    const parsed = written(template, row) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor', 'toString', '@timestamp', 'a', 'hasOwnProperty']);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed['@timestamp']).toBe('2026-11-27T00:00:00.000Z');
    const built = buildRecord(template, row);
    expect(Object.keys(built)).toEqual(Object.keys(parsed));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('write any string as JSON reads it back, and numbers as JSON writes them', () => {
    const strings = [
      'plain',
      'say "no"',
      'back\\slash',
      '\u0000\u0001\b\f\n\r\t\u001f\u007f',
      '\ud800',
      'x\udc00y',
      '\udbff\udfff',
      '\u2028\u2029',
      'é 中文 😀',
      '',
    ];
    const template = templateOf([value('s', 's'), constant('c', strings), value('n', 'n')]);
    const writer = writerOf(template);
    for (const text of strings) {
      const parsed = written(template, { s: text }) as { s: string; c: string[] };
      expect(parsed.s).toBe(text);
      expect(parsed.c).toEqual(strings);
      expect(writer({ s: text })).toBe(JSON.stringify(buildRecord(template, { s: text })));
    }
    for (const [number, text] of [
      [-0, '0'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [0.1, '0.1'],
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
      [Number.NaN, 'null'],
      [Number.POSITIVE_INFINITY, 'null'],
      [Number.NEGATIVE_INFINITY, 'null'],
    ] as const) {
      expect(writer({ n: number })).toBe(`{"c":${JSON.stringify(strings)},"n":${text}}`);
    }
  });

  it('write arrays and objects held as values whole, nested as they are', () => {
    const template = templateOf([value('v', 'v'), value('w.x', 'w')]);
    const nested = JSON.parse('{"__proto__":{"a":[1,[2,[3]]]},"b":{"c":{}},"d":[],"e":[null,true,"\\u2028"]}') as unknown;
    expect(written(template, { v: nested, w: [[[]], {}] })).toEqual({ v: nested, w: { x: [[[]], {}] } });
    expect(written(template, { v: [Number.NaN, -0, { n: Number.POSITIVE_INFINITY }] })).toEqual({ v: [null, 0, { n: null }] });
  });

  it.each([
    ['generated code', true],
    ['the record stringified (code generation off)', false],
  ])('write for any template it compiles, as %s, the JSON of the record buildRecord makes, for every row', (_, generate) => {
    const key = fc.constantFrom('a', 'b', '__proto__', 'constructor', '@timestamp', '');
    const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => keys.join('.'));
    const held = fc.option(
      fc.oneof(
        fc.jsonValue(),
        fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, '\ud800', '\u2028', '"\\', '__proto__'),
        fc.string({ unit: 'binary' }),
      ),
      { nil: undefined },
    );
    const field = fc.oneof(fc.record({ path, constant: held }), fc.record({ path, value: fc.integer({ min: 0, max: 4 }) }));
    let compiled = 0;
    fc.assert(
      fc.property(
        fc.array(field, { maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.array(held, { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 3 }),
        (specs, replace, rows) => {
          const fields = specs.map((spec): TemplateField<Row> =>
            'value' in spec ? { path: spec.path, value: (row) => row[String(spec.value)] } : spec,
          );
          const template = templateOf(fields, replace);
          const writer = compileRecordWriter(template, { generate });
          if (writer === undefined) return;
          compiled += 1;
          for (const values of rows) {
            const row = Object.fromEntries(values.map((held, index) => [String(index), held]));
            expect(JSON.parse(writer(row))).toEqual(JSON.parse(JSON.stringify(buildRecord(template, row))));
          }
        },
      ),
      { numRuns: 1_000 },
    );
    // Most templates compile: the property is not vacuous.
    expect(compiled).toBeGreaterThan(400);
  });
});
