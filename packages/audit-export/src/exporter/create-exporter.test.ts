import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLogger } from '@kora/audit-sink';
import { startOtlpReceiver } from '@kora/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SEAMS, writeGoldenAuditFile } from '../__fixtures__/write-golden-audit-file.js';
import type { GoldenAuditFile } from '../__fixtures__/write-golden-audit-file.js';
import { EXPORT_FORMATS } from '../formats/export-format.js';
import type { ExportFormat } from '../formats/export-format.js';
import { createExportOtelEncoder } from '../otel/create-export-otel-encoder.js';
import { createOtlpJsonLineEncoder } from '../otel/create-otlp-json-line-encoder.js';
import { createFileTarget } from '../targets/create-file-target.js';
import { createOtlpTarget } from '../targets/create-otlp-target.js';
import { encodeJsonLines } from '../targets/encode-json-lines.js';
import type { ExportTarget } from '../targets/export-target.js';
import { createExporter } from './create-exporter.js';
import type { ExporterOptions } from './exporter-types.js';

const FIXTURE_SEAMS = {
  seamsModule: new URL('../__fixtures__/write-golden-audit-file.ts', import.meta.url).href,
  exportName: 'ALL_SEAMS',
};
const context = { productVersion: '1.0.0', hostName: 'h', serviceName: 's', now: () => Date.UTC(2026, 11, 6, 12) };

let golden: GoldenAuditFile;
beforeAll(async () => {
  golden = await writeGoldenAuditFile();
  const [first] = golden.rows;
  // What a hand or a broken writer leaves in the file, among the rows.
  const refused = JSON.stringify({ ...first!.entry, details: { ...first!.entry.details, prompt: 'secret-prompt-text' } });
  appendFileSync(
    golden.path,
    ['', '   ', 'not json at all', '{"a":1}', refused, `{"torn":"hea${first!.text}`, golden.rows.at(-1)!.text, ''].join('\n'),
  );
});
afterAll(() => rmSync(golden.dir, { recursive: true, force: true }));

/** Export the golden file to `out` in `format`, on this thread or in workers; what was written and warned. */
async function exportTo(format: ExportFormat, out: string, inWorkers: boolean, batchRows: number) {
  const warnings: string[] = [];
  const logger: AuditLogger = { info: () => undefined, warn: (message) => void warnings.push(message) };
  const encode = format === 'otel' ? createOtlpJsonLineEncoder(createExportOtelEncoder(context)) : encodeJsonLines;
  const target = createFileTarget({ path: out, format, encode, logger });
  const stats = await createExporter({
    path: golden.path,
    format,
    target,
    checkpointPath: `${out}.checkpoint.json`,
    seams: ALL_SEAMS,
    context,
    batchRows,
    logger,
    ...(inWorkers ? { encodeInWorker: FIXTURE_SEAMS } : {}),
  }).run();
  return { stats, warnings, bytes: readFileSync(out) };
}

describe('createExporter with encodeInWorker', { timeout: 60_000 }, () => {
  it.each(['gzip', 'none'] as const)(
    'sends every row over OTLP (%s), batches split between workers arriving as one request each, in order',
    async (compression) => {
      // Enough rows that each batch is split between the workers.
      const big = join(golden.dir, `big-${compression}.jsonl`);
      const text = golden.rows.map((row) => `${row.text}\n`).join('');
      writeFileSync(big, text.repeat(Math.ceil(300_000 / text.length)));
      const rows = readFileSync(big, 'utf8').trimEnd().split('\n');
      const sent: Record<string, { ids: unknown[]; requests: number }> = {};
      for (const inWorkers of [false, true]) {
        const receiver = await startOtlpReceiver();
        const encoder = createExportOtelEncoder(context);
        try {
          const logger: AuditLogger = { info: () => undefined, warn: () => undefined };
          const stats = await createExporter({
            path: big,
            format: 'otel',
            target: createOtlpTarget({ url: receiver.url, compression, encoder }),
            checkpointPath: null,
            seams: ALL_SEAMS,
            context,
            batchRows: 2000,
            logger,
            ...(inWorkers ? { encodeInWorker: FIXTURE_SEAMS } : {}),
          }).run();
          expect(stats.rowsExported).toBe(rows.length);
          sent[String(inWorkers)] = {
            ids: receiver.requests.flatMap((request) =>
              request.request.resourceLogs.flatMap((resource) =>
                resource.scopeLogs.flatMap((scope) =>
                  scope.logRecords.map((record) => record.attributes.find((attribute) => attribute.key === 'log.record.uid')?.value),
                ),
              ),
            ),
            requests: receiver.requests.length,
          };
        } finally {
          await encoder.shutdown();
          await receiver.close();
        }
      }
      expect(sent.true!.ids).toEqual(rows.map((row) => ({ stringValue: (JSON.parse(row) as { id: string }).id })));
      expect(sent.true).toEqual(sent.false);
    },
  );

  for (const format of EXPORT_FORMATS) {
    it(`writes the same ${format} bytes, counts and warnings as on one thread, whatever the batch size`, async () => {
      const here = await exportTo(format, join(golden.dir, `${format}.here`), false, 7);
      expect(here.stats.rowsExported).toBe(golden.rows.length + 2);
      expect(here.stats.linesSkipped).toEqual({ blank: 2, malformed: 1, invalid: 1, invalidDetails: 1, unknownSeam: 0 });
      for (const batchRows of [1, 7, 5000]) {
        const there = await exportTo(format, join(golden.dir, `${format}.workers.${batchRows}`), true, batchRows);
        // OTLP/JSON holds a batch a line, and workers count lines, not rows, into a batch: the
        // records are the same, in the same order, however they are grouped into lines.
        if (format === 'otel') expect(readOtelRecords(there.bytes)).toEqual(readOtelRecords(here.bytes));
        else expect(there.bytes.equals(here.bytes)).toBe(true);
        expect(there.stats).toEqual(here.stats);
        expect(there.warnings).toEqual(here.warnings);
      }
      expect(here.warnings.join('\n')).not.toContain('secret-prompt-text');
    });
  }

  it('refuses workers whose module holds other seams, naming the problem, and writes nothing', async () => {
    const out = join(golden.dir, 'other-seams.ocsf');
    const logger: AuditLogger = { info: () => undefined, warn: () => undefined };
    const exporter = createExporter({
      path: golden.path,
      format: 'ocsf',
      target: createFileTarget({ path: out, format: 'ocsf', encode: encodeJsonLines, logger }),
      checkpointPath: null,
      seams: ALL_SEAMS.slice(0, 4),
      context,
      logger,
      encodeInWorker: FIXTURE_SEAMS,
    });
    await expect(exporter.run()).rejects.toThrow('the encoding worker loaded other seams than the exporter has');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses encodeInWorker for a target that takes records only', () => {
    const target: ExportTarget = {
      label: 'records',
      open: () => Promise.resolve(),
      deliver: () => Promise.resolve(),
      state: () => Promise.resolve({ target: 'records' }),
      close: () => Promise.resolve(),
    };
    const options: ExporterOptions = {
      path: golden.path,
      format: 'otel',
      target,
      checkpointPath: null,
      seams: ALL_SEAMS,
      context,
      logger: { info: () => undefined, warn: () => undefined },
      encodeInWorker: FIXTURE_SEAMS,
    };
    expect(() => createExporter(options)).toThrow('encodeInWorker needs a target that takes bytes');
  });
});

function readOtelRecords(bytes: Buffer): unknown[] {
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line) => {
      const request = JSON.parse(line) as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
      return request.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    });
}
