import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

let registered = false;

/**
 * Make the OpenTelemetry context follow async work (AsyncLocalStorage), so that a trace
 * continued from a request is still active when its audit rows are written. Once per process;
 * a context manager the application registered first (an OpenTelemetry SDK) is kept.
 */
export function registerTraceContext(): void {
  if (registered) return;
  registered = true;
  const manager = new AsyncLocalStorageContextManager();
  if (!context.setGlobalContextManager(manager.enable())) manager.disable();
}
