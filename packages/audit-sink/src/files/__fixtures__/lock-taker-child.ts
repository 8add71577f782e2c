// A shipper-to-be racing others for state-file locks. It reads state-file paths, one a line,
// on stdin; for each it tries the lock at once and answers one JSON line on stdout. A lock it
// wins is held until the process ends, as a running shipper holds it.
import { createInterface } from 'node:readline';
import { lockStateFile } from '../lock-state-file.js';

process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
for await (const checkpointPath of createInterface({ input: process.stdin })) {
  try {
    await lockStateFile(checkpointPath, 'shipper');
    process.stdout.write(`${JSON.stringify({ pid: process.pid, path: checkpointPath, won: true })}\n`);
  } catch (error) {
    process.stdout.write(
      `${JSON.stringify({ pid: process.pid, path: checkpointPath, won: false, error: error instanceof Error ? error.message : String(error) })}\n`,
    );
  }
}
