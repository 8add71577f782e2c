// Rows for the scale benchmark: a fleet's event log, as the shippers insert it. Row n of a fill
// of `rows` is always the same row, so two fills of the same size hold the same data.

/** The origin hosts of the fleet, each shipping its own rows. */
export const SCALE_HOSTS: readonly string[] = Array.from({ length: 20 }, (_, index) => `kora-host-${String(index + 1).padStart(2, '0')}`);

/** How the seams mix, per 1,000 rows: tool calls common, dead letters and failed replies rare. */
export const SCALE_MIX = {
  'mcp.tool_called': 560,
  'reasoning.tool_called': 425,
  'webhook.dead_letter': 10,
  'slack_dm.reply_failed': 5,
} as const;

const MCP_TOOLS = [
  'kora__create_ticket',
  'kora__search_tickets',
  'kora__update_ticket',
  'kora__read_document',
  'kora__list_projects',
  'kora__post_comment',
];
const REASONING_TOOLS = [
  'kora__search_documents',
  'kora__read_ticket',
  'kora__send_slack_reply',
  'kora__lookup_user',
  'kora__summarize_thread',
];
const TRIGGERS = ['slack_dm', 'email', 'probe_wake', 'mcp:claude_pm_isokron:kora__create_ticket'];
const STATUSES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'error', 'denied', 'timeout'];
const ACTORS = ['claude_pm_isokron', 'claude_dev_isokron', 'cursor_agent'];
const DEAD_LETTER_REASONS = ['slack_signature_mismatch', 'slack_timestamp_stale', 'body_not_json'];
const REPLY_REASONS = ['slack_api:channel_not_found', 'slack_api:ratelimited', 'transport:503', 'transport:ETIMEDOUT'];

/** A 32-bit hash of `n`, so that choices look random but repeat from fill to fill. */
function hash(n: number): number {
  let value = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
  return (value ^ (value >>> 16)) >>> 0;
}

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

/** A lower-case UUIDv7 for epoch milliseconds `ms`, unique per row number `n`. */
function makeRowId(ms: number, n: number): string {
  const time = ms.toString(16).padStart(12, '0');
  const random = n.toString(16).padStart(15, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-8${random.slice(3, 6)}-${random.slice(3, 15)}`;
}

/** The seam, source, caller session and details of row `n`, as the sink writes them. */
function makeBody(n: number): string {
  const roll = hash(n);
  const slot = roll % 1_000;
  const detail = roll >>> 10;
  if (slot < SCALE_MIX['slack_dm.reply_failed']) {
    return `"seam":"slack_dm.reply_failed","source":"slack_dm","caller_session_id":"D0${(detail % 90) + 10}CHAN:1795000000.${String(n % 1_000_000).padStart(6, '0')}","details":{"channel_id":"D0${(detail % 90) + 10}CHAN","reason":"${pick(REPLY_REASONS, detail)}"}}`;
  }
  if (slot < SCALE_MIX['slack_dm.reply_failed'] + SCALE_MIX['webhook.dead_letter']) {
    return `"seam":"webhook.dead_letter","source":null,"caller_session_id":null,"details":{"source":"slack","reason":"${pick(DEAD_LETTER_REASONS, detail)}","ts":${1_795_000_000 + (n % 86_400)}.125,"peer_ip":"203.0.113.${detail % 250}","request_id":"req-${n.toString(36)}","body_bytes":${300 + (detail % 4_000)},"headers":{"content-type":"application/json","user-agent":"Slackbot 1.0 (+https://api.slack.com/robots)","x-slack-signature":"v0=a2114d57b4...(truncated)"}}}`;
  }
  if (slot < 1_000 - SCALE_MIX['mcp.tool_called']) {
    const status = pick(STATUSES, detail);
    const exception = status === 'error' ? ',"exc_type":"TimeoutError"' : '';
    return `"seam":"reasoning.tool_called","source":"reasoning","caller_session_id":"D01CHAN01:1795000000.${String(n % 1_000_000).padStart(6, '0')}","details":{"tool_name":"${pick(REASONING_TOOLS, detail)}","triggered_by":"${pick(TRIGGERS, detail >>> 3)}","tool_duration_ms":${detail % 4_000},"tool_status":"${status}"${exception}}}`;
  }
  const tool = pick(MCP_TOOLS, detail);
  const mutating = tool.includes('create') || tool.includes('update') || tool.includes('post');
  const actor = pick(ACTORS, detail >>> 4);
  return `"seam":"mcp.tool_called","source":"mcp_http","caller_session_id":"${actor}","details":{"tool_name":"${tool}","tool_kind":"${mutating ? 'mutating' : 'read'}","caller_actor_kind":"${actor}","args_keys":["body","priority","title"],"result":"${mutating ? `ticket_id=tkt-${n}` : `count=${detail % 50}`}"}}`;
}

/** Where the rows of a fill lie in time: `rows` rows spread evenly over `spanMs` ending at `endMs`. */
export interface ScaleSpan {
  readonly rows: number;
  readonly endMs: number;
  readonly spanMs: number;
}

/**
 * The lines of rows `from` to `to` (exclusive) of a fill, oldest first, with the origin host
 * each belongs to: row n is emitted at its share of the span and comes from host n mod 20.
 */
export function makeScaleLines(span: ScaleSpan, from: number, to: number): { host: string; line: string }[] {
  const startMs = span.endMs - span.spanMs;
  const lines: { host: string; line: string }[] = [];
  for (let n = from; n < to; n += 1) {
    const ms = startMs + Math.floor((n * span.spanMs) / span.rows);
    lines.push({
      host: pick(SCALE_HOSTS, n),
      line: `{"v":1,"id":"${makeRowId(ms, n)}","emitted_at":"${new Date(ms).toISOString()}",${makeBody(n)}`,
    });
  }
  return lines;
}
