import { closeSync, openSync, writeSync } from 'node:fs';

/** The seam a reader benchmark selects: a tenth of the rows. */
export const SELECTED_SEAM = 'webhook.dead_letter';

/** Where the rows of a generated file begin: one row per millisecond from here. */
export const FIRST_EMITTED_MS = Date.parse('2026-11-26T00:00:00.000Z');

// Rows are built by string templates, not through the sink, so a gibibyte takes seconds. Each
// template is a row as the sink writes it (keys in envelope order, compact JSON); `{id}` and
// `{at}` are filled per row. One row in ten is the selected seam.
const TEMPLATES: readonly { readonly weight: number; readonly row: (n: number) => string }[] = [
  {
    weight: 4,
    row: (n) =>
      `","seam":"mcp.tool_called","source":"mcp_http","caller_session_id":"claude_pm_isokron","details":{"tool_name":"kora__${n % 3 === 0 ? 'create_ticket' : 'list_tickets'}","tool_kind":"${n % 3 === 0 ? 'mutating' : 'read'}","caller_actor_kind":"claude_pm_isokron","args_keys":["limit","priority","status","title"],"result":"${n % 3 === 0 ? `ticket_id=tkt-${n % 10_000}` : `count=${n % 50}`}"}}\n`,
  },
  {
    weight: 4,
    row: (n) =>
      `","seam":"reasoning.tool_called","source":"reasoning","caller_session_id":"D01CHAN01:1700000000.${String(n % 1_000_000).padStart(6, '0')}","details":{"tool_name":"kora__search_documents","triggered_by":"slack_dm","tool_duration_ms":${n % 2_000},"tool_status":"ok"}}\n`,
  },
  {
    weight: 1,
    row: (n) =>
      `","seam":"webhook.dead_letter","source":null,"caller_session_id":null,"details":{"source":"slack","reason":"slack_signature_mismatch","ts":${1_795_000_000 + (n % 86_400)}.125,"peer_ip":"203.0.113.${n % 250}","request_id":"req-${n.toString(36)}","body_bytes":${300 + (n % 4_000)},"headers":{"content-type":"application/json","content-length":"${300 + (n % 4_000)}","user-agent":"Slackbot 1.0 (+https://api.slack.com/robots)","x-slack-request-timestamp":"${1_795_000_000 + (n % 86_400)}","x-slack-signature":"v0=a2114d57b4...(truncated)"}}}\n`,
  },
  {
    weight: 1,
    row: (n) =>
      `","seam":"slack_dm.reply_failed","source":"slack_dm","caller_session_id":"D01CHAN01:1700000000.${String(n % 1_000_000).padStart(6, '0')}","details":{"channel_id":"D01CHAN01","reason":"${n % 2 === 0 ? 'slack_api:channel_not_found' : 'transport:503'}"}}\n`,
  },
];
// Row n uses the template at position n % 10 of this cycle: 4 mcp, 4 reasoning, 1 webhook, 1 slack.
const CYCLE = TEMPLATES.flatMap((template) => Array.from({ length: template.weight }, () => template.row));

/** A lower-case UUIDv7 for epoch milliseconds `ms` and row number `n`, unique per row. */
function makeRowId(ms: number, n: number): string {
  const time = ms.toString(16).padStart(12, '0');
  const mixed = Math.imul(n ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
  const random = (mixed.toString(16).padStart(8, '0') + n.toString(16).padStart(8, '0')).slice(-16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(0, 3)}-${'89ab'[n & 3]}${random.slice(3, 6)}-${random.slice(4, 16)}`;
}

/** Row `n` of a generated file, emitted at `FIRST_EMITTED_MS + n`. */
export function makeRealisticRow(n: number): string {
  const ms = FIRST_EMITTED_MS + n;
  const template = CYCLE[n % CYCLE.length] ?? CYCLE[0]!;
  return `{"v":1,"id":"${makeRowId(ms, n)}","emitted_at":"${new Date(ms).toISOString()}${template(n)}`;
}

/** What {@link writeRealisticAuditFile} wrote. */
export interface RealisticAuditFile {
  readonly path: string;
  readonly bytes: number;
  readonly rows: number;
  /** Rows of {@link SELECTED_SEAM}. */
  readonly selectedRows: number;
  /** `emitted_at` of the first and the last row. */
  readonly firstEmittedAt: string;
  readonly lastEmittedAt: string;
}

/**
 * Write at least `minimumBytes` of valid rows of the four seams to `path`, oldest first, in
 * blocks of about 4 MiB.
 */
export function writeRealisticAuditFile(path: string, minimumBytes: number): RealisticAuditFile {
  const descriptor = openSync(path, 'w', 0o600);
  let bytes = 0;
  let rows = 0;
  let selectedRows = 0;
  try {
    while (bytes < minimumBytes) {
      const parts: string[] = [];
      let blockLength = 0;
      while (blockLength < 4 * 1024 * 1024 && bytes + blockLength < minimumBytes) {
        const row = makeRealisticRow(rows);
        if (rows % CYCLE.length === 8) selectedRows += 1;
        parts.push(row);
        // Rows are ASCII, so characters are bytes.
        blockLength += row.length;
        rows += 1;
      }
      bytes += writeSync(descriptor, parts.join(''));
    }
  } finally {
    closeSync(descriptor);
  }
  return {
    path,
    bytes,
    rows,
    selectedRows,
    firstEmittedAt: new Date(FIRST_EMITTED_MS).toISOString(),
    lastEmittedAt: new Date(FIRST_EMITTED_MS + rows - 1).toISOString(),
  };
}
