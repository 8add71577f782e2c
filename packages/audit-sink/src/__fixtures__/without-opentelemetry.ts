// Loaded with --import before a child's code: `@opentelemetry/api` cannot be found by require,
// as where it is not installed. Each refused lookup is counted in globalThis.openTelemetryLookups.
import Module from 'node:module';

type Resolve = (request: string, ...rest: unknown[]) => string;
const modules = Module as unknown as { _resolveFilename: Resolve };
const resolve = modules._resolveFilename;
const counter = globalThis as { openTelemetryLookups?: number };
counter.openTelemetryLookups = 0;
modules._resolveFilename = function resolveWithoutOpenTelemetry(this: unknown, request: string, ...rest: unknown[]): string {
  if (request === '@opentelemetry/api') {
    counter.openTelemetryLookups = (counter.openTelemetryLookups ?? 0) + 1;
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
