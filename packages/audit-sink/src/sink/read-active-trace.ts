import { createRequire } from 'node:module';
import { isRowSpanId, isRowTraceId } from '../envelope/row-layout.js';

/** The W3C trace and span a row or line was made in. */
export interface ActiveTrace {
  /** 32 lower-case hex digits, not all zeros. */
  readonly trace_id: string;
  /** 16 lower-case hex digits, not all zeros. */
  readonly span_id: string;
}

// The part of `@opentelemetry/api` read here: the active span's context.
interface TraceApi {
  readonly trace: {
    getActiveSpan(): { spanContext(): { traceId: unknown; spanId: unknown } } | undefined;
  };
}

// Undefined until the first look; null when `@opentelemetry/api` is not installed (or broken).
let api: TraceApi | null | undefined;

function loadApi(): TraceApi | null {
  try {
    const loaded = createRequire(import.meta.url)('@opentelemetry/api') as Partial<TraceApi> | undefined;
    return typeof loaded?.trace?.getActiveSpan === 'function' ? (loaded as TraceApi) : null;
  } catch {
    // An optional peer: without it rows carry no trace fields.
    return null;
  }
}

/**
 * The trace and span active in the current context, when `@opentelemetry/api` is installed and
 * a span (or a remote span context) is active there; undefined otherwise. The package is looked
 * for once, on the first call; without it, each call costs one comparison. Ids that are not
 * valid W3C ids (wrong length, not hex, all zeros) are no trace: a row never carries them. An
 * upper-case id is written in lower case, as Trace Context spells it.
 */
export function readActiveTrace(): ActiveTrace | undefined {
  if (api === undefined) api = loadApi();
  if (api === null) return undefined;
  let traceId: unknown;
  let spanId: unknown;
  try {
    const span = api.trace.getActiveSpan();
    if (span === undefined) return undefined;
    ({ traceId, spanId } = span.spanContext());
  } catch {
    // A broken span or context manager costs the row its trace fields, nothing more.
    return undefined;
  }
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined;
  const trace = isRowTraceId(traceId) ? traceId : traceId.toLowerCase();
  const span = isRowSpanId(spanId) ? spanId : spanId.toLowerCase();
  return isRowTraceId(trace) && isRowSpanId(span) ? { trace_id: trace, span_id: span } : undefined;
}
