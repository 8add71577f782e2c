import type { FailurePolicy } from '@kora/audit-sink';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { createBackgroundTasks } from '../background-tasks.js';
import type { DaemonContext } from '../daemon-context.js';

/** A daemon context over a real temp audit file and an in-memory pino logger. */
export interface TestContext extends CaptureSink {
  readonly context: DaemonContext;
  /** Names of background tasks that threw. */
  readonly failedTasks: string[];
}

/** Make a context for one test, best-effort unless `failure` says otherwise; call `cleanup()` afterwards. */
export function createTestContext(clock: () => number = Date.now, options: { readonly failure?: FailurePolicy } = {}): TestContext {
  const capture = createCaptureSink({ clock, ...options });
  const failedTasks: string[] = [];
  const tasks = createBackgroundTasks((name) => failedTasks.push(name));
  return {
    ...capture,
    failedTasks,
    context: { audit: { sink: capture.sink, logger: capture.logger }, clock, tasks },
  };
}
