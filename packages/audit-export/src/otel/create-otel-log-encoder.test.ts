import { startOtlpReceiver } from '@kora/test-support';
import type { OtlpAnyValue, OtlpReceiver } from '@kora/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtelLogEncoder } from './create-otel-log-encoder.js';
import { createOtlpHttpSender } from './create-otlp-http-sender.js';
import type { OtlpHttpSender } from './create-otlp-http-sender.js';
import { encodeJsonLine } from './encode-json-line.js';
import type { OtelLogRecord } from './otel-log-record.js';

const encoder = createOtelLogEncoder({
  resource: { 'service.name': 'kora-daemon', 'host.name': 'audit-host-1' },
  scopeName: '@kora/audit-export',
  scopeVersion: '0.1.0',
});

const base: OtelLogRecord = {
  timeUnixMs: 1_764_000_000_000,
  observedTimeUnixMs: 1_764_000_000_500,
  severityNumber: 9,
  severityText: 'INFO',
  eventName: 'kora.reasoning',
  body: {},
  attributes: {},
};

/** Strings a row may carry: any code units, lone surrogates and astral characters included. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\ud800', 'a\udc00b', '\udbff\udfff', '\u2028\u0000\u001f', '"\\', '__proto__', '💥'),
);
/** Numbers a row may carry, the ones past int64 and past 2^53 included. */
const hostileNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(2 ** 63, -(2 ** 63), 2 ** 63 - 1024, 2 ** 64, 1e300, -1e300, 2 ** 53 + 2, -0, Number.MAX_VALUE, Number.MIN_VALUE),
);
const { jsonValue } = fc.letrec<{ jsonValue: unknown }>((tie) => ({
  jsonValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('jsonValue'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('jsonValue'), { maxKeys: 4 }),
  ),
}));
const body = fc.dictionary(hostileString, jsonValue, { maxKeys: 6 });
// The SDK stores attributes by assignment, so a `__proto__` attribute would be lost; attribute
// keys are the mapping's own names, never row content.
const attributeKey = hostileString.filter((key) => key !== '' && key !== '__proto__');
const attributes = fc.dictionary(
  attributeKey,
  fc.oneof(
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.array(hostileString, { maxLength: 3 }),
    fc.array(hostileNumber, { maxLength: 3 }),
  ),
  { maxKeys: 5 },
);
const hostileRecord = fc.record({ body, attributes }).map(({ body, attributes }): OtelLogRecord => ({ ...base, body, attributes }));

/** A string as UTF-8 carries it: each lone surrogate becomes U+FFFD. */
function wellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function isOutsideInt64(value: number): boolean {
  return value >= 2 ** 63 || value < -(2 ** 63);
}

/** What the receiver must decode for a JSON value: protobuf carries strings as UTF-8, so lone surrogates become U+FFFD. */
function expectedDecoded(value: unknown): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: wellFormed(value) };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { doubleValue: value };
    return isOutsideInt64(value) ? { stringValue: String(value) } : { intValue: BigInt(value).toString() };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(expectedDecoded) } };
  if (value !== null && typeof value === 'object') {
    return {
      kvlistValue: {
        values: Object.entries(value).map(([key, item]) => ({ key: wellFormed(key), value: expectedDecoded(item) })),
      },
    };
  }
  return {};
}

/** What the OTLP/JSON line must hold for a JSON value: JSON keeps lone surrogates as escapes. */
function expectedJson(value: unknown): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { doubleValue: value };
    return isOutsideInt64(value) ? { stringValue: String(value) } : { intValue: value === 0 ? 0 : value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(expectedJson) } };
  if (value !== null && typeof value === 'object') {
    return { kvlistValue: { values: Object.entries(value).map(([key, item]) => ({ key, value: expectedJson(item) })) } };
  }
  return {};
}

describe('createOtelLogEncoder', () => {
  let receiver: OtlpReceiver;
  let sender: OtlpHttpSender;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    sender = createOtlpHttpSender({ url: receiver.url });
  });
  afterAll(async () => {
    await sender.shutdown();
    await receiver.close();
  });

  it('encodes hostile bodies and attributes that arrive intact at a receiver', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRecord, { minLength: 1, maxLength: 4 }), async (records) => {
        const before = receiver.requests.length;
        await sender.send(encoder.encode(records));
        const received = receiver.requests[before]?.request.resourceLogs[0]?.scopeLogs[0]?.logRecords ?? [];
        expect(received).toHaveLength(records.length);
        for (const [index, record] of records.entries()) {
          expect(received[index]?.body).toEqual(expectedDecoded(record.body));
          expect(received[index]?.attributes).toEqual(
            Object.entries(record.attributes).map(([key, value]) => ({ key: wellFormed(key), value: expectedDecoded(value) })),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('encodes hostile bodies and attributes into an OTLP/JSON line that parses back to them', () => {
    fc.assert(
      fc.property(fc.array(hostileRecord, { minLength: 1, maxLength: 4 }), (records) => {
        const line = encodeJsonLine(encoder.encode(records));
        expect(line).not.toMatch(/[\n\r]/);
        const request = JSON.parse(line) as {
          resourceLogs: { scopeLogs: { logRecords: { body: unknown; attributes: unknown }[] }[] }[];
        };
        const parsed = request.resourceLogs[0]?.scopeLogs[0]?.logRecords ?? [];
        expect(parsed.map((record) => record.body)).toEqual(records.map((record) => expectedJson(record.body)));
        expect(parsed.map((record) => record.attributes)).toEqual(
          records.map((record) => Object.entries(record.attributes).map(([key, value]) => ({ key, value: expectedJson(value) }))),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a body key named __proto__ as a key', () => {
    const body = JSON.parse('{"__proto__": {"polluted": 2 }, "big": 1e300}') as Record<string, unknown>;
    const [record] = encoder.encode([{ ...base, body }]);
    expect(JSON.parse(encodeJsonLine(record ? [record] : [])).resourceLogs[0].scopeLogs[0].logRecords[0].body).toEqual({
      kvlistValue: {
        values: [
          { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { intValue: 2 } }] } } },
          { key: 'big', value: { stringValue: '1e+300' } },
        ],
      },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps times before the process started as epoch times', () => {
    const [record] = encoder.encode([{ ...base, timeUnixMs: 86_400_000.5, observedTimeUnixMs: 0 }]);
    expect(record?.hrTime).toEqual([86_400, 500_000]);
    expect(record?.hrTimeObserved).toEqual([0, 0]);
  });

  it('keeps every attribute of a record with more than the SDK default of 128', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`kora.a${index}`, index]));
    const [record] = encoder.encode([{ ...base, attributes: many }]);
    expect(Object.keys(record?.attributes ?? {})).toHaveLength(300);
    expect(record?.droppedAttributesCount).toBe(0);
  });

  it.each([
    [{ traceId: '0af7651916cd43dd8448eb211c80319c' }, 'records[0].spanId'],
    [{ spanId: 'b7ad6b7169203331' }, 'records[0].traceId'],
    [{ traceId: '0'.repeat(32), spanId: 'b7ad6b7169203331' }, 'records[0].traceId'],
    [{ traceId: 'xyz', spanId: 'b7ad6b7169203331' }, 'records[0].traceId'],
    [{ timeUnixMs: -1 }, 'records[0].timeUnixMs'],
    [{ observedTimeUnixMs: Number.NaN }, 'records[0].observedTimeUnixMs'],
    [{ severityNumber: 0 }, 'records[0].severityNumber'],
    [{ body: { when: new Date(0) } }, 'records[0].body.when: an object is not a plain JSON object'],
    [{ body: { n: [1, Number.POSITIVE_INFINITY] } }, 'records[0].body.n[1]: a number is not finite'],
    [{ body: { f: undefined } }, 'records[0].body.f: a undefined is not a JSON value'],
    [{ attributes: { '': 'x' } }, 'records[0].attributes: an attribute key is empty'],
  ] as Array<[Partial<OtelLogRecord>, string]>)('rejects a record that breaks the contract (%o)', (change, message) => {
    expect(() => encoder.encode([{ ...base, ...change }])).toThrow(message);
  });

  it('names only keys and fields in its errors, never values', () => {
    expect(() => encoder.encode([{ ...base, body: { token: { secret: Symbol('s3cret-value') } } }])).toThrow(
      /^records\[0\]\.body\.token\.secret: a symbol is not a JSON value$/,
    );
  });
});
