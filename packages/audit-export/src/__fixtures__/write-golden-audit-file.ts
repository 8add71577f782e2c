import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditClosedSeam, auditLostSeam, auditOpenedSeam, createAuditSink } from '@kora/audit-sink';
import type { AuditEnvelope, AuditLogger, Seam } from '@kora/audit-sink';
import { readGoldenLines } from '@kora/audit-sink/testing';
import { seam as mcpToolCalled } from '@kora/seam-mcp';
import { seam as reasoningToolCalled } from '@kora/seam-reasoning';
import { seam as slackDmReplyFailed } from '@kora/seam-slack-dm';
import { seam as webhookDeadLetter } from '@kora/seam-webhook-dead-letter';
import { goldenLinesPath } from '@kora/test-support';

/** Every seam, as the CLI registers them. */
export const ALL_SEAMS: readonly Seam[] = [
  mcpToolCalled,
  webhookDeadLetter,
  slackDmReplyFailed,
  reasoningToolCalled,
  auditOpenedSeam,
  auditLostSeam,
  auditClosedSeam,
];

/** An audit file written by a real sink from every golden vector, and what it logged. */
export interface GoldenAuditFile {
  readonly dir: string;
  readonly path: string;
  /** The file's rows, in order: envelope and line text. */
  readonly rows: readonly { readonly entry: AuditEnvelope; readonly text: string }[];
  /** The verbatim line logged for each row, by row id. */
  readonly lines: ReadonlyMap<string, string>;
}

/**
 * Emit every golden vector of the four seams through a real sink (refused vectors leave no
 * row, and an `audit.lost` row counts them), then a denied and a failed MCP call and a timed-out
 * reasoning call, close it, and read the file back.
 */
export async function writeGoldenAuditFile(): Promise<GoldenAuditFile> {
  const dir = mkdtempSync(join(tmpdir(), 'kora-export-golden-'));
  const path = join(dir, 'audit.jsonl');
  const lines = new Map<string, string>();
  const logger: AuditLogger = {
    info: () => undefined,
    warn: () => undefined,
    logLine: (_level, message, fields) => {
      if (fields.audit_id !== undefined) lines.set(fields.audit_id, message);
    },
  };
  const sink = createAuditSink({ path, logger, flushOnExit: false, reopenOnHangup: false });
  for (const seam of ALL_SEAMS.slice(0, 4)) {
    for (const vector of readGoldenLines(goldenLinesPath(), seam.name)) {
      sink.emitWithLine(seam, vector.details, { caller_session_id: vector.caller_session_id }, logger);
    }
  }
  // The vectors hold no refused or failed MCP call and no timed-out reasoning call.
  const call = { tool_kind: 'mutating', caller_actor_kind: 'ops_console', args_keys: ['ticket_id'] };
  sink.emitWithLine(
    mcpToolCalled,
    { ...call, tool_name: 'kora__close_ticket', result: 'denied:scope' },
    { caller_session_id: 'ops:7' },
    logger,
  );
  sink.emitWithLine(mcpToolCalled, { ...call, tool_name: 'kora__close_ticket', result: 'error:TimeoutError' }, undefined, logger);
  const reasoning = { tool_name: 'web_search', triggered_by: 'slack_dm', tool_duration_ms: 30_000 };
  sink.emitWithLine(reasoningToolCalled, { ...reasoning, tool_status: 'timeout', exc_type: 'TimeoutError' }, undefined, logger);
  await sink.close();
  const rows = readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((text) => ({ entry: JSON.parse(text) as AuditEnvelope, text }));
  return { dir, path, rows, lines };
}
