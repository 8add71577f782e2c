import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditSink } from '@kora/audit-sink';
import type { AuditEnvelope } from '@kora/audit-sink';
import { seam as mcpToolCalled } from '@kora/seam-mcp';
import type { OtlpAnyValue, OtlpKeyValue, OtlpLogRecord, OtlpReceiver } from '@kora/test-support';
import { findRepositoryRoot } from '@kora/test-support';
import { packageDir } from './cli-harness.js';

/** A row of an audit file: its envelope, its line without the newline, and where the line starts. */
export interface FileRow {
  readonly entry: AuditEnvelope;
  readonly text: string;
  readonly offset: number;
}

/** The rows of one audit file, in order, with their byte offsets. */
export function readFileRows(path: string): FileRow[] {
  if (!existsSync(path)) return [];
  const rows: FileRow[] = [];
  let offset = 0;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (text !== '') rows.push({ entry: JSON.parse(text) as AuditEnvelope, text, offset });
    offset += Buffer.byteLength(text, 'utf8') + 1;
  }
  return rows;
}

/** The demo's audit file, and the verbatim line the daemon logged for each row, by row id. */
export interface DemoAuditFile {
  readonly home: string;
  readonly path: string;
  readonly verbatim: ReadonlyMap<string, string>;
}

/**
 * Run the demo (`apps/daemon`'s `run-demo.ts --once`): the daemon with local fakes of Slack and
 * Anthropic drives a scenario through every seam over the real protocols, its sink writes the
 * audit file and seals it, and its pino log holds each row's verbatim line.
 */
export async function runDemo(): Promise<DemoAuditFile> {
  const home = mkdtempSync(join(tmpdir(), 'kora-export-demo-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@kora/source', 'src/demo/run-demo.ts', '--once', '--port', '0', '--home', home],
    { cwd: join(findRepositoryRoot(packageDir), 'apps', 'daemon'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`the demo exited with ${String(code)}: ${output}`);
  const verbatim = new Map<string, string>();
  for (const line of readFileSync(join(home, 'daemon.log'), 'utf8').split('\n')) {
    if (line === '') continue;
    const logged = JSON.parse(line) as { audit_id?: string; msg?: string };
    if (logged.audit_id !== undefined && logged.msg !== undefined) verbatim.set(logged.audit_id, logged.msg);
  }
  return { home, path: join(home, 'kora_audit_log.jsonl'), verbatim };
}

/** Append `count` MCP tool calls to `path` through a real sink (which adds its opened and closed rows). */
export async function appendToolCalls(path: string, count: number, from = 0): Promise<void> {
  const sink = createAuditSink({ path, logger: { info: () => {}, warn: () => {} }, flushOnExit: false, reopenOnHangup: false });
  for (let n = from; n < from + count; n += 1) {
    const outcome = sink.emit(
      mcpToolCalled,
      {
        tool_name: `kora__tool_${n % 5}`,
        tool_kind: n % 2 === 0 ? 'read' : 'mutating',
        caller_actor_kind: 'ops_console',
        args_keys: ['limit'],
        result: n % 7 === 3 ? 'denied:scope' : `count=${n}`,
      },
      { caller_session_id: `ops:${n}` },
    );
    if (!outcome.ok) throw new Error('the sink refused a tool call');
  }
  await sink.close();
}

/** An OTLP AnyValue as the JSON value it carries (int64 as a number: the rows' integers are small). */
export function plainValue(value: OtlpAnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) return value.arrayValue.values.map(plainValue);
  if ('kvlistValue' in value) return plainAttributes(value.kvlistValue.values);
  if ('bytesValue' in value) return value.bytesValue;
  return null;
}

/** OTLP key-values as an object. */
export function plainAttributes(values: readonly OtlpKeyValue[]): Record<string, unknown> {
  return Object.fromEntries(values.map(({ key, value }) => [key, plainValue(value)]));
}

/** A log record the receiver decoded, with its resource's attributes. */
export interface ReceivedRecord {
  readonly record: OtlpLogRecord;
  readonly resource: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
  readonly uid: string;
}

/** Every log record the receiver acknowledged, in arrival order. */
export function receivedRecords(receiver: OtlpReceiver): ReceivedRecord[] {
  return receiver.requests.flatMap(({ request }) =>
    request.resourceLogs.flatMap((resourceLogs) =>
      resourceLogs.scopeLogs.flatMap((scopeLogs) =>
        scopeLogs.logRecords.map((record) => {
          const attributes = plainAttributes(record.attributes);
          return {
            record,
            resource: plainAttributes(resourceLogs.resource.attributes),
            attributes,
            uid: String(attributes['log.record.uid']),
          };
        }),
      ),
    ),
  );
}

/** The `log.record.uid` of every record in an OTLP/JSON lines file, one request per line. */
export function otelFileIds(text: string): string[] {
  interface JsonRequest {
    resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line) =>
      (JSON.parse(line) as JsonRequest).resourceLogs.flatMap((resourceLogs) =>
        resourceLogs.scopeLogs.flatMap((scopeLogs) =>
          scopeLogs.logRecords.map(
            (record) => record.attributes.find((attribute) => attribute.key === 'log.record.uid')?.value.stringValue ?? '',
          ),
        ),
      ),
    );
}
