import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { validateOcsfEvent } from '@kora/audit-export/ocsf';
import type { AuditEnvelope } from '@kora/audit-sink';
import { startOtlpReceiver } from '@kora/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, parseJsonLines, waitFor } from '../__fixtures__/cli-harness.js';
import { appendToolCalls, otelFileIds, plainValue, readFileRows, receivedRecords, runDemo } from '../__fixtures__/export-fixtures.js';
import type { DemoAuditFile, FileRow } from '../__fixtures__/export-fixtures.js';
import { main } from '../main.js';

// Port 1 on loopback refuses at once: a receiver that is down.
const DEAD_ENDPOINT = 'http://127.0.0.1:1/v1/logs';
const HEADER_SECRET = ['Bearer', 'kora', 'c2VjcmV0LXRva2VuLTk4NzY1NDMyMTA'].join(' ');

let demo: DemoAuditFile;
let demoRows: FileRow[];
let dir: string;

beforeAll(async () => {
  demo = await runDemo();
  demoRows = readFileRows(demo.path);
  dir = makeTempDir();
}, 120_000);
afterAll(() => {
  rmSync(demo.home, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the demo's audit file in its own directory. */
function copyDemo(): string {
  const copyDir = makeTempDir();
  const path = join(copyDir, 'kora_audit_log.jsonl');
  copyFileSync(demo.path, path);
  return path;
}

async function run(
  args: readonly string[],
  cwd = dir,
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo({ cwd, env });
  const code = await main(['export', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** The OpenTelemetry severity a row's outcome gets: INFO, WARN for a denial or a failure, ERROR for a tool's error. */
function expectedSeverity(entry: AuditEnvelope): number {
  const details = entry.details;
  switch (entry.seam) {
    case 'mcp.tool_called': {
      const result = String(details.result);
      return result.startsWith('denied:') ? 13 : result.startsWith('error:') ? 17 : 9;
    }
    case 'reasoning.tool_called':
      return details.tool_status === 'denied' ? 13 : details.tool_status === 'error' || details.tool_status === 'timeout' ? 17 : 9;
    case 'webhook.dead_letter':
    case 'slack_dm.reply_failed':
    case 'audit.lost':
      return 13;
    default:
      return 9;
  }
}

/** The seal's leaf hash of a line: SHA-256 of 0x00 and the line. */
function leafHash(text: string): string {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(text, 'utf8')
    .digest('hex');
}

function summaryOf(out: string): { rows_exported: number; lines_skipped: Record<string, number>; offset: number } {
  return JSON.parse(out) as { rows_exported: number; lines_skipped: Record<string, number>; offset: number };
}

function checkpointOf(path: string): { offset: number; extra: Record<string, unknown> } {
  return JSON.parse(readFileSync(path, 'utf8')) as { offset: number; extra: Record<string, unknown> };
}

describe('export of the demo audit file', () => {
  it('holds a row of every seam the demo drives, and outcomes of every severity', () => {
    expect(new Set(demoRows.map((row) => row.entry.seam))).toEqual(
      new Set(['audit.opened', 'mcp.tool_called', 'webhook.dead_letter', 'reasoning.tool_called', 'slack_dm.reply_failed', 'audit.closed']),
    );
    expect(new Set(demoRows.map((row) => expectedSeverity(row.entry)))).toEqual(new Set([9, 13, 17]));
    expect(existsSync(`${demo.path}.checkpoints`)).toBe(true);
  });

  it('writes one OTLP/JSON record per row with every row id, as many records as rows', async () => {
    const out = join(makeTempDir(), 'audit.otlp.jsonl');
    const result = await run(['--format', 'otel', '--path', demo.path, '--out', out, '--batch-rows', '4']);
    expect(result.code).toBe(0);
    expect(summaryOf(result.out)).toMatchObject({ rows_exported: demoRows.length, offset: statSync(demo.path).size });
    const ids = otelFileIds(readFileSync(out, 'utf8'));
    expect(ids).toHaveLength(demoRows.length);
    expect(ids).toEqual(demoRows.map((row) => row.entry.id));
    // One ExportLogsServiceRequest per batch of at most four rows.
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(Math.ceil(demoRows.length / 4));
  });

  it('writes one valid OCSF event per row, each with its row id (and the row as written, when kept)', async () => {
    const out = join(makeTempDir(), 'audit.ocsf.jsonl');
    const result = await run(['--format', 'ocsf', '--path', demo.path, '--out', out, '--keep-original']);
    expect(result.code).toBe(0);
    const events = parseJsonLines(readFileSync(out, 'utf8')) as { metadata: { uid: string }; raw_data: string }[];
    expect(events).toHaveLength(demoRows.length);
    expect(events.map((event) => event.metadata.uid)).toEqual(demoRows.map((row) => row.entry.id));
    for (const [index, event] of events.entries()) {
      const validation = validateOcsfEvent(event);
      expect(validation.valid, `the OCSF event of ${demoRows[index]!.entry.seam}: ${JSON.stringify(validation)}`).toBe(true);
      expect(event.raw_data).toBe(demoRows[index]!.text);
    }
  });

  it('writes one ECS document per row, each with its row id and verbatim line', async () => {
    const out = join(makeTempDir(), 'audit.ecs.jsonl');
    const result = await run(['--format', 'ecs', '--path', demo.path, '--out', out]);
    expect(result.code).toBe(0);
    const documents = parseJsonLines(readFileSync(out, 'utf8')) as {
      event: { id: string; action: string; original?: string; hash?: string };
      message: string;
    }[];
    expect(documents).toHaveLength(demoRows.length);
    expect(documents.map((document) => document.event.id)).toEqual(demoRows.map((row) => row.entry.id));
    for (const [index, document] of documents.entries()) {
      const { entry, text } = demoRows[index]!;
      expect(document.event.action).toBe(entry.seam);
      expect(document.message).toBe(demo.verbatim.get(entry.id));
      // The demo's file is sealed: the leaf hash of the line, without the line unless asked for.
      expect(document.event.hash).toBe(
        createHash('sha256')
          .update(Buffer.from([0]))
          .update(text)
          .digest('hex'),
      );
      expect(document.event.original).toBeUndefined();
    }
  });

  it('sends every row over OTLP/HTTP, each record field by field as its row says', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const path = copyDemo();
      copyFileSync(`${demo.path}.checkpoints`, `${path}.checkpoints`);
      const result = await run([
        '--format',
        'otel',
        '--path',
        path,
        '--otlp-endpoint',
        receiver.url,
        '--otlp-header',
        `authorization=${HEADER_SECRET}`,
        '--service-name',
        'demo-agent',
        '--batch-rows',
        '5',
      ]);
      expect(result.code).toBe(0);
      expect(summaryOf(result.out).rows_exported).toBe(demoRows.length);
      expect(receiver.requests).toHaveLength(Math.ceil(demoRows.length / 5));
      for (const request of receiver.requests) expect(request.headers.authorization).toBe(HEADER_SECRET);
      const records = receivedRecords(receiver);
      expect(records.map(({ uid }) => uid)).toEqual(demoRows.map((row) => row.entry.id));
      for (const [index, { record, resource, attributes }] of records.entries()) {
        const { entry, text } = demoRows[index]!;
        expect(resource).toEqual({ 'service.name': 'demo-agent', 'host.name': hostname() });
        expect(record.timeUnixNano).toBe(String(BigInt(Date.parse(entry.emitted_at)) * 1_000_000n));
        expect(record.severityNumber, entry.seam).toBe(expectedSeverity(entry));
        expect(record.severityText).toBe({ 9: 'INFO', 13: 'WARN', 17: 'ERROR' }[record.severityNumber]);
        expect(record.eventName).toBe(`kora.${entry.seam}`);
        expect(plainValue(record.body)).toEqual(entry.details);
        expect(attributes['log.record.uid']).toBe(entry.id);
        // The line the daemon logged for the row, byte for byte.
        expect(attributes['log.record.original']).toBe(demo.verbatim.get(entry.id));
        expect(attributes['kora.audit.writer']).toBe(entry.writer);
        expect(attributes['kora.audit.seq']).toBe(entry.seq);
        expect(attributes['kora.audit.leaf_hash']).toBe(leafHash(text));
        expect(attributes['kora.audit.source']).toBe(entry.source ?? undefined);
        if (entry.seam === 'mcp.tool_called' || entry.seam === 'reasoning.tool_called') {
          expect(attributes['gen_ai.operation.name']).toBe('execute_tool');
          expect(attributes['gen_ai.tool.name']).toBe(entry.details.tool_name);
        } else {
          expect(Object.keys(attributes).filter((key) => key.startsWith('gen_ai.'))).toEqual([]);
        }
      }
      expect(`${result.out}${result.err}`).not.toContain('c2VjcmV0LXRva2VuLTk4NzY1NDMyMTA');
      expect(checkpointOf(`${path}.export-otlp-checkpoint.json`)).toMatchObject({
        offset: statSync(path).size,
        extra: { target: 'otlp', endpoint: receiver.url },
      });
    } finally {
      await receiver.close();
    }
  });
});

describe('export to standard output', () => {
  it('prints one document per row and the summary on standard error, and with --checkpoint only new rows next time', async () => {
    const path = copyDemo();
    const work = makeTempDir();
    const first = await run(['--format', 'ecs', '--path', path, '--checkpoint', 'stdout.checkpoint.json'], work);
    expect(first.code).toBe(0);
    const documents = parseJsonLines(first.out) as { event: { id: string } }[];
    expect(documents.map((document) => document.event.id)).toEqual(demoRows.map((row) => row.entry.id));
    const summaryLine = first.err.split('\n').find((line) => line.startsWith('{'));
    expect(JSON.parse(summaryLine!)).toMatchObject({ rows_exported: demoRows.length });
    await appendToolCalls(path, 1);
    const second = await run(['--format', 'ecs', '--path', path, '--checkpoint', 'stdout.checkpoint.json'], work);
    expect(second.code).toBe(0);
    const added = parseJsonLines(second.out) as { event: { id: string } }[];
    expect(added.map((document) => document.event.id)).toEqual(
      readFileRows(path)
        .slice(demoRows.length)
        .map((row) => row.entry.id),
    );
    expect(checkpointOf(join(work, 'stdout.checkpoint.json')).extra).toEqual({ target: 'stream', format: 'ecs' });
  });
});

describe('export to a receiver that is down', () => {
  it('retries, warns once without header values, delivers after recovery, and keeps its checkpoint while failing', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const path = copyDemo();
      // More refusals than the OpenTelemetry exporter retries within one send: sends fail, and are retried.
      receiver.failNext(14, { status: 503, retryAfterSeconds: 0 });
      const io = createTestIo({ cwd: dir });
      const exported = main(
        ['export', '--format', 'otel', '--path', path, '--otlp-endpoint', receiver.url, '--otlp-header', `authorization=${HEADER_SECRET}`],
        io,
      );
      const checkpointPath = `${path}.export-otlp-checkpoint.json`;
      await waitFor(() => io.err().includes('[kora.export.target_unavailable]'), 30_000);
      // Failing: the checkpoint names the start, read while the receiver had acknowledged nothing.
      expect(checkpointOf(checkpointPath).offset).toBe(0);
      expect(receiver.acknowledgedRecordCount()).toBe(0);
      expect(await exported).toBe(0);
      expect(receiver.attempts()).toBe(15);
      expect(receiver.acknowledgedRecordCount()).toBe(demoRows.length);
      expect(io.err().match(/\[kora\.export\.target_unavailable\]/g)).toHaveLength(1);
      expect(io.err()).toContain(`[kora.export.target_unavailable] target=${receiver.url} error=`);
      expect(io.err()).toMatch(/\[kora\.export\.target_recovered\] target=\S+ after_ms=\d+/);
      expect(io.err()).not.toContain('c2VjcmV0LXRva2VuLTk4NzY1NDMyMTA');
      expect(io.out()).not.toContain('c2VjcmV0LXRva2VuLTk4NzY1NDMyMTA');
      expect(summaryOf(io.out())).toMatchObject({ rows_exported: demoRows.length, delivery_failures: 2, gave_up: false });
      expect(checkpointOf(checkpointPath).offset).toBe(statSync(path).size);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('gives up on a receiver that stays down with exit 75, its checkpoint still at the start', async () => {
    const path = copyDemo();
    const result = await run([
      '--format',
      'otel',
      '--path',
      path,
      '--otlp-endpoint',
      DEAD_ENDPOINT,
      '--otlp-header',
      `authorization=${HEADER_SECRET}`,
      '--give-up-after',
      '1s',
    ]);
    expect(result.code).toBe(75);
    expect(summaryOf(result.out)).toMatchObject({ rows_exported: 0, gave_up: true, offset: 0 });
    expect(result.err).toMatch(/\[kora\.export\.gave_up\] target=http:\/\/127\.0\.0\.1:1\/v1\/logs after_ms=\d+/);
    expect(`${result.out}${result.err}`).not.toContain('c2VjcmV0LXRva2VuLTk4NzY1NDMyMTA');
    expect(checkpointOf(`${path}.export-otlp-checkpoint.json`)).toMatchObject({ offset: 0, extra: { endpoint: DEAD_ENDPOINT } });
  }, 60_000);
});

describe('export usage errors', () => {
  it.each([
    [[], '--format is required: otel, ocsf, ecs'],
    [['--format', 'csv'], "--format: 'csv' is not one of otel, ocsf, ecs"],
    [['--format', 'ocsf', '--otlp-endpoint', 'http://127.0.0.1:4318'], '--otlp-endpoint: OTLP carries --format otel only'],
    [
      ['--format', 'otel', '--out', 'a.jsonl', '--otlp-endpoint', 'http://127.0.0.1:4318'],
      'give either --out or --otlp-endpoint, not both',
    ],
    [['--format', 'otel', '--otlp-endpoint', 'ftp://127.0.0.1/'], '--otlp-endpoint: ftp: is not http: or https:'],
    [['--format', 'otel', '--otlp-header', 'authorization=x'], '--otlp-header and --otlp-compression need --otlp-endpoint'],
    [['--format', 'otel', '--batch-rows', '0'], "--batch-rows: '0' is not a whole number from 1 to 50000"],
  ])('exits 2 for %j', async (args, message) => {
    const result = await run(['--path', join(dir, 'none.jsonl'), ...args]);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`kora-audit export: ${message}\n`);
    expect(result.out).toBe('');
  });

  it('exits 2 for a one-off export of a file that is not there, naming it', async () => {
    const missing = join(dir, 'none.jsonl');
    const result = await run(['--path', missing, '--format', 'ecs']);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`kora-audit export: ${missing}: no such file\n`);
    expect(result.out).toBe('');
  });

  it('exits 2 for --out into a directory that does not exist, and makes none', async () => {
    const missing = join(dir, 'no-such-dir');
    const result = await run(['--format', 'ocsf', '--out', join(missing, 'audit.ocsf.jsonl')]);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`kora-audit export: --out: the directory ${missing} does not exist\n`);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a header from OTEL_EXPORTER_OTLP_HEADERS that HTTP cannot carry, naming the variable and header, not the value', async () => {
    for (const value of [`${HEADER_SECRET}%01`, `${HEADER_SECRET}%E2%82%AC`, `${HEADER_SECRET}%ZZ`]) {
      const result = await run(['--format', 'otel', '--otlp-endpoint', 'http://127.0.0.1:4318'], dir, {
        OTEL_EXPORTER_OTLP_HEADERS: `x-tenant=blue,authorization=${value}`,
      });
      expect(result.code).toBe(2);
      expect(result.err).toMatch(
        /^kora-audit export: OTEL_EXPORTER_OTLP_HEADERS: the value of authorization (holds a control character|is not percent-encoded)/,
      );
      expect(result.err).not.toContain(HEADER_SECRET);
    }
  });

  it('names a header by its position, never its value, when it has no name', async () => {
    const result = await run(['--format', 'otel', '--otlp-endpoint', 'http://127.0.0.1:4318', '--otlp-header', `=${HEADER_SECRET}`]);
    expect(result.code).toBe(2);
    expect(result.err).toBe('kora-audit export: --otlp-header #1: give NAME=VALUE with a header name before the =\n');
  });

  it('refuses a header value HTTP cannot carry at once, naming the header and not its value', async () => {
    const result = await run([
      '--format',
      'otel',
      '--otlp-endpoint',
      'http://127.0.0.1:4318',
      '--otlp-header',
      `authorization=${HEADER_SECRET}\x01`,
    ]);
    expect(result.code).toBe(2);
    expect(result.err).toBe(
      'kora-audit export: --otlp-header authorization: the value holds a control character or one above U+00FF, which a header cannot carry\n',
    );
  });

  it('refuses a checkpoint written for another output file, and leaves both outputs alone', async () => {
    const path = copyDemo();
    const work = makeTempDir();
    const checkpoint = join(work, 'shared.checkpoint.json');
    expect((await run(['--format', 'ecs', '--path', path, '--out', 'first.jsonl', '--checkpoint', checkpoint], work)).code).toBe(0);
    const first = readFileSync(join(work, 'first.jsonl'), 'utf8');
    const result = await run(['--format', 'ecs', '--path', path, '--out', 'second.jsonl', '--checkpoint', checkpoint], work);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      `kora-audit export: the checkpoint was written for another output (${join(work, 'first.jsonl')}), not ${join(work, 'second.jsonl')}: give each output its own checkpoint`,
    );
    expect(readFileSync(join(work, 'first.jsonl'), 'utf8')).toBe(first);
    expect(existsSync(join(work, 'second.jsonl'))).toBe(false);
  });

  it('refuses a checkpoint written for another format on the same output', async () => {
    const path = copyDemo();
    const work = makeTempDir();
    expect((await run(['--format', 'ecs', '--path', path, '--out', 'out.jsonl'], work)).code).toBe(0);
    const result = await run(['--format', 'ocsf', '--path', path, '--out', 'out.jsonl'], work);
    expect(result.code).toBe(2);
    expect(result.err).toContain('the checkpoint was written for --format ecs, not ocsf: give each format its own output');
  });

  it('refuses a malformed checkpoint rather than guessing a position', async () => {
    const path = copyDemo();
    const work = makeTempDir();
    writeFileSync(join(work, 'out.jsonl.checkpoint.json'), '{"offset": 12}');
    const result = await run(['--format', 'ecs', '--path', path, '--out', 'out.jsonl'], work);
    expect(result.code).toBe(2);
    expect(result.err).toBe(
      `kora-audit export: ${join(work, 'out.jsonl.checkpoint.json')} is not an export checkpoint (delete it to export every file from the start again)\n`,
    );
    expect(existsSync(join(work, 'out.jsonl')) ? readFileSync(join(work, 'out.jsonl'), 'utf8') : '').toBe('');
  });
});

describe('export to a file, exactly once', () => {
  it('appends only the rows written since the last run', async () => {
    const path = copyDemo();
    const work = makeTempDir();
    const out = join(work, 'out.jsonl');
    expect((await run(['--format', 'ocsf', '--path', path, '--out', out], work)).code).toBe(0);
    expect(summaryOf((await run(['--format', 'ocsf', '--path', path, '--out', out], work)).out).rows_exported).toBe(0);
    await appendToolCalls(path, 9);
    const second = await run(['--format', 'ocsf', '--path', path, '--out', out, '--batch-rows', '2'], work);
    expect(second.code).toBe(0);
    const rows = readFileRows(path);
    // Nine tool calls, and the opened and closed rows of the sink that wrote them.
    expect(rows).toHaveLength(demoRows.length + 11);
    expect(summaryOf(second.out).rows_exported).toBe(11);
    const events = parseJsonLines(readFileSync(out, 'utf8')) as { metadata: { uid: string } }[];
    expect(events.map((event) => event.metadata.uid)).toEqual(rows.map((row) => row.entry.id));
    expect(checkpointOf(`${out}.checkpoint.json`)).toMatchObject({ offset: statSync(path).size, extra: { out_size: statSync(out).size } });
  });

  it('warns when the output is shorter than its checkpoint says, and appends the new rows', async () => {
    const path = copyDemo();
    const work = makeTempDir();
    const out = join(work, 'out.jsonl');
    expect((await run(['--format', 'ecs', '--path', path, '--out', out], work)).code).toBe(0);
    const size = statSync(out).size;
    rmSync(out);
    await appendToolCalls(path, 3);
    const result = await run(['--format', 'ecs', '--path', path, '--out', out], work);
    expect(result.code).toBe(0);
    expect(result.err).toContain(`[kora.export.output_shorter] path=${out} size=0 checkpoint_size=${size} appending`);
    const documents = parseJsonLines(readFileSync(out, 'utf8')) as { event: { id: string } }[];
    expect(documents.map((document) => document.event.id)).toEqual(
      readFileRows(path)
        .slice(demoRows.length)
        .map((row) => row.entry.id),
    );
  });

  it('cuts records written after the checkpoint off the output before it resumes', async () => {
    const path = copyDemo();
    const work = makeTempDir();
    const out = join(work, 'out.jsonl');
    expect((await run(['--format', 'ocsf', '--path', path, '--out', out], work)).code).toBe(0);
    const size = statSync(out).size;
    // What a crash between a write and its checkpoint leaves: a record and a torn one.
    writeFileSync(out, `${readFileSync(out, 'utf8').split('\n')[0]!}\n{"activity_id":6,"metad`, { flag: 'a' });
    await appendToolCalls(path, 2);
    const result = await run(['--format', 'ocsf', '--path', path, '--out', out], work);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(new RegExp(`\\[kora\\.export\\.output_cut\\] path=${out} from=\\d+ to=${size} reason=after_checkpoint`));
    const events = parseJsonLines(readFileSync(out, 'utf8')) as { metadata: { uid: string } }[];
    expect(events.map((event) => event.metadata.uid)).toEqual(readFileRows(path).map((row) => row.entry.id));
  });
});
