import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeFieldType, patternLengthBounds, summarizeFieldType } from './describe-field-type.js';

const describeZod = (schema: z.ZodType): ReturnType<typeof describeFieldType> => describeFieldType(z.toJSONSchema(schema, { io: 'input' }));

describe('patternLengthBounds', () => {
  it('reads the length limits the seams write into their patterns', () => {
    expect(patternLengthBounds('^[\\x21-\\x7e]{1,256}$')).toEqual({ min: 1, max: 256 });
    expect(patternLengthBounds('^[A-Za-z_$][A-Za-z0-9_$.]{0,127}$')).toEqual({ min: 1, max: 128 });
    expect(
      patternLengthBounds('^(?:slack_api:[a-z0-9_]{1,64}|transport:(?:[1-5][0-9]{2}|[A-Z]{1,63})|slack_client_import_error)$'),
    ).toEqual({
      min: 11,
      max: 74,
    });
    expect(patternLengthBounds('^\\p{L}{2}\\u0041?$')).toEqual({ min: 2, max: 3 });
  });

  it('calls a pattern with unbounded repetition unbounded, and gives up on what it cannot read', () => {
    expect(patternLengthBounds('^[a-z]+$')).toEqual({ min: 1, max: undefined });
    expect(patternLengthBounds('^a{2,}$')).toEqual({ min: 2, max: undefined });
    expect(patternLengthBounds('[a-z]{1,4}')).toBeUndefined();
    expect(patternLengthBounds('^(?=a)a$')).toBeUndefined();
    expect(patternLengthBounds('^(a)\\1$')).toBeUndefined();
  });
});

describe('describeFieldType', () => {
  it('keeps the constraints a reviewer weighs', () => {
    expect(describeZod(z.string().max(40))).toEqual({ kind: 'string', max_length: 40 });
    expect(
      describeZod(
        z
          .string()
          .regex(/^[a-z]{1,8}$/)
          .max(20),
      ),
    ).toEqual({ kind: 'string', min_length: 1, max_length: 8, pattern: '^[a-z]{1,8}$' });
    expect(describeZod(z.enum(['a', 'b']))).toEqual({ kind: 'enum', values: ['a', 'b'] });
    expect(describeZod(z.number().int().min(0).max(10))).toEqual({ kind: 'integer', minimum: 0, maximum: 10 });
    expect(describeZod(z.array(z.string().max(3)).max(5))).toEqual({
      kind: 'array',
      max_items: 5,
      items: { kind: 'string', max_length: 3 },
    });
    expect(describeZod(z.strictObject({ a: z.boolean(), b: z.string().optional() }))).toEqual({
      kind: 'object',
      fields: { a: { kind: 'boolean' }, b: { kind: 'string' } },
      optional: ['b'],
    });
    expect(describeZod(z.record(z.enum(['x', 'y']), z.string().max(9)))).toMatchObject({
      kind: 'record',
      keys: { kind: 'enum', values: ['x', 'y'] },
      values: { kind: 'string', max_length: 9 },
    });
    expect(describeZod(z.string().max(5).nullable())).toEqual({ kind: 'nullable', of: { kind: 'string', max_length: 5 } });
  });

  it('summarizes a type in a few words', () => {
    expect(summarizeFieldType(describeZod(z.string()))).toBe('string (unbounded)');
    expect(summarizeFieldType(describeZod(z.array(z.enum(['a'])).max(2)))).toBe('array ≤ 2 of enum a');
  });
});
