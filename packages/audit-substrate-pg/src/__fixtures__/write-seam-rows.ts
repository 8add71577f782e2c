// Rows of all four seams written by the real sink into a file, in-process.
import { readFileSync, statSync } from 'node:fs';
import { createAuditSink, readAuditEntries } from '@kora/audit-sink';
import { emitMcpToolCalled } from '@kora/seam-mcp';
import { emitReasoningToolCalled } from '@kora/seam-reasoning';
import { emitSlackReplyFailed } from '@kora/seam-slack-dm';
import { emitWebhookDeadLetter } from '@kora/seam-webhook-dead-letter';

/**
 * Write `rows` rows to `path`, the four seams in turn, one millisecond apart from `startMs`
 * (so file order is time order), by one writer (one sink, closed at the end), and resolve to
 * the ids of every row it added, in file order: its `audit.opened` row, the `rows` seam rows,
 * its `audit.closed` row; `rows + 2` in all.
 */
export async function writeSeamRows(path: string, rows: number, startMs = Date.parse('2026-11-26T17:00:00.000Z')): Promise<string[]> {
  const before = fileSize(path);
  let tick = startMs;
  const quiet = { info: (): void => undefined, warn: (): void => undefined };
  const sink = createAuditSink({ path, logger: quiet, clock: () => tick, flushOnExit: false, reopenOnHangup: false });
  const targets = { sink, logger: quiet };
  const ids: string[] = [];
  for (let seq = 0; seq < rows; seq += 1) {
    tick = startMs + seq;
    let outcome;
    switch (seq % 4) {
      case 0:
        outcome = emitMcpToolCalled(
          {
            toolName: 'kora__list_tickets',
            toolKind: 'read',
            callerActorKind: 'claude_pm_isokron',
            args: { limit: 5, status: 'open' },
            result: `count=${seq}`,
            callerSessionId: 'claude_pm_isokron',
          },
          targets,
        );
        break;
      case 1:
        outcome = emitReasoningToolCalled(
          {
            toolName: 'kora__search_documents',
            triggeredBy: 'slack_dm',
            durationMs: seq,
            status: 'error',
            error: new TypeError('boom'),
            callerSessionId: `D01CHAN01:1700000000.${seq}`,
          },
          targets,
        );
        break;
      case 2:
        outcome = emitWebhookDeadLetter(
          {
            source: 'email',
            reason: 'signature_mismatch',
            ts: 1_795_000_000.125,
            peerIp: '2001:db8::1',
            requestId: `req-${seq}`,
            bodyBytes: 512,
            headers: { 'Content-Type': 'text/plain', 'X-Purelymail-Signature': 'sha256=0123456789abcdef0123456789' },
          },
          targets,
        );
        break;
      default:
        outcome = emitSlackReplyFailed(
          {
            channelId: 'D01CHAN01',
            messageTs: `1700000000.${seq}`,
            error: Object.assign(new Error('fetch failed'), { name: 'TimeoutError' }),
          },
          targets,
        );
    }
    if (!outcome.ok) throw new Error(`emit ${seq} failed: ${outcome.reason}`);
    ids.push(outcome.id);
  }
  await sink.close();
  // Another writer may be appending to the same file meanwhile: only this writer's rows count.
  const appended = readFileSync(path)
    .subarray(before)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: string; seam: string; writer?: string });
  const writer = appended.find((row) => row.id === ids[0])?.writer;
  const added = appended.filter((row) => row.writer !== undefined && row.writer === writer);
  const seamIds = added.filter((row) => !row.seam.startsWith('audit.')).map((row) => row.id);
  if (seamIds.join() !== ids.join() || added[0]?.seam !== 'audit.opened' || added.at(-1)?.seam !== 'audit.closed') {
    throw new Error(`the file does not hold the opened row, the ${rows} rows emitted and the closed row`);
  }
  return added.map((row) => row.id);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Ids of every valid row in the files of the chain `path`, `path.1`, …, newest first. */
export async function idsInFiles(path: string): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor: string | null | undefined = undefined, first = true; first || cursor !== null; first = false) {
    const page: { entries: { id: string }[]; cursor: string | null } = await readAuditEntries({ path, limit: 10_000, cursor });
    ids.push(...page.entries.map((entry) => entry.id));
    cursor = page.cursor;
  }
  return ids;
}
