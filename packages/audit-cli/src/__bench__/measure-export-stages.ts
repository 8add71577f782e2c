import { readFileSync } from 'node:fs';
import { createExportRowReader, createRecordMaker, encodeJsonLines } from '@kora/audit-export';
import { createOtelLogEncoder, createOtlpJsonLineEncoder } from '@kora/audit-export/otel';
import type { ExportContext } from '@kora/audit-export';
import { classifyAuditLine, classifyAuditLineNow } from '@kora/audit-sink/reader';
import type { AuditEnvelope } from '@kora/audit-sink';
import { median } from './measure-commands.js';
import { SEAMS } from '../seams.js';

const BATCH_ROWS = 2000;

/** Microseconds a row of each step of an export, in one thread. */
export interface ExportStages {
  readonly rows: number;
  /** Each line parsed and checked against the envelope (the reader's share). */
  readonly readLine: number;
  /** Each row's details checked against its seam's allow-list. */
  readonly allowList: number;
  /** The verbatim `[kora.<seam>]` line, which every format carries. */
  readonly verbatimLine: number;
  /** Mapping to each format's record (the verbatim line included): OCSF and ECS as their JSON text. */
  readonly map: Readonly<Record<'otel' | 'ocsf' | 'ecs', number>>;
  /** The records of a batch as the bytes written: NDJSON, or the SDK's log records and OTLP/JSON. */
  readonly encode: Readonly<Record<'otel' | 'ocsf' | 'ecs', number>>;
}

/**
 * The steps of `kora-audit export` one by one, in this process, a batch at a time as the
 * exporter runs them, over the first `rows` lines of `path`: what one thread cannot go below
 * whatever the exporter around them does.
 */
export async function measureExportStages(path: string, rows: number): Promise<ExportStages> {
  const lines = readFileSync(path, 'utf8').split('\n', rows);
  const entries: AuditEnvelope[] = [];
  for (const line of lines) {
    const classified = await classifyAuditLine(line);
    if (classified.kind !== 'row') throw new Error('a generated line is not a row');
    entries.push(classified.entry);
  }
  const readRow = createExportRowReader({ seams: SEAMS, leafHashes: false });
  const exportRows = entries.map((entry, index) => {
    const result = readRow(entry, lines[index]!);
    if (result.kind !== 'row') throw new Error(`a generated row was skipped: ${result.reason}`);
    return result.row;
  });
  const context: ExportContext = { productVersion: '0.1.0', hostName: 'bench', serviceName: 'kora-agent', logPath: path, now: Date.now };
  const otel = createOtelLogEncoder({ resource: { 'service.name': 'kora-agent' }, scopeName: '@kora/audit-export', scopeVersion: '0.1.0' });

  // Microseconds a row of `step` over every batch, the median of three passes after a warm-up.
  const perRow = <T>(items: readonly T[], step: (batch: readonly T[]) => unknown): number => {
    const pass = (): number => {
      const started = process.hrtime.bigint();
      for (let start = 0; start < items.length; start += BATCH_ROWS) step(items.slice(start, start + BATCH_ROWS));
      return Number(process.hrtime.bigint() - started) / 1e3 / items.length;
    };
    pass();
    return median([pass(), pass(), pass()]);
  };
  const map = {} as Record<'otel' | 'ocsf' | 'ecs', number>;
  const encode = {} as Record<'otel' | 'ocsf' | 'ecs', number>;
  for (const format of ['otel', 'ocsf', 'ecs'] as const) {
    const makeRecord = createRecordMaker(format, context);
    map[format] = perRow(exportRows, (batch) => batch.map(makeRecord));
    const records = exportRows.map(makeRecord);
    const encoder = format === 'otel' ? createOtlpJsonLineEncoder(otel) : encodeJsonLines;
    encode[format] = perRow(records, encoder);
  }
  await otel.shutdown();
  return {
    rows: lines.length,
    readLine: perRow(lines, (batch) => batch.map((line) => classifyAuditLineNow(line))),
    allowList: perRow(
      entries.map((entry, index) => [entry, lines[index]!] as const),
      (batch) => batch.map(([entry, text]) => readRow(entry, text)),
    ),
    verbatimLine: perRow(exportRows, (batch) =>
      batch.map(({ entry, seam }) => seam.formatLine(entry.details, { caller_session_id: entry.caller_session_id, writer: entry.writer })),
    ),
    map,
    encode,
  };
}
