// A writer for the rotation tests: `rotation-child.ts <path> <scenario>`.
//
// `sync` and `batched`: emit rows numbered 0, 1, 2, … (in `details.count`) into <path>
// without pause until stdin closes, then close the sink and print one JSON line on stdout:
// how many rows were emitted, the numbers of those not acknowledged, and the sink's stats.
//
// `closed` and `opted-out`: write one row with a sink that is then closed, or that was
// created with `reopenOnHangup: false`, print `waiting` and wait on stdin, so the parent can
// check what a real SIGHUP does to a process without a listening sink.
import { createAuditSink } from '../sink/create-audit-sink.js';
import { exampleSeam } from './example-seam.js';

const path = process.argv[2];
const scenario = process.argv[3] ?? 'sync';
if (path === undefined) throw new Error('usage: rotation-child.ts <path> <sync|batched|closed|opted-out>');

const logger = { info: () => {}, warn: (message: string) => void process.stderr.write(`${message}\n`) };
// Rows per turn of the event loop: small enough that SIGHUP is handled between turns.
const ROWS_PER_TURN = 20;

if (scenario === 'closed' || scenario === 'opted-out') {
  const sink = createAuditSink({ path, logger, reopenOnHangup: scenario === 'closed' });
  sink.emit(exampleSeam, { tool_name: 'rotation', count: 0 });
  if (scenario === 'closed') await sink.close();
  process.stdout.write('waiting\n');
  process.stdin.resume();
} else {
  const sink = createAuditSink({
    path,
    logger,
    mode: scenario === 'batched' ? 'batched' : 'sync',
    batchSize: 25,
    flushIntervalMs: 5,
  });
  let emitted = 0;
  const refused: number[] = [];
  let stopping = false;

  const emitSome = (): void => {
    if (stopping) return;
    for (let turn = 0; turn < ROWS_PER_TURN; turn += 1) {
      const count = emitted;
      emitted += 1;
      if (!sink.emit(exampleSeam, { tool_name: 'rotation', count }).ok) refused.push(count);
    }
    setTimeout(emitSome, 1);
  };

  process.stdin.on('end', () => {
    stopping = true;
    // Closing flushes the last batch; only then are the acknowledged rows all in a file.
    void sink.close().then(() => {
      process.stdout.write(`${JSON.stringify({ emitted, refused, stats: sink.stats() })}\n`);
    });
  });
  process.stdin.resume();
  emitSome();
}
