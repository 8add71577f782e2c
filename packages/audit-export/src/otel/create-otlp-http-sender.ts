import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** Where and how to send OTLP/HTTP protobuf log batches. */
export interface OtlpHttpSenderOptions {
  /** The receiver's full logs URL, e.g. `http://127.0.0.1:4318/v1/logs`. */
  readonly url: string;
  /** Extra request headers, e.g. an authorization header; never repeated in errors. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Budget for one `send`, the exporter's own retries included. Default 10000 ms. */
  readonly timeoutMillis?: number;
  /** Request body compression. Default `none`. */
  readonly compression?: 'gzip' | 'none';
}

/** Sends batches of SDK log records to an OTLP/HTTP receiver, one batch at a time. */
export interface OtlpHttpSender {
  /**
   * Resolves once the receiver acknowledged the batch (HTTP 2xx); rejects with an Error naming
   * the receiver and the status or network failure otherwise. Calls made while a batch is in
   * flight wait for it, so at most one request is ever outstanding.
   */
  send(records: readonly ReadableLogRecord[]): Promise<void>;
  /**
   * As {@link OtlpHttpSender.send}, for a batch already serialized as an OTLP/protobuf
   * `ExportLogsServiceRequest` (by the SDK's serializer, in another thread) holding `records`
   * records, and already gzipped when the sender's `compression` is `gzip`: the same transport,
   * retries and errors, one request in flight with `send`'s.
   */
  sendSerialized(body: Uint8Array, records: number): Promise<void>;
  /** Waits for the batch in flight, then releases the exporter. */
  shutdown(): Promise<void>;
}

/** The exporter's default budget per export, kept as ours. */
const DEFAULT_TIMEOUT_MILLIS = 10_000;

/**
 * Creates a sender over `@opentelemetry/exporter-logs-otlp-proto`'s OTLPLogExporter, calling its
 * `export` directly rather than through a batch processor, whose full queue drops records.
 *
 * Retries: within one `send` the exporter itself retries HTTP 429, 502, 503 and 504, timeouts and
 * connection errors, up to five times with backoff (1 s growing to 5 s, or the receiver's
 * Retry-After), as long as the next attempt starts within `timeoutMillis`. Any other status fails
 * at once. When `send` rejects, the batch was not acknowledged: the caller keeps its checkpoint
 * and sends the same batch again after its own backoff.
 *
 * A receiver's partial-success answer (some records rejected as invalid) still resolves: the
 * exporter only logs it through the OpenTelemetry diagnostic logger, as the OTLP specification
 * forbids retrying it.
 */
export function createOtlpHttpSender(options: OtlpHttpSenderOptions): OtlpHttpSender {
  const receiver = describeReceiver(options.url);
  const exporter = new OTLPLogExporter({
    url: options.url,
    headers: { ...options.headers },
    timeoutMillis: options.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS,
    compression: options.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    // One request in flight: a second export while one is pending would fail with
    // "Concurrent export limit reached" rather than wait.
    concurrencyLimit: 1,
  });
  // The same exporter's transport for bodies serialized (and compressed) elsewhere: the
  // serializer passes them on, and the transport sends them as they are, saying how they are.
  const serialized = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions(
      {
        url: options.url,
        headers: { ...options.headers, ...(options.compression === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}) },
        timeoutMillis: options.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS,
        compression: CompressionAlgorithm.NONE,
        concurrencyLimit: 1,
      },
      'LOGS',
      'v1/logs',
      { 'Content-Type': 'application/x-protobuf' },
    ),
    PASS_SERIALIZED,
    'otlp_http_log_exporter',
    SERIALIZED_METRICS,
    undefined,
  );
  let previous: Promise<unknown> = Promise.resolve();
  let isShutDown = false;

  function exportOnce(records: readonly ReadableLogRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      exporter.export([...records], (result: ExportResult) => {
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else reject(describeFailure(receiver, result.error));
      });
    });
  }

  function exportSerializedOnce(batch: SerializedBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      serialized.export(batch, (result: ExportResult) => {
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else reject(describeFailure(receiver, result.error));
      });
    });
  }

  // One request in flight: the next waits for this one whether it succeeds or fails.
  function queue(count: number, send: () => Promise<void>): Promise<void> {
    if (isShutDown) return Promise.reject(new Error('the OTLP sender was shut down'));
    if (count === 0) return Promise.resolve();
    const sent = previous.then(send);
    previous = sent.catch(() => undefined);
    return sent;
  }

  return {
    send: (records) => queue(records.length, () => exportOnce(records)),
    sendSerialized: (body, records) => queue(records, () => exportSerializedOnce({ body, records })),
    async shutdown() {
      isShutDown = true;
      await previous;
      await exporter.shutdown();
      await serialized.shutdown();
    },
  };
}

/** A batch serialized in another thread, and how many records it holds (for the exporter's own metrics). */
interface SerializedBatch {
  readonly body: Uint8Array;
  readonly records: number;
}

const PASS_SERIALIZED: ISerializer<SerializedBatch, unknown> = {
  serializeRequest: (batch) => batch.body,
  // The receiver's answer, read as the SDK reads it (a partial success is logged by the SDK).
  deserializeResponse: (data) => ProtobufLogsSerializer.deserializeResponse(data),
};

const SERIALIZED_METRICS: IExporterMetricsHelper<SerializedBatch> = { name: 'log', countItems: (batch) => batch.records };

/** The receiver as origin and path: credentials in the URL's user info or query stay out of errors. */
function describeReceiver(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('the OTLP endpoint is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`the OTLP endpoint must be http: or https:, not ${parsed.protocol}`);
  }
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * The exporter's failure as an Error that names the status or network error. The exporter's error
 * is not kept as the cause: it carries the response body, which a receiver may fill with anything.
 */
function describeFailure(receiver: string, error: Error | undefined): Error {
  const prefix = `OTLP receiver ${receiver} did not acknowledge the batch`;
  if (error === undefined) return new Error(`${prefix}: the exporter gave no reason`);
  const status = 'code' in error && typeof error.code === 'number' ? error.code : undefined;
  if (status !== undefined) {
    return new Error(`${prefix}: HTTP ${status}${error.message ? ` ${error.message}` : ''}`);
  }
  const networkCode = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (networkCode !== undefined) return new Error(`${prefix}: ${networkCode}`);
  if (error.message === 'Export failed with retryable status') {
    return new Error(`${prefix}: it kept answering with a retryable status (429, 502, 503 or 504) until the retries ran out`);
  }
  return new Error(`${prefix}: ${error.message}`);
}
