import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SEAMS, writeGoldenAuditFile } from '../__fixtures__/write-golden-audit-file.js';
import type { GoldenAuditFile } from '../__fixtures__/write-golden-audit-file.js';
import type { ExportContext, ExportRow } from '../mapping/export-row.js';
import { createExportRowReader } from '../mapping/read-export-row.js';
import { validateOcsfEvent } from '../ocsf/validate-ocsf-event.js';
import { toEcsDocument } from './to-ecs-document.js';
import { toOcsfEvent } from './to-ocsf-event.js';
import { toOtelLogRecord } from './to-otel-log-record.js';

const context: ExportContext = {
  productVersion: '9.9.9',
  hostName: 'audit-host',
  serviceName: 'kora-agent',
  logPath: '/var/log/kora/audit.jsonl',
  now: () => Date.parse('2026-12-06T12:00:00.000Z'),
  keepOriginal: true,
};

let file: GoldenAuditFile;
let rows: ExportRow[];

beforeAll(async () => {
  file = await writeGoldenAuditFile();
  const read = createExportRowReader({ seams: ALL_SEAMS, leafHashes: true });
  rows = file.rows.map(({ entry, text }) => {
    const result = read(entry, text);
    if (result.kind !== 'row') throw new Error(`a golden row was skipped: ${result.reason}`);
    return result.row;
  });
});
afterAll(() => rmSync(file.dir, { recursive: true, force: true }));

const find = (seam: string, test: (details: Record<string, unknown>) => boolean): ExportRow => {
  const row = rows.find((candidate) => candidate.seam.name === seam && test(candidate.entry.details));
  if (row === undefined) throw new Error(`no golden row of ${seam} matches`);
  return row;
};

describe('every golden row in every format', () => {
  it('has rows of all seven seams', () => {
    expect(new Set(rows.map((row) => row.seam.name))).toEqual(new Set(ALL_SEAMS.map((seam) => seam.name)));
  });

  it('keeps the row id and carries the verbatim line the sink logged, byte for byte', () => {
    for (const row of rows) {
      const line = file.lines.get(row.entry.id);
      expect(line, `a line was logged for ${row.entry.seam}`).toBeDefined();
      const otel = toOtelLogRecord(row, context);
      const ocsf = toOcsfEvent(row, context) as { message: string; metadata: { uid: string }; raw_data: string };
      const ecs = toEcsDocument(row, context) as { message: string; event: { id: string; original: string } };
      expect(otel.attributes['log.record.uid']).toBe(row.entry.id);
      expect(otel.attributes['log.record.original']).toBe(line);
      expect(ocsf.metadata.uid).toBe(row.entry.id);
      expect(ocsf.message).toBe(line);
      expect(ocsf.raw_data).toBe(row.text);
      expect(ecs.event.id).toBe(row.entry.id);
      expect(ecs.message).toBe(line);
      expect(ecs.event.original).toBe(row.text);
    }
  });

  it('makes OCSF events the OCSF 1.3.0 schema accepts', () => {
    const refused = rows.flatMap((row) => {
      const result = validateOcsfEvent(toOcsfEvent(row, context));
      return result.valid ? [] : [{ seam: row.seam.name, details: row.entry.details, errors: result.errors }];
    });
    expect(refused).toEqual([]);
  });

  it('leaves the row as written out unless asked to keep it, and keeps the leaf hash either way', () => {
    const lean = { ...context, keepOriginal: false };
    for (const row of rows) {
      const ocsf = toOcsfEvent(row, lean) as { raw_data?: string; unmapped?: { leaf_hash?: string } };
      const ecs = toEcsDocument(row, lean) as { event: { original?: string; hash?: string } };
      expect(ocsf.raw_data).toBeUndefined();
      expect(ecs.event.original).toBeUndefined();
      expect(ocsf.unmapped?.leaf_hash).toBe(row.leafHash);
      expect(ecs.event.hash).toBe(row.leafHash);
    }
  });

  it('takes the time from emitted_at and names the event after the seam', () => {
    for (const row of rows) {
      const time = Date.parse(row.entry.emitted_at);
      expect(toOtelLogRecord(row, context)).toMatchObject({ timeUnixMs: time, eventName: `kora.${row.seam.name}` });
      expect(toOcsfEvent(row, context)).toMatchObject({
        time,
        metadata: { original_time: row.entry.emitted_at, event_code: row.seam.name },
      });
      expect(toEcsDocument(row, context)).toMatchObject({ '@timestamp': row.entry.emitted_at, event: { action: row.seam.name } });
    }
  });
});

describe('outcomes', () => {
  it('grades ok calls 9, denied calls, dead letters and failed replies 13, tool errors 17', () => {
    const severity = (row: ExportRow): number => toOtelLogRecord(row, context).severityNumber;
    expect(severity(find('mcp.tool_called', (d) => d.result === 'ok' || String(d.result).startsWith('ticket_id=')))).toBe(9);
    expect(severity(find('mcp.tool_called', (d) => String(d.result).startsWith('denied:')))).toBe(13);
    expect(severity(find('mcp.tool_called', (d) => String(d.result).startsWith('error:')))).toBe(17);
    expect(severity(find('webhook.dead_letter', () => true))).toBe(13);
    expect(severity(find('slack_dm.reply_failed', () => true))).toBe(13);
    expect(severity(find('reasoning.tool_called', (d) => d.tool_status === 'ok'))).toBe(9);
    expect(severity(find('reasoning.tool_called', (d) => d.tool_status === 'error'))).toBe(17);
    expect(severity(find('reasoning.tool_called', (d) => d.tool_status === 'timeout'))).toBe(17);
    expect(severity(find('audit.lost', () => true))).toBe(13);
  });

  it('says a denial is denied in ECS and a failure in OCSF', () => {
    const denied = find('mcp.tool_called', (d) => String(d.result).startsWith('denied:'));
    expect(toEcsDocument(denied, context)).toMatchObject({ event: { outcome: 'failure', type: ['access', 'denied'] } });
    expect(toOcsfEvent(denied, context)).toMatchObject({ status_id: 2, status: 'Failure', severity_id: 3 });
  });
});

describe('the seams’ mappings', () => {
  it('exports an MCP tool call with the GenAI and MCP conventions and as OCSF API Activity', () => {
    const row = find('mcp.tool_called', (d) => String(d.result).startsWith('error:'));
    const { details } = row.entry;
    const errorType = String(details.result).slice('error:'.length);
    expect(toOtelLogRecord(row, context).attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': details.tool_name,
      'mcp.method.name': 'tools/call',
      'error.type': errorType,
    });
    expect(toOcsfEvent(row, context)).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      api: { operation: details.tool_name, service: { name: 'mcp' }, response: { error: errorType } },
      actor: { app_name: 'kora-agent', user: { name: details.caller_actor_kind, type_id: 99 } },
    });
    expect(toEcsDocument(row, context)).toMatchObject({ gen_ai: { operation: { name: 'execute_tool' } }, error: { type: errorType } });
  });

  it('exports a dead letter as HTTP Activity from the peer', () => {
    const row = find('webhook.dead_letter', (d) => typeof d.peer_ip === 'string');
    const event = toOcsfEvent(row, context);
    expect(event).toMatchObject({ class_uid: 4002, activity_id: 6, type_uid: 400206, src_endpoint: { ip: row.entry.details.peer_ip } });
    expect(toEcsDocument(row, context)).toMatchObject({ source: { ip: row.entry.details.peer_ip } });
  });

  it('puts the seal leaf hash where each schema has room for it', () => {
    const [row] = rows;
    expect(row!.leafHash).toMatch(/^[0-9a-f]{64}$/);
    expect(toEcsDocument(row!, context)).toMatchObject({ event: { hash: row!.leafHash } });
    expect(toOcsfEvent(row!, context)).toMatchObject({ unmapped: { leaf_hash: row!.leafHash } });
    expect(toOtelLogRecord(row!, context).attributes['kora.audit.leaf_hash']).toBe(row!.leafHash);
  });
});
