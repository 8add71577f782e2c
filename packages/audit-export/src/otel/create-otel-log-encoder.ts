import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import type { AnyValue, AnyValueMap } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { OtelLogRecord } from './otel-log-record.js';

/** What every record of one export shares: who produced it and which code mapped it. */
export interface OtelLogEncoderOptions {
  /** Resource attributes, e.g. `service.name` and `host.name`. */
  readonly resource: Readonly<Record<string, string>>;
  /** Instrumentation scope name, e.g. `@kora/audit-export`. */
  readonly scopeName: string;
  /** Instrumentation scope version. */
  readonly scopeVersion: string;
}

/** Turns neutral records into the OpenTelemetry SDK's log records, which the OTLP encoders take. */
export interface OtelLogEncoder {
  /**
   * The SDK's records for `records`, in order, one for one. Throws a TypeError naming the
   * record index and field when a record breaks the {@link OtelLogRecord} contract (a mapping bug).
   */
  encode(records: readonly OtelLogRecord[]): ReadableLogRecord[];
  /** Releases the logger provider; `encode` throws afterwards. */
  shutdown(): Promise<void>;
}

/** int64 bounds as doubles. */
const INT64_MAX_EXCLUSIVE = 2 ** 63;
const INT64_MIN = -(2 ** 63);
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * Creates an encoder backed by an `@opentelemetry/sdk-logs` LoggerProvider whose only processor
 * collects what the logger emits. The SDK's batch processor drops records when its queue is full;
 * this one hands every record back to the caller, who sends a batch only when the last one was
 * acknowledged, so nothing is dropped and nothing is held beyond one batch.
 */
export function createOtelLogEncoder(options: OtelLogEncoderOptions): OtelLogEncoder {
  let collected: ReadableLogRecord[] = [];
  const collector: LogRecordProcessor = {
    onEmit(logRecord: SdkLogRecord) {
      collected.push(logRecord);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ ...options.resource }),
    // Audit attributes are never truncated or dropped: the SDK's default keeps only 128.
    logRecordLimits: {
      attributeCountLimit: Number.POSITIVE_INFINITY,
      attributeValueLengthLimit: Number.POSITIVE_INFINITY,
    },
    processors: [collector],
  });
  const logger = provider.getLogger(options.scopeName, options.scopeVersion);
  let isShutDown = false;

  return {
    encode(records) {
      if (isShutDown) throw new Error('the OpenTelemetry log encoder was shut down');
      collected = [];
      for (const [index, record] of records.entries()) {
        const where = `records[${index}]`;
        const attributes = toAttributes(record.attributes, `${where}.attributes`);
        logger.emit({
          timestamp: toHrTime(record.timeUnixMs, `${where}.timeUnixMs`),
          observedTimestamp: toHrTime(record.observedTimeUnixMs, `${where}.observedTimeUnixMs`),
          severityNumber: toSeverityNumber(record.severityNumber, `${where}.severityNumber`),
          severityText: record.severityText,
          eventName: record.eventName,
          body: toAnyValueMap(record.body, `${where}.body`),
          attributes,
          context: toTraceContext(record, where),
        });
        const emitted = collected[index];
        // The SDK drops invalid attributes with only a diagnostic; an audit export must not.
        if (emitted === undefined || Object.keys(emitted.attributes).length !== Object.keys(attributes).length) {
          throw new TypeError(`${where}.attributes: the OpenTelemetry SDK rejected an attribute`);
        }
      }
      const result = collected;
      collected = [];
      return result;
    },
    async shutdown() {
      isShutDown = true;
      await provider.shutdown();
    },
  };
}

/**
 * Milliseconds to the SDK's [seconds, nanoseconds]. A plain number would not do: the SDK reads
 * numbers below half the process start time as `performance.now()` offsets.
 */
function toHrTime(unixMs: number, where: string): HrTime {
  if (!Number.isFinite(unixMs) || unixMs < 0) {
    throw new TypeError(`${where}: expected milliseconds since the Unix epoch`);
  }
  const seconds = Math.floor(unixMs / 1000);
  const nanos = Math.min(Math.round((unixMs - seconds * 1000) * 1e6), 999_999_999);
  return [seconds, nanos];
}

function toSeverityNumber(severityNumber: number, where: string): number {
  if (!Number.isInteger(severityNumber) || severityNumber < 1 || severityNumber > 24) {
    throw new TypeError(`${where}: expected an OpenTelemetry severity number (1-24)`);
  }
  return severityNumber;
}

/** A context holding the row's trace and span as a non-recording span, or the root context. */
function toTraceContext(record: OtelLogRecord, where: string) {
  const { traceId, spanId } = record;
  if (traceId === undefined && spanId === undefined) return ROOT_CONTEXT;
  // The SDK keeps a span context only when both ids are valid, so a lone id would vanish silently.
  const trace32 = traceId?.toLowerCase();
  const span16 = spanId?.toLowerCase();
  if (trace32 === undefined || !TRACE_ID.test(trace32) || trace32 === ZERO_TRACE_ID) {
    throw new TypeError(`${where}.traceId: expected 32 hex digits, not all zero, with a spanId`);
  }
  if (span16 === undefined || !SPAN_ID.test(span16) || span16 === ZERO_SPAN_ID) {
    throw new TypeError(`${where}.spanId: expected 16 hex digits, not all zero, with a traceId`);
  }
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: trace32,
    spanId: span16,
    // Rows do not record whether their trace was sampled.
    traceFlags: TraceFlags.NONE,
    isRemote: true,
  });
}

function toAttributes(attributes: OtelLogRecord['attributes'], where: string): AnyValueMap {
  for (const key of Object.keys(attributes)) {
    if (key === '') throw new TypeError(`${where}: an attribute key is empty`);
  }
  return toAnyValueMap(attributes, where);
}

/**
 * `object` as the SDK's AnyValueMap: the object itself when every value already is one (the
 * common case, which costs no copy), else a copy with integers outside int64 as text.
 */
function toAnyValueMap(object: Readonly<Record<string, unknown>>, where: string): AnyValueMap {
  return needsCopy(object, where) ? (copyAnyValue(object) as AnyValueMap) : (object as AnyValueMap);
}

/**
 * Whether `value`, a JSON value, holds an integer the SDK would wrap. Throws a TypeError naming
 * the path of a value that is not JSON.
 */
function needsCopy(value: unknown, where: string): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return false;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${where}: a number is not finite`);
      return isOutsideInt64(value);
    case 'object': {
      if (value === null) return false;
      let found = false;
      if (Array.isArray(value)) {
        for (const [index, item] of (value as unknown[]).entries()) {
          if (needsCopy(item, `${where}[${index}]`)) found = true;
        }
        return found;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError(`${where}: an object is not a plain JSON object`);
      }
      for (const [key, item] of Object.entries(value)) {
        if (needsCopy(item, `${where}.${key}`)) found = true;
      }
      return found;
    }
    default:
      throw new TypeError(`${where}: a ${typeof value} is not a JSON value`);
  }
}

/** A copy of a checked JSON value with every integer outside int64 as its decimal text. */
function copyAnyValue(value: unknown): AnyValue {
  if (typeof value === 'number') return isOutsideInt64(value) ? String(value) : value;
  if (typeof value !== 'object' || value === null) return value as AnyValue;
  if (Array.isArray(value)) return value.map(copyAnyValue);
  // A null prototype keeps a `__proto__` key an ordinary key.
  const copy = Object.create(null) as Record<string, AnyValue>;
  for (const [key, item] of Object.entries(value)) copy[key] = copyAnyValue(item);
  return copy;
}

/** The SDK writes every integral number as int64 and silently wraps those outside it. */
function isOutsideInt64(value: number): boolean {
  return Number.isInteger(value) && (value >= INT64_MAX_EXCLUSIVE || value < INT64_MIN);
}
