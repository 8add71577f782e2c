// A daemon's audit writer: emits rows of all four seams through the real emit helpers and the
// real sink into one file. `seam-writer-child.ts <path> <writer> <rows> <rows per tick> <mode>`.
// Prints one JSON line when done: how many emits were acknowledged, their ids, and the sink's writer stats.
import { createAuditSink } from '@kora/audit-sink';
import { emitMcpToolCalled } from '@kora/seam-mcp';
import { emitReasoningToolCalled } from '@kora/seam-reasoning';
import { emitSlackReplyFailed } from '@kora/seam-slack-dm';
import { emitWebhookDeadLetter } from '@kora/seam-webhook-dead-letter';
import type { EmitOutcome } from '@kora/audit-sink';

const [path = '', writerArg = '0', rowsArg = '0', perTickArg = '100', mode = 'sync'] = process.argv.slice(2);
const writer = Number(writerArg);
const rows = Number(rowsArg);
const perTick = Number(perTickArg);
const quiet = { info: (): void => undefined, warn: (message: string): void => void process.stderr.write(`${message}\n`) };
const sink = createAuditSink({ path, mode: mode === 'batched' ? 'batched' : 'sync', batchSize: 50, flushIntervalMs: 20, logger: quiet });
const targets = { sink, logger: quiet };

/** Row `seq` of this writer: the four seams in turn, with realistic inputs. */
function emitRow(seq: number): EmitOutcome {
  const session = `D0${writer}CHAN:1700000000.${String(seq).padStart(6, '0')}`;
  switch (seq % 4) {
    case 0:
      return emitMcpToolCalled(
        {
          toolName: 'kora__create_ticket',
          toolKind: 'mutating',
          callerActorKind: 'claude_pm_isokron',
          args: { title: 't', body: 'b', priority: seq % 3 },
          result: `ticket_id=tkt-${writer}-${seq}`,
          callerSessionId: `writer-${writer}`,
        },
        targets,
      );
    case 1:
      return emitReasoningToolCalled(
        {
          toolName: 'kora__search_documents',
          triggeredBy: 'slack_dm',
          durationMs: seq % 2000,
          status: seq % 10 === 0 ? 'error' : 'ok',
          callerSessionId: session,
        },
        targets,
      );
    case 2:
      return emitWebhookDeadLetter(
        {
          source: 'slack',
          reason: 'slack_signature_mismatch',
          peerIp: `203.0.113.${seq % 250}`,
          requestId: `req-${writer}-${seq}`,
          body: '{"type":"event_callback"}',
          headers: {
            'content-type': 'application/json',
            'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
          },
        },
        targets,
      );
    default:
      return emitSlackReplyFailed(
        {
          channelId: `D0${writer}CHAN`,
          messageTs: `1700000000.${seq}`,
          error: Object.assign(new Error('An API error occurred: channel_not_found'), {
            code: 'slack_webapi_platform_error',
            data: { ok: false, error: 'channel_not_found' },
          }),
        },
        targets,
      );
  }
}

const ids: string[] = [];
let seq = 0;
// A few rows per turn of the event loop, so the writer runs alongside shipping, as a daemon does.
while (seq < rows) {
  const end = Math.min(rows, seq + perTick);
  for (; seq < end; seq += 1) {
    const outcome = emitRow(seq);
    if (outcome.ok) ids.push(outcome.id);
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await sink.close();
// Written before the process ends on its own (no process.exit), so a pipe gets all of it.
process.stdout.write(`${JSON.stringify({ acknowledged: ids.length, ids, writer: sink.stats().writer })}\n`);
