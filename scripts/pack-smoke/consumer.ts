// Type-checked as a service team's TypeScript would be (module nodenext): the core, its reader
// and testing entries and every seam resolve to their declarations and fit together.
import { createAuditSink, readAuditEntries } from '@kora/audit-sink';
import type { AuditEnvelope, AuditSink, EmitOutcome, Seam } from '@kora/audit-sink';
import { readAuditEntries as readFromReaderEntry } from '@kora/audit-sink/reader';
import { createCaptureSink, readGoldenLines } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { emitMcpToolCalled, seam as mcpSeam } from '@kora/seam-mcp';
import type { McpToolCalledDetails } from '@kora/seam-mcp';
import { emitReasoningToolCalled, seam as reasoningSeam } from '@kora/seam-reasoning';
import { emitSlackReplyFailed, seam as slackSeam } from '@kora/seam-slack-dm';
import { emitWebhookDeadLetter, seam as webhookSeam } from '@kora/seam-webhook-dead-letter';
import { z } from 'zod';

const sink: AuditSink = createAuditSink({ path: '/tmp/kora-consumer.jsonl', flushOnExit: false });
const outcome: EmitOutcome = emitMcpToolCalled(
  { toolName: 't', toolKind: 'read', callerActorKind: 'viewer', args: {}, outcome: { status: 'ok', code: 'ok' } },
  { sink },
);
emitReasoningToolCalled({ toolName: 't', triggeredBy: 'slack_dm', durationMs: 1, status: 'ok' }, { sink });
emitSlackReplyFailed({ channelId: 'D01', error: 'slack_client_not_configured' }, { sink });
emitWebhookDeadLetter({ source: 'slack', reason: 'r', receivedAt: new Date(), body: '', headers: [] }, { sink });
const seams: readonly Seam[] = [mcpSeam, reasoningSeam, slackSeam, webhookSeam];
const details: McpToolCalledDetails | undefined = undefined;
// The seams' schemas are the consumer's own zod: one copy.
const schema: z.ZodType = mcpSeam.details;
async function read(): Promise<AuditEnvelope[]> {
  const page = await readAuditEntries({ path: '/tmp/kora-consumer.jsonl' });
  const again = await readFromReaderEntry({ path: '/tmp/kora-consumer.jsonl' });
  return [...page.entries, ...again.entries];
}
const capture: CaptureSink = createCaptureSink();
export { capture, details, outcome, read, readGoldenLines, schema, seams };
