// One of many processes appending to the same audit file at once.
// argv: path, mode (sync | batched), writer index, rows, batch size.
// It prints `ready` and waits for a line on stdin, so the parent can release all writers
// together; then it emits its rows as fast as it can, closes the sink and prints its stats
// and its pid (which its writer's audit.opened row records).
import { writeSync } from 'node:fs';
import { createAuditSink } from '../sink/create-audit-sink.js';
import { exampleSeam } from './example-seam.js';
import { WRITER_MAX_ROW_BYTES, planWriterRow } from './plan-writer-row.js';

const [path = '', mode = 'sync', writerArg = '0', rowsArg = '0', batchArg = '1'] = process.argv.slice(2);
const writer = Number(writerArg);
const rows = Number(rowsArg);

const sink = createAuditSink({
  path,
  mode: mode === 'batched' ? 'batched' : 'sync',
  batchSize: Number(batchArg),
  // Only full batches and close() may write: a timer flush would make batch boundaries vary.
  flushIntervalMs: 600_000,
  maxRowBytes: WRITER_MAX_ROW_BYTES,
  logger: { info: () => {}, warn: () => {} },
});

// writeSync: stdout is a pipe, where process.stdout writes asynchronously.
writeSync(1, 'ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
let failed = 0;
for (let seq = 0; seq < rows; seq += 1) {
  const row = planWriterRow(writer, seq);
  if (!sink.emit(exampleSeam, row.details, { caller_session_id: row.callerSessionId }).ok) failed += 1;
}
await sink.close();
writeSync(1, `${JSON.stringify({ failed, pid: process.pid, stats: sink.stats() })}\n`);
