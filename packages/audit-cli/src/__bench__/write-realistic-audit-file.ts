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

/** Row `n` of a generated file of envelope version 1, emitted at `FIRST_EMITTED_MS + n`. */
export function makeRealisticRow(n: number): string {
  const ms = FIRST_EMITTED_MS + n;
  const template = CYCLE[n % CYCLE.length] ?? CYCLE[0]!;
  return `{"v":1,"id":"${makeRowId(ms, n)}","emitted_at":"${new Date(ms).toISOString()}${template(n)}`;
}

/** The writers of a generated file of version 2: processes appending to it at once. */
export const REALISTIC_WRITERS = 4;

/** Row `n` of a generated file as version 2 `seq` of `writer`: the version 1 row with the writer's tail. */
function makeRealisticWriterRow(n: number, writer: string, seq: number): string {
  const row = makeRealisticRow(n);
  // `…}}\n`: the details' brace stays, the envelope's gets the writer and seq before it.
  return `{"v":2${row.slice('{"v":1'.length, -2)},"writer":"${writer}","seq":${seq}}\n`;
}

/** The `audit.opened` row of writer `index`, emitted at `ms`; its id is the writer's. */
function makeOpenedRow(ms: number, writer: string, index: number): string {
  return `{"v":2,"id":"${writer}","emitted_at":"${new Date(ms).toISOString()}","seam":"audit.opened","source":null,"caller_session_id":null,"details":{"host":"worker-${index}.example.internal","pid":${4000 + index},"mode":"${index % 2 === 0 ? 'batched' : 'sync'}","batch_size":${index % 2 === 0 ? 64 : 1},"failure":"best-effort","version":"0.1.0","path":"/var/lib/kora/kora_audit_log.jsonl"},"writer":"${writer}","seq":1}\n`;
}

/** The `audit.closed` row of a writer whose rows all reached the file. */
function makeClosedRow(ms: number, n: number, writer: string, seq: number): string {
  return `{"v":2,"id":"${makeRowId(ms, n)}","emitted_at":"${new Date(ms).toISOString()}","seam":"audit.closed","source":null,"caller_session_id":null,"details":{"trigger":"close","last_seq":${seq},"rows_made":${seq - 1},"rows_written":${seq - 1},"rows_lost":{}},"writer":"${writer}","seq":${seq}}\n`;
}

/** What {@link writeRealisticAuditFile} wrote. */
export interface RealisticAuditFile {
  readonly path: string;
  readonly bytes: number;
  /** Lines, every one a row: the writers' `audit.*` rows included. */
  readonly rows: number;
  /** Rows of {@link SELECTED_SEAM}. */
  readonly selectedRows: number;
  /** `emitted_at` of the first and the last row. */
  readonly firstEmittedAt: string;
  readonly lastEmittedAt: string;
}

/**
 * Write at least `minimumBytes` of valid rows of the four seams to `path`, oldest first, in
 * blocks of about 4 MiB. Version 2 (the default) as {@link REALISTIC_WRITERS} writers taking
 * turns write it: each opens with its `audit.opened` row, numbers its rows and closes with an
 * `audit.closed` row that accounts for all of them; version 1 rows name no writer.
 */
export function writeRealisticAuditFile(path: string, minimumBytes: number, version: 1 | 2 = 2): RealisticAuditFile {
  const descriptor = openSync(path, 'w', 0o600);
  let bytes = 0;
  let selectedRows = 0;
  let n = 0;
  // The line after the writers' opened rows is row 0 of the seams' cycle.
  const writers = Array.from({ length: version === 2 ? REALISTIC_WRITERS : 0 }, (_, index) =>
    makeRowId(FIRST_EMITTED_MS - 1000 + index, index),
  );
  const seqs = writers.map(() => 1);
  const write = (text: string): void => {
    bytes += writeSync(descriptor, text);
  };
  try {
    write(writers.map((writer, index) => makeOpenedRow(FIRST_EMITTED_MS - 1000 + index, writer, index)).join(''));
    while (bytes < minimumBytes) {
      const parts: string[] = [];
      let blockLength = 0;
      while (blockLength < 4 * 1024 * 1024 && bytes + blockLength < minimumBytes) {
        const writer = n % REALISTIC_WRITERS;
        const row = version === 2 ? makeRealisticWriterRow(n, writers[writer]!, (seqs[writer] = seqs[writer]! + 1)) : makeRealisticRow(n);
        if (n % CYCLE.length === 8) selectedRows += 1;
        parts.push(row);
        // Rows are ASCII, so characters are bytes.
        blockLength += row.length;
        n += 1;
      }
      write(parts.join(''));
    }
    write(writers.map((writer, index) => makeClosedRow(FIRST_EMITTED_MS + n + index, n + index, writer, seqs[index]! + 1)).join(''));
  } finally {
    closeSync(descriptor);
  }
  return {
    path,
    bytes,
    rows: n + 2 * writers.length,
    selectedRows,
    firstEmittedAt: new Date(FIRST_EMITTED_MS - (writers.length > 0 ? 1000 : 0)).toISOString(),
    lastEmittedAt: new Date(FIRST_EMITTED_MS + n + writers.length - 1).toISOString(),
  };
}
