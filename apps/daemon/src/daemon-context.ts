import type { AuditLogger, AuditSink } from '@kora/audit-sink';
import type { BackgroundTasks } from './background-tasks.js';

/** What every part of the daemon shares: where audit events go, the clock, background work. */
export interface DaemonContext {
  /** Passed to every seam emit helper as its targets. */
  readonly audit: { readonly sink: AuditSink; readonly logger: AuditLogger };
  /** Milliseconds since the epoch; injected so tests can pin time. */
  readonly clock: () => number;
  /** Work that outlives the request that started it (a DM answered after Slack's 3 s ack). */
  readonly tasks: BackgroundTasks;
}
