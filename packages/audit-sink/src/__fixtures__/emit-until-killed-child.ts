// A process that emits rows until it is killed, acknowledging each one.
// argv: audit path, acknowledgement path, mode (sync | batched), batch size, flush interval
// in ms, and optionally how many rows to emit before going idle (default: no limit).
//
// Row `seq` carries `count: seq`. After an emit returns ok, `seq` is appended to the
// acknowledgement file with a synchronous write, so when the process is killed the file
// holds exactly the rows the caller was told were accepted (an async write could still be
// queued in memory and vanish with the process).
import { closeSync, openSync, writeSync } from 'node:fs';
import { createAuditSink } from '../sink/create-audit-sink.js';
import { exampleSeam } from './example-seam.js';

const [path = '', ackPath = '', mode = 'sync', batchArg = '1', intervalArg = '1000', limitArg] = process.argv.slice(2);
const limit = limitArg === undefined ? Number.POSITIVE_INFINITY : Number(limitArg);
// Emits per turn of the event loop: between turns the batch timer can fire.
const BURST = 50;

const sink = createAuditSink({
  path,
  mode: mode === 'batched' ? 'batched' : 'sync',
  batchSize: Number(batchArg),
  flushIntervalMs: Number(intervalArg),
  logger: { info: () => {}, warn: () => {} },
});
const ack = openSync(ackPath, 'a');

let seq = 0;
function burst(): void {
  for (let index = 0; index < BURST && seq < limit; index += 1) {
    // Every fourth row is over PIPE_BUF, so a kill can land inside a multi-page write.
    const details = seq % 4 === 3 ? { tool_name: 'crash', count: seq, note: 'x'.repeat(6000) } : { tool_name: 'crash', count: seq };
    const outcome = sink.emit(exampleSeam, details);
    if (!outcome.ok) {
      writeSync(ack, `failed ${seq} ${outcome.reason}\n`);
      closeSync(ack);
      process.exit(1);
    }
    writeSync(ack, `${seq}\n`);
    seq += 1;
  }
  // Idle once the limit is reached: the test kills the process when it is ready.
  if (seq < limit) setImmediate(burst);
  else setInterval(() => {}, 60_000);
}
burst();
