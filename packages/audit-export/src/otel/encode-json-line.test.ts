import { describe, expect, it } from 'vitest';
import { createOtelLogEncoder } from './create-otel-log-encoder.js';
import { encodeJsonLine } from './encode-json-line.js';
import type { OtelLogRecord } from './otel-log-record.js';

const encoder = createOtelLogEncoder({
  resource: { 'service.name': 'kora-daemon', 'host.name': 'audit-host-1' },
  scopeName: '@kora/audit-export',
  scopeVersion: '0.1.0',
});

const rejected: OtelLogRecord = {
  timeUnixMs: 1_764_000_000_123,
  observedTimeUnixMs: 1_764_000_060_000,
  severityNumber: 17,
  severityText: 'ERROR',
  eventName: 'kora.webhook_dead_letter',
  body: { reason: 'signature mismatch\nline two', attempts: 3, backoff: 1.5, final: true, extra: null, hops: ['a', 'b'] },
  attributes: { 'kora.seam': 'webhook_dead_letter', 'kora.row.seq': 12, 'kora.codes': [401, 403], 'kora.tags': ['x'] },
  traceId: '4BF92F3577B34DA6A3CE929D0E0E4736',
  spanId: '00F067AA0BA902B7',
};

describe('encodeJsonLine', () => {
  it('writes one line of OTLP/JSON with every field of the record', () => {
    const line = encodeJsonLine(encoder.encode([rejected]));
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'kora-daemon' } },
              { key: 'host.name', value: { stringValue: 'audit-host-1' } },
            ],
            droppedAttributesCount: 0,
          },
          scopeLogs: [
            {
              scope: { name: '@kora/audit-export', version: '0.1.0' },
              logRecords: [
                {
                  timeUnixNano: '1764000000123000000',
                  observedTimeUnixNano: '1764000060000000000',
                  severityNumber: 17,
                  severityText: 'ERROR',
                  eventName: 'kora.webhook_dead_letter',
                  body: {
                    kvlistValue: {
                      values: [
                        { key: 'reason', value: { stringValue: 'signature mismatch\nline two' } },
                        { key: 'attempts', value: { intValue: 3 } },
                        { key: 'backoff', value: { doubleValue: 1.5 } },
                        { key: 'final', value: { boolValue: true } },
                        { key: 'extra', value: {} },
                        { key: 'hops', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
                      ],
                    },
                  },
                  attributes: [
                    { key: 'kora.seam', value: { stringValue: 'webhook_dead_letter' } },
                    { key: 'kora.row.seq', value: { intValue: 12 } },
                    { key: 'kora.codes', value: { arrayValue: { values: [{ intValue: 401 }, { intValue: 403 }] } } },
                    { key: 'kora.tags', value: { arrayValue: { values: [{ stringValue: 'x' }] } } },
                  ],
                  droppedAttributesCount: 0,
                  flags: 0,
                  // OTLP/JSON carries ids as lowercase hex, not base64.
                  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                  spanId: '00f067aa0ba902b7',
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('groups a batch under one resource and one scope, in order', () => {
    const batch = [1, 2, 3].map((seq) => ({ ...rejected, attributes: { 'kora.row.seq': seq } }));
    const request = JSON.parse(encodeJsonLine(encoder.encode(batch))) as {
      resourceLogs: { scopeLogs: { logRecords: { attributes: unknown[] }[] }[] }[];
    };
    expect(request.resourceLogs).toHaveLength(1);
    expect(request.resourceLogs[0]?.scopeLogs).toHaveLength(1);
    expect(request.resourceLogs[0]?.scopeLogs[0]?.logRecords.map((record) => record.attributes)).toEqual(
      [1, 2, 3].map((seq) => [{ key: 'kora.row.seq', value: { intValue: seq } }]),
    );
  });

  it('omits trace ids for a row without a trace', () => {
    const untraced: OtelLogRecord = { ...rejected, traceId: undefined, spanId: undefined };
    const line = encodeJsonLine(encoder.encode([untraced]));
    expect(line).not.toContain('traceId');
    expect(line).not.toContain('spanId');
  });
});
