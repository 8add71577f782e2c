import { context, defaultTextMapGetter, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerTraceContext } from './register-trace-context.js';

const propagator = new W3CTraceContextPropagator();
// A traceparent is 55 characters; anything much longer is not one and is not looked at.
const MAX_TRACEPARENT_LENGTH = 256;

/**
 * The active context with the caller's span as its remote parent, from a W3C `traceparent`
 * value (a request's header, or a tools/call's `params._meta.traceparent`); undefined when the
 * value is absent or not a valid traceparent (wrong shape or version, upper case, all-zero ids):
 * such a value is ignored, never echoed or written.
 */
export function readRemoteTrace(traceparent: unknown): Context | undefined {
  if (typeof traceparent !== 'string' || traceparent.length > MAX_TRACEPARENT_LENGTH) return undefined;
  const extracted = propagator.extract(context.active(), { traceparent }, defaultTextMapGetter);
  const remote = trace.getSpanContext(extracted);
  return remote !== undefined && remote.isRemote === true && isSpanContextValid(remote) ? extracted : undefined;
}

/**
 * Run `work` inside the trace a caller sent as `traceparent`, so that the audit rows it writes
 * carry that trace id and, as their span id, the caller's span id (no span of the daemon's own
 * is started); `work` runs as it is when there is no valid traceparent.
 */
export function continueTrace<T>(traceparent: unknown, work: () => T): T {
  const remote = readRemoteTrace(traceparent);
  if (remote === undefined) return work();
  registerTraceContext();
  return context.with(remote, work);
}
