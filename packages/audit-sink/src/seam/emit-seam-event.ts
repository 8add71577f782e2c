import type { AuditSink } from '../sink/audit-sink-types.js';
import { getDefaultAuditSink, getDefaultLogger } from '../sink/default-sink.js';
import type { Seam } from './define-seam.js';
import type { AuditLogger, EmitContext, EmitOutcome } from './emit-types.js';

/** Where a seam emit helper writes; both default to the process's own. */
export interface EmitTargets {
  /** The audit sink; defaults to the process sink configured from `KORA_AUDIT_*`. */
  readonly sink?: AuditSink | undefined;
  /** Where the verbatim line goes; defaults to the sink's process logger (pino). */
  readonly logger?: AuditLogger | undefined;
}

/**
 * Dual-write one event: the seam's verbatim line through the logger at the seam's level,
 * then the JSONL row. Both outputs are guarded by the same secret scan. Seam packages'
 * emit helpers end here.
 */
export function emitSeamEvent(seam: Seam, details: unknown, context?: EmitContext, targets: EmitTargets = {}): EmitOutcome {
  const sink = targets.sink ?? getDefaultAuditSink();
  return sink.emitWithLine(seam, details, context, targets.logger ?? getDefaultLogger());
}
