import { v7 as uuidv7 } from 'uuid';
import { AUDIT_SCHEMA_VERSION } from '../envelope/audit-envelope.js';
import { AUDIT_SOURCES } from '../envelope/seam-names.js';
import { redactText } from '../guard/redact-text.js';
import { redactValue } from '../guard/redact-value.js';
import type { RedactionFinding } from '../guard/guard-types.js';
import { isSeam } from '../seam/define-seam.js';
import type { Seam } from '../seam/define-seam.js';
import type { AuditLogger, EmitContext, EmitOutcome, SkipReason } from '../seam/emit-types.js';
import { AppendError, AppendFile } from './append-file.js';
import type { AuditSink, AuditSinkOptions, AuditSinkStats, FailurePolicy, SinkMode } from './audit-sink-types.js';
import { getDefaultLogger } from './default-sink.js';
import { registerExitFlush, unregisterExitFlush } from './exit-hooks.js';
import { fitRowToCap } from './fit-row-to-cap.js';
import { resolveAuditLogPath } from './resolve-audit-log-path.js';

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_FLUSH_INTERVAL_MS = 1000;
const DEFAULT_MAX_ROW_BYTES = 16 * 1024;
// Rows kept for retry while the disk refuses writes; beyond this the oldest are dropped.
const MAX_PENDING_ROWS = 10_000;
// A full disk fails every write: warn once, then at most once a minute with a count.
const WRITE_WARNING_INTERVAL_MS = 60_000;
const MAX_CALLER_SESSION_ID_LENGTH = 256;

const sourceSet: ReadonlySet<string> = new Set(AUDIT_SOURCES);

/**
 * Create an audit sink writing JSONL rows to one append-only file.
 *
 * Every emit runs the same steps: the seam must be registered; every string in the details
 * and the caller session is scanned for secrets and redacted; the details must pass the
 * seam's strict allow-list; the row is serialized in envelope key order and appended in one
 * `write`. In best-effort mode (the default) nothing here throws: a skipped or failed row
 * is a `{ ok: false }` outcome, a `[kora.audit.skipped]` warning and a counter.
 */
export function createAuditSink(options: AuditSinkOptions = {}): AuditSink {
  const path = options.path ?? resolveAuditLogPath();
  const clock = options.clock ?? Date.now;
  const failure: FailurePolicy = options.failure ?? 'best-effort';
  const requestedBatch = options.batchSize ?? 0;
  const mode: SinkMode = options.mode ?? (requestedBatch > 0 ? 'batched' : 'sync');
  const batchSize = mode === 'batched' ? Math.max(1, requestedBatch || DEFAULT_BATCH_SIZE) : 1;
  const flushIntervalMs = Math.max(1, options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
  const maxRowBytes = Math.max(1024, options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES);
  const logger = (): AuditLogger => options.logger ?? getDefaultLogger();
  // Rows in `required` mode are acknowledged only once written, so they never wait in a batch.
  const writesImmediately = mode === 'sync' || failure === 'required';

  const file = new AppendFile(path, clock);
  let pending: string[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  let closed = false;

  const counters = {
    rowsWritten: 0,
    redacted: 0,
    truncated: 0,
    writeFailures: 0,
    skipped: {} as Partial<Record<SkipReason, number>>,
    lastError: null as { code: string; at: string } | null,
  };
  let lastWriteWarningAt = Number.NEGATIVE_INFINITY;
  let suppressedWriteWarnings = 0;

  function warn(message: string): void {
    try {
      logger().warn(message);
    } catch {
      // A broken logger must not turn an audit warning into a crash of the caller.
    }
  }

  function skip(reason: SkipReason, seamName: string, detail: string, rows = 1): void {
    counters.skipped[reason] = (counters.skipped[reason] ?? 0) + rows;
    warn(`[kora.audit.skipped] seam=${seamName} reason=${reason}${detail}`);
  }

  function recordWriteFailure(error: AppendError, rowsLost: number): void {
    counters.writeFailures += 1;
    counters.lastError = { code: error.code, at: new Date(clock()).toISOString() };
    if (rowsLost > 0) counters.skipped.write_failed = (counters.skipped.write_failed ?? 0) + rowsLost;
    const now = clock();
    if (now - lastWriteWarningAt < WRITE_WARNING_INTERVAL_MS) {
      suppressedWriteWarnings += 1;
      return;
    }
    lastWriteWarningAt = now;
    const suppressed = suppressedWriteWarnings > 0 ? ` suppressed=${suppressedWriteWarnings}` : '';
    suppressedWriteWarnings = 0;
    warn(
      `[kora.audit.skipped] reason=write_failed code=${error.code} rows=${rowsLost}${suppressed} path=${path}`,
    );
  }

  /** Write all pending rows in one `write`; keep what did not reach the file for the next try. */
  function writePending(): boolean {
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    if (pending.length === 0) return true;
    const batch = pending;
    pending = [];
    try {
      file.append(batch.join(''));
      counters.rowsWritten += batch.length;
      return true;
    } catch (error) {
      const appendError = error instanceof AppendError ? error : new AppendError('EUNKNOWN', 0, { cause: error });
      const landed = countWholeLines(batch, appendError.bytesWritten);
      counters.rowsWritten += landed;
      // The row cut by a partial write is torn in the file: retrying it would duplicate its
      // head, so it counts as lost; rows after it are kept for the next flush.
      const torn = appendError.bytesWritten > 0 && landed < batch.length ? 1 : 0;
      let retry = batch.slice(landed + torn);
      let dropped = torn;
      if (!writesImmediately && retry.length + pending.length > MAX_PENDING_ROWS) {
        const overflow = retry.length + pending.length - MAX_PENDING_ROWS;
        retry = retry.slice(overflow);
        dropped += overflow;
      }
      if (writesImmediately) {
        dropped += retry.length;
        retry = [];
      }
      pending = [...retry, ...pending];
      recordWriteFailure(appendError, dropped);
      return false;
    }
  }

  function scheduleFlush(): void {
    if (flushTimer !== null) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      writePending();
      if (pending.length > 0) scheduleFlush();
    }, flushIntervalMs);
    // A waiting batch must not keep the process alive; exit hooks flush it instead.
    flushTimer.unref();
  }

  const exitFlush = { flushSync: () => void writePending() };
  if (!writesImmediately && options.flushOnExit !== false) registerExitFlush(exitFlush);

  function record(seam: Seam, details: unknown, context: EmitContext | undefined, lineLogger?: AuditLogger): EmitOutcome {
    if (!isSeam(seam)) {
      const name = typeof (seam as { name?: unknown } | null)?.name === 'string' ? (seam as { name: string }).name : '?';
      skip('unknown_seam', sanitizeToken(name), '');
      return { ok: false, reason: 'unknown_seam' };
    }

    // One scan guards both outputs: the line is formatted from the redacted values.
    const findings: RedactionFinding[] = [];
    const guardedDetails = redactValue(details, 'details');
    findings.push(...guardedDetails.findings);
    let callerSessionId: unknown = context?.caller_session_id ?? null;
    if (typeof callerSessionId === 'string') {
      const guarded = redactText(callerSessionId);
      callerSessionId = guarded.text;
      for (const rule of guarded.rules) findings.push({ rule, path: 'caller_session_id' });
    }
    if (findings.length > 0) {
      counters.redacted += findings.length;
      const rules = [...new Set(findings.map((finding) => finding.rule))].join(',');
      const paths = [...new Set(findings.map((finding) => finding.path))].join(',');
      warn(`[kora.audit.redacted] seam=${seam.name} rules=${rules} paths=${paths}`);
    }

    if (lineLogger !== undefined) logLine(seam, guardedDetails.value, callerSessionId, lineLogger);
    if (closed) {
      skip('sink_closed', seam.name, '');
      return { ok: false, reason: 'sink_closed' };
    }

    const parsed = seam.details.safeParse(guardedDetails.value);
    if (!parsed.success) {
      skip('invalid_details', seam.name, ` keys=${describeIssues(parsed.error.issues)}`);
      return { ok: false, reason: 'invalid_details' };
    }
    const source = context?.source === undefined ? seam.source : context.source;
    if (source !== null && !sourceSet.has(source)) {
      skip('invalid_envelope', seam.name, ' keys=source');
      return { ok: false, reason: 'invalid_envelope' };
    }
    if (
      callerSessionId !== null &&
      (typeof callerSessionId !== 'string' || callerSessionId.length > MAX_CALLER_SESSION_ID_LENGTH)
    ) {
      skip('invalid_envelope', seam.name, ' keys=caller_session_id');
      return { ok: false, reason: 'invalid_envelope' };
    }

    const id = uuidv7();
    const row = fitRowToCap(
      {
        v: AUDIT_SCHEMA_VERSION,
        id,
        emitted_at: new Date(clock()).toISOString(),
        seam: seam.name,
        source,
        caller_session_id: callerSessionId,
        details: parsed.data,
      },
      maxRowBytes,
    );
    if (row.truncated) {
      counters.truncated += 1;
      warn(`[kora.audit.truncated] seam=${seam.name} bytes=${row.originalBytes} max=${maxRowBytes}`);
    }

    pending.push(row.line);
    if (writesImmediately || pending.length >= batchSize) {
      const written = writePending();
      if (!written && writesImmediately) return { ok: false, reason: 'write_failed', id };
    } else {
      scheduleFlush();
    }
    return { ok: true, id };
  }

  function emitSafely(seam: Seam, details: unknown, context: EmitContext | undefined, lineLogger?: AuditLogger): EmitOutcome {
    try {
      return record(seam, details, context, lineLogger);
    } catch (error) {
      // Only a bug gets here (the steps above handle their own failures).
      if (failure === 'required') throw error;
      skip('invalid_details', seamNameOf(seam), ` error=${sanitizeToken((error as Error | null)?.name ?? 'Error')}`);
      return { ok: false, reason: 'invalid_details' };
    }
  }

  return {
    path,
    mode,
    failure,
    emit: (seam, details, context) => emitSafely(seam, details, context),
    emitWithLine: (seam, details, context, lineLogger) => emitSafely(seam, details, context, lineLogger),
    flush: () => {
      writePending();
      return Promise.resolve();
    },
    close: () => {
      if (!closed) {
        closed = true;
        writePending();
        unregisterExitFlush(exitFlush);
        file.close();
      }
      return Promise.resolve();
    },
    reopen: () => file.reopen(),
    stats: (): AuditSinkStats => ({
      rowsWritten: counters.rowsWritten,
      rowsPending: pending.length,
      skipped: { ...counters.skipped },
      redacted: counters.redacted,
      truncated: counters.truncated,
      writeFailures: counters.writeFailures,
      lastError: counters.lastError,
      reopens: file.reopens,
    }),
  };
}

function logLine(seam: Seam, details: unknown, callerSessionId: unknown, lineLogger: AuditLogger): void {
  let line: string;
  try {
    const record = typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
    line = seam.formatLine(record, { caller_session_id: typeof callerSessionId === 'string' ? callerSessionId : null });
  } catch {
    line = `[kora.${seam.name}] unformattable=True`;
  }
  try {
    if (seam.level === 'warn') lineLogger.warn(line);
    else lineLogger.info(line);
  } catch {
    // The row still gets written when the line's logger fails.
  }
}

/** How many of `lines` lie wholly within the first `bytes` bytes of their concatenation. */
function countWholeLines(lines: readonly string[], bytes: number): number {
  let remaining = bytes;
  let count = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, 'utf8');
    if (size > remaining) break;
    remaining -= size;
    count += 1;
  }
  return count;
}

function seamNameOf(seam: unknown): string {
  const name = (seam as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? sanitizeToken(name) : '?';
}

// Warnings name keys and rule ids; anything else printed in one is reduced to a safe token.
function sanitizeToken(text: string): string {
  const cleaned = text.replace(/[^\w.:-]/g, '_');
  return cleaned.length > 64 ? `${cleaned.slice(0, 64)}...` : cleaned;
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; code: string; keys?: readonly string[] }[]): string {
  const described = new Set<string>();
  for (const issue of issues) {
    const base = ['details', ...issue.path.map((part) => sanitizeToken(String(part)))].join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys !== undefined) {
      for (const key of issue.keys) described.add(`${base}.${sanitizeToken(key)}(unknown)`);
    } else {
      described.add(`${base}(${issue.code})`);
    }
  }
  return [...described].join(',');
}
