// The demo: dual-write one event of each seam through the real emit helpers into a fresh
// audit file, then show the verbatim lines and the rows an operator would read.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditSink, getDefaultLogger } from '@kora/audit-sink';
import type { AuditLogger } from '@kora/audit-sink';
import { emitMcpToolCalled } from '@kora/seam-mcp';
import { emitReasoningToolCalled } from '@kora/seam-reasoning';
import { emitSlackReplyFailed } from '@kora/seam-slack-dm';
import { emitWebhookDeadLetter } from '@kora/seam-webhook-dead-letter';

const directory = process.env.KORA_HOME ?? mkdtempSync(join(tmpdir(), 'kora-demo-'));
const path = join(directory, 'kora_audit_log.jsonl');
const lines: string[] = [];
// Tee the verbatim lines: pino writes them as usual, and the demo shows them again below.
const logger: AuditLogger = {
  info: (message) => {
    lines.push(message);
    getDefaultLogger().info(message);
  },
  warn: (message) => {
    lines.push(message);
    getDefaultLogger().warn(message);
  },
};
const sink = createAuditSink({ path, logger });
const targets = { sink, logger };

// Built at run time so that no credential-shaped literal sits in the source.
const leakedToken = ['xoxb', '2222222222', '3333333333333', 'DemoDemoDemoDemoDemoDemo'].join('-');

emitMcpToolCalled(
  {
    toolName: 'kora__create_sea_ticket',
    toolKind: 'mutating',
    callerActorKind: 'claude_pm_isokron',
    args: { title: 'Disk alarms on sea-2', body: `please rotate ${leakedToken}`, priority: 'high' },
    result: 'ticket_id=tkt-xyz-001',
  },
  targets,
);
emitWebhookDeadLetter(
  {
    source: 'slack',
    reason: 'slack_signature_mismatch',
    ts: Date.now() / 1000,
    peerIp: '203.0.113.7',
    requestId: 'req-demo-1',
    body: '{"type":"event_callback","event":{"text":"hello"}}',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      authorization: `Bearer ${leakedToken}`,
    },
  },
  targets,
);
emitSlackReplyFailed({ channelId: 'D01CHAN01', messageTs: '1700000000.000100', error: 'slack_client_not_configured' }, targets);
emitReasoningToolCalled(
  {
    toolName: 'kora__get_operational_state',
    triggeredBy: 'slack_dm',
    durationMs: 42,
    status: 'ok',
    callerSessionId: 'D01CHAN01:1700000000.000100',
  },
  targets,
);
await sink.close();

const out = (text = ''): boolean => process.stdout.write(`${text}\n`);
out();
out(`Audit file: ${path}`);
out();
out('Verbatim lines (what operators grep for):');
for (const line of lines) out(`  ${line}`);
out();
out('JSONL rows (what panels, scripts and the central store read):');
for (const row of readFileSync(path, 'utf8').split('\n').filter((line) => line !== '')) out(`  ${row}`);
out();
out(`The Slack token placed in the tool arguments and a header appears in neither output: ${
  lines.join('\n').includes(leakedToken) || readFileSync(path, 'utf8').includes(leakedToken) ? 'LEAKED' : 'confirmed'
}.`);
out(`Query it: pnpm kora-audit query --path ${path}`);
