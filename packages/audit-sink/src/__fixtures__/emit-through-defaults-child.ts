// A process that emits through the process defaults only (the default sink from
// KORA_AUDIT_LOG_PATH, the default logger on stdout), as a service that wires nothing does.
// argv: how many rows to emit before killing itself with SIGKILL, or `until-killed` to emit
// in bursts until the parent kills it. Row `seq` carries `count: seq`.
//
// The self-kill comes straight after the last emit, in the same turn of the event loop:
// whatever the logger had only queued in memory dies with the process.
import { emitSeamEvent } from '../seam/emit-seam-event.js';
import { exampleSeam } from './example-seam.js';

const [limitArg = 'until-killed'] = process.argv.slice(2);
const limit = limitArg === 'until-killed' ? Number.POSITIVE_INFINITY : Number(limitArg);
const BURST = 50;

let seq = 0;
function emitOne(): void {
  const outcome = emitSeamEvent(exampleSeam, { tool_name: 'crash', count: seq });
  if (!outcome.ok) {
    process.stderr.write(`emit ${seq} failed: ${outcome.reason}\n`);
    process.exit(1);
  }
  seq += 1;
}

if (Number.isFinite(limit)) {
  while (seq < limit) emitOne();
  process.kill(process.pid, 'SIGKILL');
} else {
  const burst = (): void => {
    for (let index = 0; index < BURST; index += 1) emitOne();
    setImmediate(burst);
  };
  burst();
}
