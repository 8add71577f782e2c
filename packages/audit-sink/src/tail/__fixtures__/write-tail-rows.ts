// Rows written by the real sink into a file, in-process, for the cursor's tests.
import { readFileSync, statSync } from 'node:fs';
import { exampleSeam } from '../../__fixtures__/example-seam.js';
import { createAuditSink } from '../../sink/create-audit-sink.js';

/**
 * Write `rows` rows to `path`, one millisecond apart from `startMs`, by one writer (one sink,
 * closed at the end), and resolve to the ids of every row it added, in file order: its
 * `audit.opened` row, the `rows` rows, its `audit.closed` row.
 */
export async function writeTailRows(path: string, rows: number, startMs = Date.parse('2026-11-26T17:00:00.000Z')): Promise<string[]> {
  const before = fileSize(path);
  let tick = startMs;
  const quiet = { info: (): void => undefined, warn: (): void => undefined };
  const sink = createAuditSink({ path, logger: quiet, clock: () => tick, flushOnExit: false, reopenOnHangup: false });
  for (let seq = 0; seq < rows; seq += 1) {
    tick = startMs + seq;
    const outcome = sink.emit(exampleSeam, { tool_name: 'kora__list_tickets', count: seq });
    if (!outcome.ok) throw new Error(`emit ${seq} failed: ${outcome.reason}`);
  }
  await sink.close();
  const added = readFileSync(path)
    .subarray(before)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { id: string }).id);
  if (added.length !== rows + 2) throw new Error(`the file holds ${added.length} new rows, not ${rows + 2}`);
  return added;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
