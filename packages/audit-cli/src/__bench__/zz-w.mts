import { readFileSync } from 'node:fs';
import { createExportRowReader, createRecordMaker, encodeJsonLines } from '@kora/audit-export';
import { classifyAuditLineNow } from '@kora/audit-sink/reader';
import { SEAMS } from '../seams.js';
const lines = readFileSync('/tmp/prof/audit.jsonl', 'utf8').split('\n', 50000);
const readRow = createExportRowReader({ seams: SEAMS, leafHashes: false });
const rows = lines.map((l) => {
  const c = classifyAuditLineNow(l) as any;
  const r = readRow(c.entry, l) as any;
  return r.row;
});
const ctx = { productVersion: '0.1.0', hostName: 'bench', serviceName: 'kora-agent', logPath: '/tmp/prof/audit.jsonl', now: Date.now };
for (const fmt of ['ocsf', 'ecs'] as const) {
  const w = createRecordMaker(fmt, ctx) as (r: unknown) => string;
  for (let round = 0; round < 5; round++) {
    const t = process.hrtime.bigint();
    let n = 0;
    for (let i = 0; i < rows.length; i += 500) n += encodeJsonLines(rows.slice(i, i + 500).map(w)).length;
    console.log(fmt, round, (Number(process.hrtime.bigint() - t) / 1e3 / rows.length).toFixed(2), 'us/row', n);
  }
  const seam = rows[0].seam;
  const vt = process.hrtime.bigint();
  for (const r of rows) r.seam.formatLine(r.entry.details, { caller_session_id: r.entry.caller_session_id, writer: r.entry.writer });
  console.log('verbatim', (Number(process.hrtime.bigint() - vt) / 1e3 / rows.length).toFixed(2));
}
