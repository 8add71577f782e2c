import { nextRowId } from './next-row-id.js';
import { AUDIT_SCHEMA_VERSION } from '../envelope/audit-envelope.js';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { AUDIT_SOURCES } from '../envelope/seam-names.js';
import { MAX_CALLER_SESSION_ID_LENGTH } from '../envelope/row-layout.js';
import { escapeJsonControls } from '../format/escape-json-controls.js';
import { mayHoldSecret } from '../guard/find-secrets.js';
import { redactText } from '../guard/redact-text.js';
import { redactValue } from '../guard/redact-value.js';
import type { RedactionFinding } from '../guard/guard-types.js';
import { auditClosedSeam } from '../lifecycle/audit-closed.js';
import type { AuditClosedDetails } from '../lifecycle/audit-closed.js';
import { auditLostSeam } from '../lifecycle/audit-lost.js';
import { auditOpenedSeam } from '../lifecycle/audit-opened.js';
import { createWriterLedger } from '../lifecycle/create-writer-ledger.js';
import { describeWriter } from '../lifecycle/describe-writer.js';
import type { CloseTrigger, LossReason } from '../lifecycle/loss-reasons.js';
import { isSeam } from '../seam/define-seam.js';
import type { Seam } from '../seam/define-seam.js';
import type { AuditLineFields, AuditLogger, EmitContext, EmitOutcome, SkipReason } from '../seam/emit-types.js';
import { AppendFile } from './append-file.js';
import type { AuditSink, AuditSinkOptions, AuditSinkStats } from './audit-sink-types.js';
import { createSinkFileWriter } from './create-sink-file-writer.js';
import { getDefaultLogger } from './default-sink.js';
import { logAuditLine } from './log-audit-line.js';
import { registerExitFlush, unregisterExitFlush } from './exit-hooks.js';
import { fitRowToCap } from './fit-row-to-cap.js';
import { parseRedactedDetails, parseSafely, readParseIssues } from './parse-redacted-details.js';
import type { ZodIssueLike } from './parse-redacted-details.js';
import { registerHangupReopen, unregisterHangupReopen } from './reopen-on-hangup.js';
import { readActiveTrace } from './read-active-trace.js';
import { readSinkSettings } from './read-sink-settings.js';
import { formatEmittedAt, serializeRow } from './serialize-row.js';

const sourceSet: ReadonlySet<string> = new Set(AUDIT_SOURCES);

/**
 * Create an audit sink writing JSONL rows to one append-only file.
 *
 * Every emit runs the same steps: the seam must be registered; every string in the details
 * and the caller session is scanned for secrets and redacted; the details must pass the
 * seam's strict allow-list; the row is serialized in envelope key order and appended in one
 * `write`. In best-effort mode (the default) nothing here throws: a skipped or failed row
 * is a `{ ok: false }` outcome, a `[kora.audit.skipped]` warning and a counter.
 *
 * Options that are given must be valid: an option of the wrong type throws a TypeError, a
 * number out of its range (see {@link AuditSinkOptions}) or an unknown `mode` or `failure` a
 * RangeError, here, before any file is opened.
 */
export function createAuditSink(options: AuditSinkOptions = {}): AuditSink {
  const settings = readSinkSettings(options);
  // Checked as a caller without types may pass it.
  const argsDigester = options.argsDigester as { readonly digest?: unknown } | null | undefined;
  if (argsDigester !== undefined && typeof argsDigester?.digest !== 'function') {
    throw new TypeError('createAuditSink: argsDigester must be made by createArgsDigester');
  }
  const { path, mode, failure, maxRowBytes } = settings;
  const clock = options.clock ?? Date.now;
  const logger = (): AuditLogger => options.logger ?? getDefaultLogger();
  // Rows in `required` mode are acknowledged only once written, so they never wait in a batch.
  const writesImmediately = mode === 'sync' || failure === 'required';

  const file = new AppendFile(path, clock);
  const mirror = options.mirror;
  let closed = false;

  const counters = {
    rowsWritten: 0,
    redacted: 0,
    truncated: 0,
    writeFailures: 0,
    mirrorFailures: 0,
    skipped: {} as Partial<Record<SkipReason, number>>,
    lastError: null as { code: string; at: string } | null,
  };

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

  // This sink is one writer: its rows are numbered 1, 2, 3… from its `audit.opened` row, whose
  // id is the writer's, made with the first row; every number lost is named by an `audit.lost` row.
  const ledger = createWriterLedger();
  let writerId: string | null = null;
  // An `audit.lost` row names at most this many ranges (about 50 bytes each), to fit the row cap.
  const maxLostRanges = Math.max(1, Math.min(256, Math.floor((maxRowBytes - 512) / 50)));

  const writer = createSinkFileWriter({
    file,
    mirror,
    batchSize: mode === 'batched' ? settings.batchSize : 1,
    flushIntervalMs: settings.flushIntervalMs,
    writesImmediately,
    clock,
    counters,
    warn,
    ledger,
    beforeWrite: () => reportLosses(),
  });

  const exitFlush = {
    flushSync: () => void writer.flush(),
    closeSync: (trigger: CloseTrigger) => void closeFile(trigger),
  };
  if (options.flushOnExit !== false) registerExitFlush(exitFlush);
  // Closing the descriptor is enough: the next write opens the path, and batched rows
  // still waiting are carried to the new file.
  const hangupReopen = { reopen: () => file.reopen() };
  if (options.reopenOnHangup !== false) registerHangupReopen(hangupReopen);

  function record(seam: Seam, details: unknown, context: EmitContext | undefined, lineLogger?: AuditLogger): EmitOutcome {
    if (!isSeam(seam)) {
      const name = typeof (seam as { name?: unknown } | null)?.name === 'string' ? (seam as { name: string }).name : '?';
      // Refused like invalid details: the row takes a number, and an `audit.lost` row names it.
      if (!closed) refuse('unknown_seam');
      skip('unknown_seam', sanitizeToken(name), '');
      return { ok: false, reason: 'unknown_seam' };
    }

    const findings: RedactionFinding[] = [];
    const checked = checkDetails(seam, details, findings);
    let callerSessionId: unknown = context?.caller_session_id ?? null;
    if (typeof callerSessionId === 'string' && mayHoldSecret(callerSessionId)) {
      const guarded = redactText(callerSessionId);
      callerSessionId = guarded.text;
      for (const rule of guarded.rules) findings.push({ rule, path: 'caller_session_id' });
    }
    // The line as formatted is scanned too: a formatter may join values into something no
    // single value was, and on invalid input it prints what the guard does not walk (an
    // error's message, a function's name, a Map's entries).
    const line = lineLogger === undefined ? undefined : redactLine(formatLineSafely(seam, checked.lineDetails, callerSessionId), findings);
    reportRedactions(seam, findings);

    const source = context?.source === undefined ? seam.source : context.source;
    // The span the act happened in, when OpenTelemetry is installed and one is active.
    const trace = readActiveTrace();
    const refusal = closed ? SINK_CLOSED : findRefusal(checked, source, callerSessionId);
    if (refusal !== undefined) {
      // No row, so no id: the line carries the seam alone.
      if (line !== undefined && lineLogger !== undefined) logLine(seam, line, lineLogger, { seam: seam.name, ...trace });
      if (refusal.reason !== 'sink_closed') refuse(refusal.reason);
      skip(refusal.reason, seam.name, refusal.detail);
      return { ok: false, reason: refusal.reason };
    }
    // What findRefusal passed: valid details, and a caller session that is a string or null.
    const valid = checked as ValidDetails;
    const sessionId = callerSessionId as string | null;

    const rowWriter = openWriter();
    if (writesImmediately) reportLosses();
    const seq = ledger.next();
    const now = clock();
    const id = nextRowId(now);
    // The line is logged once its row has an id, and before the row is written: a row in the
    // file always has its line in the log, and the log reads in the file's order.
    if (line !== undefined && lineLogger !== undefined) logLine(seam, line, lineLogger, { seam: seam.name, audit_id: id, ...trace });
    const envelope: Omit<AuditEnvelope, 'details'> = {
      v: AUDIT_SCHEMA_VERSION,
      id,
      emitted_at: formatEmittedAt(now),
      seam: seam.name,
      source,
      caller_session_id: sessionId,
      writer: rowWriter,
      seq,
      ...trace,
    };
    let serialized = serializeRow(envelope, valid.json);
    // UTF-16 length × 3 bounds the UTF-8 size: a short row skips counting its bytes.
    if (serialized.length * 3 > maxRowBytes && Buffer.byteLength(serialized, 'utf8') > maxRowBytes) {
      const row = fitRowToCap(
        { ...envelope, details: valid.data },
        maxRowBytes,
        // A field that holds a marker alone passes as it did before the cut.
        (details) => parseRedactedDetails(seam, details, findings).success,
        serialized,
      );
      counters.truncated += 1;
      warn(`[kora.audit.truncated] seam=${seam.name} bytes=${row.originalBytes} max=${maxRowBytes}`);
      serialized = row.line;
    }

    if (!writer.add(serialized, seq)) return { ok: false, reason: 'write_failed', id };
    return { ok: true, id };
  }

  /** A row the sink refused still took a number: it is lost, and the next row's `audit.lost` names it. */
  function refuse(reason: LossReason): void {
    openWriter();
    ledger.lose(ledger.next(), reason);
  }

  /** The writer's id, writing its `audit.opened` row first if it has none yet. */
  function openWriter(): string {
    if (writerId !== null) return writerId;
    const details = describeWriter({ path, mode, batchSize: writesImmediately ? 1 : settings.batchSize, failure, maxRowBytes });
    return writeLifecycleRow(auditOpenedSeam, () => details);
  }

  /**
   * Write an `audit.lost` row for every loss not yet named by one. A row written at once has
   * them before it, in its write; a batch gets them when it is written (`beforeWrite`), so a disk
   * that refuses every write adds one loss row per attempt, not one per emit.
   */
  function reportLosses(): void {
    if (!ledger.hasUnreported()) return;
    for (const report of ledger.takeLossReports(maxLostRanges)) {
      writeLifecycleRow(auditLostSeam, (seq) => {
        ledger.sent(seq, report);
        return { reason: report.reason, ranges: report.ranges, rows: report.rows };
      });
    }
  }

  /** Close for good, for `trigger`: the writer's closed row, then what waits is written. False when already closed. */
  function closeFile(trigger: CloseTrigger): boolean {
    if (closed) return false;
    closed = true;
    closeWriter(trigger);
    writer.close();
    return true;
  }

  /** Write the writer's `audit.closed` row, after an `audit.lost` row for losses not yet named; nothing for a writer that made no row. */
  function closeWriter(trigger: CloseTrigger): void {
    if (writerId === null) return;
    try {
      reportLosses();
      writeLifecycleRow(auditClosedSeam, (seq): AuditClosedDetails => {
        const rowsMade = seq - 1;
        return {
          trigger,
          last_seq: seq,
          rows_made: rowsMade,
          rows_written: rowsMade - ledger.lostTotal(),
          rows_lost: ledger.lostByReason(),
        };
      });
    } catch {
      // Only a bug gets here; closing goes on, and the writer reads as one that did not close.
    }
  }

  /**
   * Number, guard, log and write one of the writer's own `audit.*` rows; its details are made
   * once its number is known. Returns the writer's id (the row's own, for `audit.opened`).
   *
   * The sink makes these details from its own settings and counters, typed by their allow-lists;
   * they are not run through zod here, so that the callers' rows keep the validation call sites
   * to their own seams (the tests hold every such row to its allow-list, and `kora-audit verify`
   * checks them on read). Their strings (a host name, a path) are guarded like any row's.
   */
  function writeLifecycleRow(seam: Seam, makeDetails: (seq: number) => object): string {
    const now = clock();
    const id = nextRowId(now);
    writerId ??= id;
    const seq = ledger.next();
    let details = makeDetails(seq);
    let json = JSON.stringify(details);
    const findings: RedactionFinding[] = [];
    if (mayHoldSecret(json)) {
      const guarded = redactValue(details, 'details');
      findings.push(...guarded.findings);
      details = guarded.value as object;
      json = JSON.stringify(details);
    }
    const line = redactLine(formatLineSafely(seam, details, null, writerId), findings);
    reportRedactions(seam, findings);
    logLine(seam, line, logger(), { seam: seam.name, audit_id: id });
    const row = serializeRow(
      {
        v: AUDIT_SCHEMA_VERSION,
        id,
        emitted_at: formatEmittedAt(now),
        seam: seam.name,
        source: null,
        caller_session_id: null,
        writer: writerId,
        seq,
      },
      json,
    );
    writer.add(row, seq, true);
    return writerId;
  }

  function reportRedactions(seam: Seam, findings: readonly RedactionFinding[]): void {
    if (findings.length === 0) return;
    counters.redacted += findings.length;
    const rules = [...new Set(findings.map((finding) => finding.rule))].join(',');
    // A path spells out the keys it passes through, and a key can come from outside: its
    // bidi controls are escaped, so that the warning reads as written.
    const paths = [...new Set(findings.map((finding) => escapeJsonControls(finding.path)))].join(',');
    warn(`[kora.audit.redacted] seam=${seam.name} rules=${rules} paths=${paths}`);
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
    argsDigester: options.argsDigester,
    emit: (seam, details, context) => emitSafely(seam, details, context),
    emitWithLine: (seam, details, context, lineLogger) => emitSafely(seam, details, context, lineLogger),
    flush: () => {
      writer.flush();
      return Promise.resolve();
    },
    close: async () => {
      if (!closeFile('close')) return;
      unregisterExitFlush(exitFlush);
      unregisterHangupReopen(hangupReopen);
      file.close();
      await mirror?.close?.();
    },
    reopen: () => file.reopen(),
    stats: (): AuditSinkStats => ({
      rowsWritten: counters.rowsWritten,
      rowsPending: writer.pendingRows(),
      skipped: { ...counters.skipped },
      redacted: counters.redacted,
      truncated: counters.truncated,
      writeFailures: counters.writeFailures,
      lastError: counters.lastError,
      writeFailing: writer.writeFailing(),
      reopens: file.reopens,
      mirrorFailures: counters.mirrorFailures,
      writer: { id: writerId, seq: ledger.lastSeq, lost: ledger.lostByReason() },
    }),
  };
}

/** Why the sink makes no row of an emit, and what its `[kora.audit.skipped]` warning adds. */
interface Refusal {
  readonly reason: 'sink_closed' | 'invalid_details' | 'invalid_envelope';
  readonly detail: string;
}

const SINK_CLOSED: Refusal = { reason: 'sink_closed', detail: '' };

/** Why the row of checked details cannot be written, or undefined when it can. */
function findRefusal(checked: CheckedDetails, source: unknown, callerSessionId: unknown): Refusal | undefined {
  if (!checked.ok) return { reason: 'invalid_details', detail: ` keys=${describeIssues(checked.issues)}` };
  if (source !== null && !sourceSet.has(source as string)) return { reason: 'invalid_envelope', detail: ' keys=source' };
  if (callerSessionId !== null && (typeof callerSessionId !== 'string' || callerSessionId.length > MAX_CALLER_SESSION_ID_LENGTH)) {
    return { reason: 'invalid_envelope', detail: ' keys=caller_session_id' };
  }
  return undefined;
}

/** Details that passed: the row's details and their JSON, and what the line shows. */
interface ValidDetails {
  readonly ok: true;
  readonly data: Record<string, unknown>;
  readonly json: string;
  readonly lineDetails: unknown;
}

/** Details as validated and guarded: the row's JSON, or why there is no row; and what the line shows. */
type CheckedDetails = ValidDetails | { readonly ok: false; readonly issues: readonly ZodIssueLike[]; readonly lineDetails: unknown };

/**
 * Validate `details` against the seam's allow-list, then guard the JSON that would be
 * written: the exact text, so a getter or proxy cannot show the guard one value and the file
 * another. Clean JSON (the common case) costs one regex test; where a trigger appears, the
 * parsed JSON is redacted value by value, and the redacted details must pass the allow-list
 * again. Details that fail are redacted as given and validated once more; if they still
 * fail, the redacted details serve the line only.
 */
function checkDetails(seam: Seam, details: unknown, findings: RedactionFinding[]): CheckedDetails {
  let parsed = parseSafely(seam, details);
  if (!parsed.success) {
    // Redaction can make details valid (a secret longer than its field allows, or in a
    // character the field's pattern refuses): the redacted details get their own chance.
    const guarded = redactValue(details, 'details');
    findings.push(...guarded.findings);
    if (guarded.findings.length === 0) return { ok: false, issues: readParseIssues(parsed), lineDetails: guarded.value };
    const redactedParse = parseRedactedDetails(seam, guarded.value, guarded.findings);
    if (!redactedParse.success) return { ok: false, issues: readParseIssues(redactedParse), lineDetails: guarded.value };
    parsed = redactedParse;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(parsed.data);
  } catch {
    // A BigInt or a cycle inside a field the schema lets through unchecked.
  }
  if (json === undefined) {
    const guarded = redactValue(parsed.data, 'details');
    findings.push(...guarded.findings);
    return { ok: false, issues: [{ path: [], code: 'unserializable' }], lineDetails: guarded.value };
  }
  if (!mayHoldSecret(json)) return { ok: true, data: parsed.data, json, lineDetails: parsed.data };

  const written = JSON.parse(json) as Record<string, unknown>;
  const guarded = redactValue(written, 'details');
  if (guarded.findings.length === 0) return { ok: true, data: written, json, lineDetails: written };
  findings.push(...guarded.findings);
  // A marker can break a field's pattern or length cap: the field then holds the marker alone.
  const reparsed = parseRedactedDetails(seam, guarded.value, guarded.findings);
  if (!reparsed.success) return { ok: false, issues: readParseIssues(reparsed), lineDetails: guarded.value };
  return { ok: true, data: reparsed.data, json: JSON.stringify(reparsed.data), lineDetails: reparsed.data };
}

function formatLineSafely(seam: Seam, details: unknown, callerSessionId: unknown, writer?: string): string {
  try {
    const record = typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
    return seam.formatLine(record, { caller_session_id: typeof callerSessionId === 'string' ? callerSessionId : null, writer });
  } catch {
    return `[kora.${seam.name}] unformattable=True`;
  }
}

/** `line` with every secret in it redacted; each hit is added to `findings` at path `line`. */
function redactLine(line: string, findings: RedactionFinding[]): string {
  const guarded = redactText(line);
  for (const rule of guarded.rules) findings.push({ rule, path: 'line' });
  return guarded.text;
}

function logLine(seam: Seam, line: string, lineLogger: AuditLogger, fields: AuditLineFields): void {
  try {
    logAuditLine(lineLogger, seam.level === 'warn' ? 'warn' : 'info', line, fields);
  } catch {
    // The row still gets written when the line's logger fails.
  }
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

// A warning names this many keys at most: an object can have a million.
const MAX_DESCRIBED_ISSUES = 32;

function describeIssues(issues: readonly ZodIssueLike[]): string {
  // Keys come from the caller, and the schema reads some that the guard's walk of own keys
  // never sees (inherited enumerable ones): each is redacted before it becomes a token.
  const name = (part: PropertyKey): string => sanitizeToken(redactText(String(part)).text);
  const described = new Set<string>();
  for (const issue of issues) {
    const base = ['details', ...issue.path.map(name)].join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys !== undefined) {
      for (const key of issue.keys) described.add(`${base}.${name(key)}(unknown)`);
    } else {
      described.add(`${base}(${issue.code})`);
    }
  }
  const list = [...described];
  if (list.length <= MAX_DESCRIBED_ISSUES) return list.join(',');
  return `${list.slice(0, MAX_DESCRIBED_ISSUES).join(',')},...(+${list.length - MAX_DESCRIBED_ISSUES})`;
}
