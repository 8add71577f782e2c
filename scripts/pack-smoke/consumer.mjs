// A service team's first use of the packages, from their tarballs: emit one event through each
// seam into a fresh audit file, then read the file back with the core's reader and check that
// each seam's row is there, a valid envelope whose details pass the seam's own schema, and that
// each verbatim line was logged. Usage: node consumer.mjs AUDIT-FILE
import assert from 'node:assert/strict';
import { auditEnvelope, createAuditSink, readAuditEntries } from '@kora/audit-sink';
import { readAuditEntries as readFromReaderEntry } from '@kora/audit-sink/reader';
import * as mcp from '@kora/seam-mcp';
import * as reasoning from '@kora/seam-reasoning';
import * as slack from '@kora/seam-slack-dm';
import * as webhook from '@kora/seam-webhook-dead-letter';

const path = process.argv[2];
assert.ok(path, 'usage: node consumer.mjs AUDIT-FILE');

const lines = [];
const logger = { info: (line) => lines.push(line), warn: (line) => lines.push(line) };
const sink = createAuditSink({ path, logger, flushOnExit: false, failure: 'required' });
const targets = { sink, logger };

const outcomes = [
  mcp.emitMcpToolCalled(
    {
      toolName: 'kora__list_tickets',
      toolKind: 'read',
      callerActorKind: 'viewer',
      args: { q: 'open' },
      outcome: { status: 'ok', code: 'count=2' },
      callerSessionId: 's-1',
    },
    targets,
  ),
  reasoning.emitReasoningToolCalled(
    { toolName: 'kora__list_tickets', triggeredBy: 'slack_dm', durationMs: 12, status: 'ok', callerSessionId: 's-1' },
    targets,
  ),
  slack.emitSlackReplyFailed({ channelId: 'D01CHAN01', messageTs: '1700000000.000100', error: 'slack_client_not_configured' }, targets),
  webhook.emitWebhookDeadLetter(
    {
      source: 'slack',
      reason: 'slack_signature_mismatch',
      receivedAt: new Date(),
      peerIp: '127.0.0.1',
      body: '{}',
      headers: [['user-agent', 'Slackbot 1.0']],
    },
    targets,
  ),
];
await sink.close();

for (const outcome of outcomes) assert.equal(outcome.ok, true, `emit wrote its row: ${JSON.stringify(outcome)}`);

const seams = [mcp.seam, reasoning.seam, slack.seam, webhook.seam];
for (const read of [readAuditEntries, readFromReaderEntry]) {
  const { entries, skipped } = await read({ path, limit: 100 });
  assert.deepEqual(
    Object.values(skipped).filter((count) => count !== 0),
    [],
    `no line of the file was skipped: ${JSON.stringify(skipped)}`,
  );
  for (const seam of seams) {
    const rows = entries.filter((entry) => entry.seam === seam.name);
    assert.equal(rows.length, 1, `one ${seam.name} row`);
    assert.equal(auditEnvelope.safeParse(rows[0]).success, true, `the ${seam.name} row is a valid envelope`);
    assert.equal(seam.details.safeParse(rows[0].details).success, true, `the ${seam.name} row's details pass its schema`);
    assert.ok(
      outcomes.some((outcome) => outcome.id === rows[0].id),
      `the ${seam.name} row is the one emitted`,
    );
  }
}
for (const seam of seams) {
  assert.ok(
    lines.some((line) => line.startsWith(`[kora.${seam.name}] `)),
    `the ${seam.name} verbatim line was logged`,
  );
}
console.log(`consumer: ${outcomes.length} rows emitted through 4 seams and read back valid from ${path}`);
