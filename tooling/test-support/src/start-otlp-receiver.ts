import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/** An OTLP AnyValue in the OTLP/JSON shape: int64 as decimal text, bytes as hex; `{}` when empty. */
export type OtlpAnyValue =
  | { readonly stringValue: string }
  | { readonly boolValue: boolean }
  | { readonly intValue: string }
  | { readonly doubleValue: number }
  | { readonly bytesValue: string }
  | { readonly arrayValue: { readonly values: readonly OtlpAnyValue[] } }
  | { readonly kvlistValue: { readonly values: readonly OtlpKeyValue[] } }
  | Readonly<Record<string, never>>;

/** An OTLP KeyValue. */
export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

/** A decoded LogRecord; unset fields carry their protobuf defaults (0, '', no body). */
export interface OtlpLogRecord {
  readonly timeUnixNano: string;
  readonly observedTimeUnixNano: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly eventName: string;
  readonly body: OtlpAnyValue | undefined;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
  /** Hex; '' when the record has none. */
  readonly traceId: string;
  /** Hex; '' when the record has none. */
  readonly spanId: string;
}

/** A decoded ScopeLogs. */
export interface OtlpScopeLogs {
  readonly scope: { readonly name: string; readonly version: string; readonly attributes: readonly OtlpKeyValue[] };
  readonly logRecords: readonly OtlpLogRecord[];
  readonly schemaUrl: string;
}

/** A decoded ResourceLogs. */
export interface OtlpResourceLogs {
  readonly resource: { readonly attributes: readonly OtlpKeyValue[]; readonly droppedAttributesCount: number };
  readonly scopeLogs: readonly OtlpScopeLogs[];
  readonly schemaUrl: string;
}

/** A decoded ExportLogsServiceRequest. */
export interface OtlpLogsRequest {
  readonly resourceLogs: readonly OtlpResourceLogs[];
}

/** One request the receiver acknowledged. */
export interface ReceivedOtlpRequest {
  readonly headers: IncomingHttpHeaders;
  readonly request: OtlpLogsRequest;
  readonly recordCount: number;
}

/** What the receiver does with the next requests instead of acknowledging them. */
export interface OtlpReceiverFailure {
  /** HTTP status to answer with, e.g. 503. */
  readonly status: number;
  /** Sent as Retry-After when given; 0 makes the OpenTelemetry exporter retry at once. */
  readonly retryAfterSeconds?: number;
}

/** A running OTLP/HTTP logs receiver. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>/v1/logs`. */
  readonly url: string;
  /** Acknowledged requests, decoded, in arrival order (empty when `keepRequests` is false). */
  readonly requests: readonly ReceivedOtlpRequest[];
  /** Every POST to /v1/logs, failed, hung and acknowledged alike. */
  attempts(): number;
  /** Log records in acknowledged requests. */
  acknowledgedRecordCount(): number;
  /** Answers the next `count` requests with `failure` (after decoding them) and acknowledges nothing. */
  failNext(count: number, failure: OtlpReceiverFailure): void;
  /** Never answers the next `count` requests; `close` ends them. */
  hangNext(count: number): void;
  /**
   * Acknowledges the next `count` requests before what is planned after: `acknowledgeNext(5)`
   * then `hangNext(1)` hangs the sixth request, wherever the sender is by then.
   */
  acknowledgeNext(count: number): void;
  /** Closes the server and every connection, hung ones included. */
  close(): Promise<void>;
}

/** Options for {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Keep each decoded request in `requests`. Default true; benches turn it off. */
  readonly keepRequests?: boolean;
}

/**
 * The static protobufjs module that `@opentelemetry/otlp-transformer` 0.214.0 generated from the
 * official opentelemetry-proto definitions. Its declaration file types it only as a Root, so the
 * few members used here are typed by hand.
 */
interface GeneratedMessageType {
  decode(reader: Uint8Array): Record<string, unknown>;
  encode(message: Record<string, unknown>): { finish(): Uint8Array };
}
interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        logs: { v1: { ExportLogsServiceRequest: GeneratedMessageType; ExportLogsServiceResponse: GeneratedMessageType } };
      };
    };
  };
}
const generated = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as GeneratedRoot;
const logsService = generated.opentelemetry.proto.collector.logs.v1;

/**
 * Decodes an OTLP ExportLogsServiceRequest (protobuf) with the generated official definitions.
 * Throws on bytes that are not one.
 */
export function decodeOtlpLogsRequest(body: Uint8Array): OtlpLogsRequest {
  return toLogsRequest(logsService.ExportLogsServiceRequest.decode(body));
}

function toLogsRequest(message: Record<string, unknown>): OtlpLogsRequest {
  return { resourceLogs: list(message.resourceLogs).map(toResourceLogs) };
}

/**
 * Starts a real OTLP/HTTP logs receiver on 127.0.0.1, port 0: POST /v1/logs with
 * `application/x-protobuf`, gzip or not, answered with an ExportLogsServiceResponse.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const keepRequests = options.keepRequests ?? true;
  const requests: ReceivedOtlpRequest[] = [];
  const planned: Array<OtlpReceiverFailure | 'hang' | 'acknowledge'> = [];
  let attempts = 0;
  let acknowledged = 0;
  const okBody = logsService.ExportLogsServiceResponse.encode({}).finish();

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      answer(response, 500, `receiver error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || new URL(request.url ?? '/', 'http://receiver').pathname !== '/v1/logs') {
      answer(response, 404, 'not found');
      return;
    }
    attempts += 1;
    if (request.headers['content-type'] !== 'application/x-protobuf') {
      answer(response, 415, 'expected application/x-protobuf');
      return;
    }
    let raw = Buffer.concat(chunks);
    const encoding = request.headers['content-encoding'];
    if (encoding === 'gzip') raw = gunzipSync(raw);
    else if (encoding !== undefined && encoding !== 'identity') {
      answer(response, 415, 'unsupported content-encoding');
      return;
    }
    let message: Record<string, unknown>;
    try {
      message = logsService.ExportLogsServiceRequest.decode(raw);
    } catch {
      answer(response, 400, 'not an ExportLogsServiceRequest');
      return;
    }
    const plan = planned.shift();
    if (plan === 'hang') return;
    if (plan !== undefined && plan !== 'acknowledge') {
      if (plan.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(plan.retryAfterSeconds));
      answer(response, plan.status, 'failing as planned');
      return;
    }
    const recordCount = list(message.resourceLogs)
      .flatMap((resourceLogs) => list(resourceLogs.scopeLogs))
      .reduce((sum, scopeLogs) => sum + list(scopeLogs.logRecords).length, 0);
    acknowledged += recordCount;
    if (keepRequests) requests.push({ headers: request.headers, request: toLogsRequest(message), recordCount });
    response.writeHead(200, { 'content-type': 'application/x-protobuf' });
    response.end(okBody);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the OTLP receiver has no port');

  return {
    url: `http://127.0.0.1:${address.port}/v1/logs`,
    requests,
    attempts: () => attempts,
    acknowledgedRecordCount: () => acknowledged,
    failNext(count, failure) {
      for (let index = 0; index < count; index += 1) planned.push(failure);
    },
    hangNext(count) {
      for (let index = 0; index < count; index += 1) planned.push('hang');
    },
    acknowledgeNext(count) {
      for (let index = 0; index < count; index += 1) planned.push('acknowledge');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function answer(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(message);
}

function list(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** int64 fields arrive as protobufjs Longs (or numbers for small values); both print as decimal. */
function int64(value: unknown): string {
  if (value === undefined || value === null) return '0';
  return typeof value === 'number' ? String(value) : (value as { toString(): string }).toString();
}

function hex(value: unknown): string {
  return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : '';
}

function toResourceLogs(resourceLogs: Record<string, unknown>): OtlpResourceLogs {
  const resource = (resourceLogs.resource ?? {}) as Record<string, unknown>;
  return {
    resource: {
      attributes: list(resource.attributes).map(toKeyValue),
      droppedAttributesCount: Number(resource.droppedAttributesCount ?? 0),
    },
    scopeLogs: list(resourceLogs.scopeLogs).map(toScopeLogs),
    schemaUrl: text(resourceLogs.schemaUrl),
  };
}

function toScopeLogs(scopeLogs: Record<string, unknown>): OtlpScopeLogs {
  const scope = (scopeLogs.scope ?? {}) as Record<string, unknown>;
  return {
    scope: { name: text(scope.name), version: text(scope.version), attributes: list(scope.attributes).map(toKeyValue) },
    logRecords: list(scopeLogs.logRecords).map(toLogRecord),
    schemaUrl: text(scopeLogs.schemaUrl),
  };
}

function toLogRecord(record: Record<string, unknown>): OtlpLogRecord {
  return {
    timeUnixNano: int64(record.timeUnixNano),
    observedTimeUnixNano: int64(record.observedTimeUnixNano),
    severityNumber: Number(record.severityNumber ?? 0),
    severityText: text(record.severityText),
    eventName: text(record.eventName),
    body: record.body === undefined || record.body === null ? undefined : toAnyValue(record.body as Record<string, unknown>),
    attributes: list(record.attributes).map(toKeyValue),
    droppedAttributesCount: Number(record.droppedAttributesCount ?? 0),
    flags: Number(record.flags ?? 0),
    traceId: hex(record.traceId),
    spanId: hex(record.spanId),
  };
}

function toKeyValue(keyValue: Record<string, unknown>): OtlpKeyValue {
  const value = keyValue.value;
  return {
    key: text(keyValue.key),
    value: value === undefined || value === null ? {} : toAnyValue(value as Record<string, unknown>),
  };
}

/** The generated code names the member set in AnyValue's `value` oneof. */
function toAnyValue(anyValue: Record<string, unknown>): OtlpAnyValue {
  switch (anyValue.value) {
    case 'stringValue':
      return { stringValue: text(anyValue.stringValue) };
    case 'boolValue':
      return { boolValue: anyValue.boolValue === true };
    case 'intValue':
      return { intValue: int64(anyValue.intValue) };
    case 'doubleValue':
      return { doubleValue: Number(anyValue.doubleValue) };
    case 'bytesValue':
      return { bytesValue: hex(anyValue.bytesValue) };
    case 'arrayValue':
      return { arrayValue: { values: list((anyValue.arrayValue as Record<string, unknown>).values).map(toAnyValue) } };
    case 'kvlistValue':
      return { kvlistValue: { values: list((anyValue.kvlistValue as Record<string, unknown>).values).map(toKeyValue) } };
    default:
      return {};
  }
}
