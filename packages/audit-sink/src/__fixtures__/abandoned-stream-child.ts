// Takes two batches of a stream whose rest a worker thread scans, then drops the stream
// without finishing or closing it, as careless code would. The process must still exit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamAuditLines } from '@kora/audit-sink/reader';
import { envelope, line } from './reader-rows.js';

const path = join(mkdtempSync(join(tmpdir(), 'kora-abandoned-')), 'audit.jsonl');
let text = '';
for (let n = 0; n < 5_000; n += 1) text += line(envelope(n, { details: { note: 'x'.repeat(400) } }));
writeFileSync(path, text);
const stream = streamAuditLines({ path, offloadAfterBytes: 0 });
const first = await stream.next();
const second = await stream.next();
process.stdout.write(`${JSON.stringify({ first: first.value?.lines.length ?? 0, second: second.value?.lines.length ?? 0 })}\n`);
