// A child process that emits through the process default sink (configured from
// KORA_AUDIT_* by its parent) and then ends in the way argv[2] names.
import { emitSeamEvent } from '../seam/emit-seam-event.js';
import { exampleSeam } from './example-seam.js';

const ending = process.argv[2] ?? 'natural';
const count = Number(process.argv[3] ?? '5');
for (let index = 0; index < count; index += 1) emitSeamEvent(exampleSeam, { tool_name: 'child', count: index });

if (ending === 'exit') process.exit(0);
if (ending === 'SIGTERM' || ending === 'SIGINT') {
  // Stay alive until the signal ends the process.
  setInterval(() => {}, 1000);
  process.kill(process.pid, ending);
}
