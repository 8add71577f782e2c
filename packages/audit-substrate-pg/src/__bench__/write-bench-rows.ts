import { closeSync, openSync, writeSync } from 'node:fs';

const FIRST_EMITTED_MS = Date.parse('2026-11-26T00:00:00.000Z');

// Rows as the sink writes them (keys in envelope order, compact JSON), built from templates so
// that 200,000 take a moment: 4 MCP calls, 4 reasoning tool calls, 1 dead letter, 1 failed reply.
const TEMPLATES: readonly ((n: number) => string)[] = [
  (n) =>
    `"seam":"mcp.tool_called","source":"mcp_http","caller_session_id":"claude_pm_isokron","details":{"tool_name":"kora__create_ticket","tool_kind":"mutating","caller_actor_kind":"claude_pm_isokron","args_keys":["body","priority","title"],"result":"ticket_id=tkt-${n}"}}`,
  (n) =>
    `"seam":"reasoning.tool_called","source":"reasoning","caller_session_id":"D01CHAN01:1700000000.${String(n % 1_000_000).padStart(6, '0')}","details":{"tool_name":"kora__search_documents","triggered_by":"slack_dm","tool_duration_ms":${n % 2_000},"tool_status":"ok"}}`,
  (n) =>
    `"seam":"webhook.dead_letter","source":null,"caller_session_id":null,"details":{"source":"slack","reason":"slack_signature_mismatch","ts":${1_795_000_000 + (n % 86_400)}.125,"peer_ip":"203.0.113.${n % 250}","request_id":"req-${n.toString(36)}","body_bytes":${300 + (n % 4_000)},"headers":{"content-type":"application/json","user-agent":"Slackbot 1.0 (+https://api.slack.com/robots)","x-slack-signature":"v0=a2114d57b4...(truncated)"}}}`,
  () =>
    `"seam":"slack_dm.reply_failed","source":"slack_dm","caller_session_id":"D01CHAN01:1700000000.000100","details":{"channel_id":"D01CHAN01","reason":"slack_api:channel_not_found"}}`,
];
const CYCLE = [0, 0, 0, 0, 1, 1, 1, 1, 2, 3];

/** A lower-case UUIDv7 for epoch milliseconds `ms`, unique per row number `n`. */
function makeRowId(ms: number, n: number): string {
  const time = ms.toString(16).padStart(12, '0');
  const random = n.toString(16).padStart(15, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-8${random.slice(3, 6)}-${random.slice(3, 15)}`;
}

/** Write `rows` realistic rows of all four seams to `path`, one per millisecond. */
export function writeBenchRows(path: string, rows: number): void {
  const descriptor = openSync(path, 'w', 0o600);
  try {
    let block: string[] = [];
    for (let n = 0; n < rows; n += 1) {
      const ms = FIRST_EMITTED_MS + n;
      const template = TEMPLATES[CYCLE[n % CYCLE.length] ?? 0] ?? TEMPLATES[0]!;
      block.push(`{"v":1,"id":"${makeRowId(ms, n)}","emitted_at":"${new Date(ms).toISOString()}",${template(n)}\n`);
      if (block.length === 10_000) {
        writeSync(descriptor, block.join(''));
        block = [];
      }
    }
    writeSync(descriptor, block.join(''));
  } finally {
    closeSync(descriptor);
  }
}
