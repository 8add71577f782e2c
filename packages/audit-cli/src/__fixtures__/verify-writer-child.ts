// One writer (a sink in its own process) appending to an audit file, for the verify tests.
// argv: path, mode (sync | batched), batch size, rows (a number, or `stdin` to emit until
// stdin ends), ending (close | exit | wait), and every how many emits one is refused (0: none).
//
// It prints `ready` and waits for a line on stdin, so the parent can release many writers
// together; then it emits rows in turns of the event loop, printing `acked N` after each turn
// (N: the emits acknowledged so far). At the end it closes the sink (`close`), lets the process
// end by itself, which closes it on `exit` (`exit`), or prints `done` and waits to be killed (`wait`).
import { writeSync } from 'node:fs';
import { createAuditSink } from '@kora/audit-sink';
import { seam } from '@kora/seam-mcp';

const [path = '', mode = 'sync', batchArg = '1', rowsArg = '0', ending = 'close', refuseArg = '0'] = process.argv.slice(2);
const rows = rowsArg === 'stdin' ? Number.POSITIVE_INFINITY : Number(rowsArg);
const refuseEvery = Number(refuseArg);
const ROWS_PER_TURN = 20;

const sink = createAuditSink({
  path,
  mode: mode === 'batched' ? 'batched' : 'sync',
  batchSize: Number(batchArg),
  // Only full batches and the closing may write: what a crash loses is then the batch in memory.
  flushIntervalMs: 600_000,
  logger: { info: () => {}, warn: () => {} },
});

// writeSync: stdout is a pipe, where process.stdout writes asynchronously.
writeSync(1, 'ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
let stdinEnded = false;
if (rowsArg === 'stdin') process.stdin.once('end', () => (stdinEnded = true));

let emitted = 0;
let acked = 0;
let refused = 0;
while (emitted < rows && !stdinEnded) {
  for (let turn = 0; turn < ROWS_PER_TURN && emitted < rows; turn += 1) {
    emitted += 1;
    const refuse = refuseEvery > 0 && emitted % refuseEvery === 0;
    const outcome = sink.emit(seam, {
      tool_name: `kora__tool_${emitted % 7}`,
      // A kind the allow-list refuses: the sink numbers the row, loses it and names it in an audit.lost row.
      tool_kind: refuse ? 'bogus' : emitted % 3 === 0 ? 'mutating' : 'read',
      caller_actor_kind: 'claude_pm_isokron',
      args_keys: ['limit', 'status'],
      result: `count=${emitted}`,
    });
    if (outcome.ok) acked += 1;
    else refused += 1;
  }
  writeSync(1, `acked ${acked}\n`);
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdin.pause();

if (ending === 'close') await sink.close();
writeSync(1, `done ${JSON.stringify({ emitted, acked, refused })}\n`);
if (ending === 'wait') setInterval(() => {}, 60_000);
