import { gzipSync } from 'node:zlib';
import { startOtlpReceiver } from '@kora/test-support';
import type { OtlpAnyValue, OtlpLogRecord, OtlpReceiver } from '@kora/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtelLogEncoder } from './create-otel-log-encoder.js';
import type { OtelLogEncoder } from './create-otel-log-encoder.js';
import { createOtlpHttpSender } from './create-otlp-http-sender.js';
import { createOtlpProtobufEncoder } from './create-otlp-protobuf-encoder.js';
import type { OtlpHttpSender } from './create-otlp-http-sender.js';
import type { OtelLogRecord } from './otel-log-record.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

const toolCall: OtelLogRecord = {
  timeUnixMs: 1_764_000_000_123,
  observedTimeUnixMs: 1_764_000_060_456.25,
  severityNumber: 13,
  severityText: 'WARN',
  eventName: 'kora.mcp_tool_called',
  body: { tool: 'search', args_keys: ['q', 'limit'], duration_ms: 42, ratio: 0.5, ok: false, note: null, nested: { depth: 2 } },
  attributes: {
    'kora.seam': 'mcp_tool_called',
    'kora.row.seq': 7,
    'kora.score': 0.25,
    'kora.redacted': true,
    'kora.keys': ['a', 'b'],
    'kora.sizes': [1, 2, 3],
  },
  traceId: TRACE_ID,
  spanId: SPAN_ID,
};

let receiver: OtlpReceiver;
let encoder: OtelLogEncoder;
let sender: OtlpHttpSender | undefined;

beforeEach(async () => {
  receiver = await startOtlpReceiver();
  encoder = createOtelLogEncoder({
    resource: { 'service.name': 'kora-daemon', 'host.name': 'audit-host-1' },
    scopeName: '@kora/audit-export',
    scopeVersion: '0.1.0',
  });
});

afterEach(async () => {
  await sender?.shutdown();
  sender = undefined;
  await encoder.shutdown();
  await receiver.close();
});

function onlyRecord(): OtlpLogRecord {
  const [received] = receiver.requests;
  const record = received?.request.resourceLogs[0]?.scopeLogs[0]?.logRecords[0];
  if (record === undefined) throw new Error('the receiver got no record');
  return record;
}

describe('createOtlpHttpSender', () => {
  it('delivers every field of a record, decoded with the official OTLP definitions', async () => {
    sender = createOtlpHttpSender({ url: receiver.url });
    await sender.send(encoder.encode([toolCall]));

    expect(receiver.requests).toHaveLength(1);
    const [resourceLogs] = receiver.requests[0]?.request.resourceLogs ?? [];
    expect(resourceLogs?.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'kora-daemon' } },
      { key: 'host.name', value: { stringValue: 'audit-host-1' } },
    ]);
    expect(resourceLogs?.scopeLogs).toHaveLength(1);
    expect(resourceLogs?.scopeLogs[0]?.scope).toEqual({ name: '@kora/audit-export', version: '0.1.0', attributes: [] });
    expect(onlyRecord()).toEqual({
      timeUnixNano: '1764000000123000000',
      observedTimeUnixNano: '1764000060456250000',
      severityNumber: 13,
      severityText: 'WARN',
      eventName: 'kora.mcp_tool_called',
      body: {
        kvlistValue: {
          values: [
            { key: 'tool', value: { stringValue: 'search' } },
            { key: 'args_keys', value: { arrayValue: { values: [{ stringValue: 'q' }, { stringValue: 'limit' }] } } },
            { key: 'duration_ms', value: { intValue: '42' } },
            { key: 'ratio', value: { doubleValue: 0.5 } },
            { key: 'ok', value: { boolValue: false } },
            { key: 'note', value: {} },
            { key: 'nested', value: { kvlistValue: { values: [{ key: 'depth', value: { intValue: '2' } }] } } },
          ],
        },
      },
      attributes: [
        { key: 'kora.seam', value: { stringValue: 'mcp_tool_called' } },
        { key: 'kora.row.seq', value: { intValue: '7' } },
        { key: 'kora.score', value: { doubleValue: 0.25 } },
        { key: 'kora.redacted', value: { boolValue: true } },
        { key: 'kora.keys', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
        {
          key: 'kora.sizes',
          value: { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }, { intValue: '3' }] } },
        },
      ],
      droppedAttributesCount: 0,
      flags: 0,
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    });
    expect(receiver.acknowledgedRecordCount()).toBe(1);
  });

  it('leaves trace_id and span_id empty for a row without a trace', async () => {
    sender = createOtlpHttpSender({ url: receiver.url });
    const untraced: OtelLogRecord = { ...toolCall, traceId: undefined, spanId: undefined };
    await sender.send(encoder.encode([untraced]));
    expect(onlyRecord()).toMatchObject({ traceId: '', spanId: '' });
  });

  it('sends a gzip body when asked and keeps a batch in one request, in order', async () => {
    sender = createOtlpHttpSender({ url: receiver.url, compression: 'gzip' });
    const batch = Array.from({ length: 2000 }, (_, index) => ({ ...toolCall, attributes: { 'kora.row.seq': index } }));
    await sender.send(encoder.encode(batch));
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['content-encoding']).toBe('gzip');
    const records = receiver.requests[0]?.request.resourceLogs[0]?.scopeLogs[0]?.logRecords ?? [];
    expect(records.map((record) => record.attributes[0]?.value)).toEqual(
      batch.map((_, index): OtlpAnyValue => ({ intValue: String(index) })),
    );
  });

  it('sends the configured headers', async () => {
    sender = createOtlpHttpSender({ url: receiver.url, headers: { authorization: 'Bearer t0ken-value' } });
    await sender.send(encoder.encode([toolCall]));
    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer t0ken-value');
  });

  it('resolves once the exporter has retried a 503 the receiver then acknowledges', async () => {
    receiver.failNext(2, { status: 503, retryAfterSeconds: 0 });
    sender = createOtlpHttpSender({ url: receiver.url });
    await sender.send(encoder.encode([toolCall]));
    expect(receiver.attempts()).toBe(3);
    expect(receiver.acknowledgedRecordCount()).toBe(1);
  });

  it('rejects after the exporter gives up on 503s, and nothing is acknowledged', async () => {
    receiver.failNext(100, { status: 503, retryAfterSeconds: 0 });
    sender = createOtlpHttpSender({ url: receiver.url, headers: { authorization: 'Bearer s3cret-value' } });
    const sent = sender.send(encoder.encode([toolCall]));
    await expect(sent).rejects.toThrow(
      `OTLP receiver ${receiver.url} did not acknowledge the batch: it kept answering with a retryable status`,
    );
    await expect(sent).rejects.not.toThrow(/s3cret/);
    // The first attempt and the exporter's five retries.
    expect(receiver.attempts()).toBe(6);
    expect(receiver.acknowledgedRecordCount()).toBe(0);
  });

  it('rejects at once with the status of a non-retryable answer', async () => {
    receiver.failNext(1, { status: 400 });
    sender = createOtlpHttpSender({ url: receiver.url });
    await expect(sender.send(encoder.encode([toolCall]))).rejects.toThrow(
      `OTLP receiver ${receiver.url} did not acknowledge the batch: HTTP 400 Bad Request`,
    );
    expect(receiver.attempts()).toBe(1);
    expect(receiver.acknowledgedRecordCount()).toBe(0);
  });

  it('rejects when the receiver never answers within the timeout', async () => {
    receiver.hangNext(1);
    sender = createOtlpHttpSender({ url: receiver.url, timeoutMillis: 200 });
    await expect(sender.send(encoder.encode([toolCall]))).rejects.toThrow(
      `OTLP receiver ${receiver.url} did not acknowledge the batch: Request timed out`,
    );
    expect(receiver.acknowledgedRecordCount()).toBe(0);
  });

  it('rejects when nothing listens, naming the network error', async () => {
    const closed = await startOtlpReceiver();
    await closed.close();
    sender = createOtlpHttpSender({ url: closed.url, timeoutMillis: 300 });
    await expect(sender.send(encoder.encode([toolCall]))).rejects.toThrow(
      `OTLP receiver ${closed.url} did not acknowledge the batch: ECONNREFUSED`,
    );
  });

  it('keeps credentials in the endpoint URL out of its errors', async () => {
    receiver.failNext(1, { status: 401 });
    const withCredentials = receiver.url.replace('http://', 'http://user:pa55word@') + '?token=abc123';
    sender = createOtlpHttpSender({ url: withCredentials });
    const sent = sender.send(encoder.encode([toolCall]));
    await expect(sent).rejects.toThrow(`OTLP receiver ${receiver.url} did not acknowledge the batch: HTTP 401`);
    await expect(sent).rejects.not.toThrow(/pa55word|abc123/);
  });

  it('sends overlapping batches one after another, in order', async () => {
    // The exporter allows one request in flight; without the sender's queue the later batches would fail.
    const current = createOtlpHttpSender({ url: receiver.url });
    sender = current;
    const batches = Array.from({ length: 5 }, (_, index) => encoder.encode([{ ...toolCall, attributes: { 'kora.row.seq': index } }]));
    await Promise.all(batches.map((batch) => current.send(batch)));
    expect(receiver.requests.map((request) => request.request.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.attributes)).toEqual(
      batches.map((_, index) => [{ key: 'kora.row.seq', value: { intValue: String(index) } }]),
    );
  });

  it('rejects an endpoint that is not an http URL', () => {
    expect(() => createOtlpHttpSender({ url: 'file:///tmp/x' })).toThrow('must be http: or https:');
    expect(() => createOtlpHttpSender({ url: 'not a url' })).toThrow('not a valid URL');
  });

  describe('sendSerialized, for bodies serialized in other threads', () => {
    const batchOf = (from: number, count: number): OtelLogRecord[] =>
      Array.from({ length: count }, (_, index) => ({ ...toolCall, attributes: { 'kora.row.seq': from + index } }));
    const sequence = (): unknown[] =>
      receiver.requests.flatMap((request) =>
        request.request.resourceLogs.flatMap((resource) =>
          resource.scopeLogs.flatMap((scope) => scope.logRecords.map((record) => record.attributes[0]?.value)),
        ),
      );

    it.each(['none', 'gzip'] as const)(
      'delivers parts serialized (and compressed: %s) one by one and joined as one request',
      async (compression) => {
        sender = createOtlpHttpSender({ url: receiver.url, compression });
        const encode = createOtlpProtobufEncoder(encoder);
        const body = (records: OtelLogRecord[]): Uint8Array => (compression === 'gzip' ? gzipSync(encode(records)) : encode(records));
        await sender.sendSerialized(Buffer.concat([body(batchOf(0, 3)), body(batchOf(3, 2))]), 5);
        await sender.sendSerialized(body(batchOf(5, 1)), 1);
        // Two requests: the first is the two parts, read by the receiver as one message.
        expect(receiver.requests).toHaveLength(2);
        expect(sequence()).toEqual(['0', '1', '2', '3', '4', '5'].map((intValue) => ({ intValue })));
        expect(receiver.acknowledgedRecordCount()).toBe(6);
      },
    );

    it('fails as send fails, naming the status and not the body, and queues behind send', async () => {
      sender = createOtlpHttpSender({ url: receiver.url });
      const encode = createOtlpProtobufEncoder(encoder);
      receiver.failNext(1, { status: 400 });
      await expect(sender.sendSerialized(encode(batchOf(0, 1)), 1)).rejects.toThrow(
        `OTLP receiver ${receiver.url} did not acknowledge the batch: HTTP 400 Bad Request`,
      );
      const current = sender;
      await Promise.all([current.send(encoder.encode(batchOf(1, 1))), current.sendSerialized(encode(batchOf(2, 1)), 1)]);
      expect(sequence()).toEqual([{ intValue: '1' }, { intValue: '2' }]);
    });

    it('sends nothing for an empty batch, and refuses after shutdown', async () => {
      const current = createOtlpHttpSender({ url: receiver.url });
      await current.sendSerialized(new Uint8Array(0), 0);
      expect(receiver.attempts()).toBe(0);
      await current.shutdown();
      await expect(current.sendSerialized(createOtlpProtobufEncoder(encoder)(batchOf(0, 1)), 1)).rejects.toThrow('shut down');
    });
  });
});
